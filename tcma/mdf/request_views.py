"""Fund request pages: partners draft and submit; marketers approve, lower, reject, send back."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts.access import get_scoped_or_404
from tcma.campaigns.models import Campaign
from tcma.campaigns.services import campaigns_statement
from tcma.forms import filled
from tcma.mdf import claim_services, ledger, notify, request_services, rules
from tcma.mdf.forms import ApproveForm, CommentForm, FundRequestForm, ReasonForm
from tcma.mdf.models import Allocation, FundRequest
from tcma.mdf.request_services import RequestFields
from tcma.mdf.rules import MdfError
from tcma.mdf.web import (
    act_on,
    allocation_label,
    apply_filters,
    budget_choices,
    fail,
    in_currency,
    open_allocations,
    partner_choices,
    timeline,
)
from tcma.pagination import keyset
from tcma.permissions import marketing_staff, partner_users, partner_work, signed_in

bp = Blueprint("requests", __name__)


def _budget_clause(budget_id: int):
    return FundRequest.allocation_id.in_(
        select(Allocation.id).where(Allocation.budget_id == budget_id)
    )


@bp.route("/requests")
@signed_in
def index() -> str:
    """Fund requests: a partner's own, or every partner's for the vendor (the queue)."""
    session = db.session()
    stmt, chosen = apply_filters(
        select(FundRequest),
        FundRequest,
        rules.REQUEST_STATES,
        _budget_clause,
        FundRequest.id.in_,
    )
    page = keyset(
        session,
        stmt,
        (FundRequest.id,),
        request.args.get("cursor"),
        loaders=(
            selectinload(FundRequest.partner),
            selectinload(FundRequest.allocation).selectinload(Allocation.budget),
        ),
    )
    return render_template(
        "mdf/requests.html",
        page=page,
        chosen=chosen,
        statuses=rules.REQUEST_STATES,
        partners=partner_choices(session) if current_user.is_vendor else [],
        budgets=budget_choices(session),
    )


def _form_choices(form: FundRequestForm, keep: Allocation | None = None) -> bool:
    session = db.session()
    allocations = open_allocations(session, current_user.partner_id)
    if keep is not None and keep not in allocations:
        allocations.append(keep)
    balances = ledger.balances(session, [a.id for a in allocations])
    form.allocation_id.choices = [
        (a.id, allocation_label(a, balances[a.id].available)) for a in allocations
    ]
    form.currencies = {a.id: a.currency for a in allocations}
    campaigns = session.scalars(campaigns_statement(current_user.partner_id))
    form.campaign_id.choices = [("", "No campaign"), *((c.id, c.name) for c in campaigns)]
    return bool(allocations)


def _fields(form: FundRequestForm) -> RequestFields:
    return RequestFields(
        allocation_id=form.allocation_id.data,
        activity_type=form.activity_type.data,
        title=form.title.data or "",
        description=form.description.data or "",
        start_date=filled(form.start_date.data),
        end_date=filled(form.end_date.data),
        total_cost=form.total_cost.data,
        requested_amount=form.requested_amount.data,
        expected_leads=form.expected_leads.data or 0,
        expected_pipeline=form.expected_pipeline.data or Decimal("0.00"),
        campaign_id=form.campaign_id.data,
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@partner_users
def new() -> str | Response:
    """Write a fund request (saved as a draft)."""
    form = FundRequestForm()
    has_allocations = _form_choices(form)
    allocation_id = request.args.get("allocation", type=int)
    if request.method == "GET" and allocation_id:
        form.allocation_id.data = allocation_id
    if has_allocations and form.validate_on_submit():
        try:
            item = request_services.create_request(db.session(), current_user, _fields(form))
        except MdfError as exc:
            fail(exc, form)
        else:
            flash("Draft saved. Check it, then submit it for approval.", "success")
            return redirect(url_for("mdf.requests.show", request_id=item.id))
    return render_template(
        "mdf/request_form.html", form=form, item=None, has_allocations=has_allocations
    )


def _campaign_of(session: Session, item: FundRequest) -> Campaign | None:
    """The request's campaign, if it is the request's partner's own."""
    if item.campaign_id is None:
        return None
    campaign = session.get(Campaign, item.campaign_id)
    return campaign if campaign is not None and campaign.partner_id == item.partner_id else None


def _page(item: FundRequest, approve: ApproveForm | None = None) -> str:
    session = db.session()
    return render_template(
        "mdf/request.html",
        item=item,
        balance=ledger.balance(session, item.allocation_id),
        unclaimed=claim_services.unclaimed(session, item),
        timeline=timeline(session, "fund_request", item.id),
        campaign=_campaign_of(session, item),
        actions=rules.request_actions(item.status),
        approve=approve or ApproveForm(formdata=None, amount=item.requested_amount),
        reason=ReasonForm(formdata=None),
        confirm=CommentForm(formdata=None),
    )


@bp.route("/requests/<int:request_id>")
@signed_in
def show(request_id: int) -> str:
    """One request: details, four-eyes state, claims, timeline and the next actions."""
    return _page(get_scoped_or_404(db.session(), FundRequest, request_id))


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@partner_users
def edit(request_id: int) -> str | Response:
    """Change a draft, or a request sent back for changes."""
    item = get_scoped_or_404(db.session(), FundRequest, request_id)
    form = FundRequestForm(obj=item)
    _form_choices(form, keep=item.allocation)
    if form.validate_on_submit():
        try:
            request_services.update_request(db.session(), current_user, item.id, _fields(form))
        except MdfError as exc:
            fail(exc, form)
        else:
            flash("Fund request saved.", "success")
            return redirect(url_for("mdf.requests.show", request_id=item.id))
    return render_template("mdf/request_form.html", form=form, item=item, has_allocations=True)


def _act(request_id: int, run, done: str) -> Response:
    """Run one state change from a button on the request page, then go back to it."""
    return act_on(FundRequest, request_id, run, done, "mdf.requests.show", "request_id")


@bp.route("/requests/<int:request_id>/submit", methods=["POST"])
@partner_users
def submit(request_id: int) -> Response:
    """Send the request to the marketers."""

    def run(item: FundRequest) -> None:
        request_services.submit_request(db.session(), current_user, item.id)
        notify.request_submitted(db.session(), item)

    return _act(request_id, run, "Submitted. A channel marketer will review it.")


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
@partner_users
def withdraw(request_id: int) -> Response:
    """Take the request back before it is decided."""
    comment = CommentForm().comment.data or ""

    def run(item: FundRequest) -> None:
        request_services.withdraw_request(db.session(), current_user, item.id, comment)

    return _act(request_id, run, "Fund request withdrawn.")


@bp.route("/requests/<int:request_id>/cancel", methods=["POST"])
@partner_work
def cancel(request_id: int) -> Response:
    """Cancel an approved request without claims; its money goes back to the allocation."""
    comment = CommentForm().comment.data or ""

    def run(item: FundRequest) -> None:
        request_services.cancel_request(db.session(), current_user, item.id, comment)

    return _act(request_id, run, "Fund request cancelled; its money is available again.")


@bp.route("/requests/<int:request_id>/approve", methods=["POST"])
@marketing_staff
def approve(request_id: int) -> str | Response:
    """Approve the request, possibly for less (first or second approval above the threshold)."""
    session = db.session()
    item = get_scoped_or_404(session, FundRequest, request_id)
    form = in_currency(ApproveForm(), item.currency)
    if form.validate_on_submit():
        try:
            item, step = request_services.approve_request(
                session, current_user, item.id, form.amount.data, form.comment.data or ""
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            if step == "first":
                notify.request_needs_second_approval(session, item, current_user)
                flash("First approval recorded; a second approver must now decide.", "success")
            else:
                notify.request_decided(item)
                flash("Approved; the amount is committed against the allocation.", "success")
            return redirect(url_for("mdf.requests.show", request_id=item.id))
    return _page(item, form)


def _decide(request_id: int, service, done: str) -> Response:
    form = ReasonForm()
    comment = form.comment.data or ""

    def run(item: FundRequest) -> None:
        decided = service(db.session(), current_user, item.id, comment)
        notify.request_decided(decided)

    return _act(request_id, run, done)


@bp.route("/requests/<int:request_id>/reject", methods=["POST"])
@marketing_staff
def reject(request_id: int) -> Response:
    """Refuse the request with a reason."""
    return _decide(request_id, request_services.reject_request, "Fund request rejected.")


@bp.route("/requests/<int:request_id>/changes", methods=["POST"])
@marketing_staff
def changes(request_id: int) -> Response:
    """Send the request back to the partner for changes."""
    return _decide(
        request_id, request_services.request_changes, "Sent back to the partner for changes."
    )

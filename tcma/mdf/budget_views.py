"""Finance pages: budgets, allocations (allocate, bulk by tier, adjust, move) and settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts.access import get_scoped_or_404
from tcma.accounts.models import Partner, Tier
from tcma.forms import filled
from tcma.mdf import budget_services, ledger, money
from tcma.mdf.forms import AdjustForm, AllocateForm, BudgetForm, MoveForm, bulk_form, settings_form
from tcma.mdf.models import Allocation, Budget, FundRequest
from tcma.mdf.rules import MdfError
from tcma.mdf.web import (
    fail,
    in_currency,
    partner_choices,
    today,
)
from tcma.pagination import keyset, page_number, paginate
from tcma.permissions import finance_staff, signed_in, vendor_staff

bp = Blueprint("budgets", __name__)


def _tiers() -> list[tuple[int, str]]:
    tiers = db.session().scalars(select(Tier).order_by(Tier.rank.desc(), Tier.name))
    return [(tier.id, tier.name) for tier in tiers]


@bp.route("/budgets")
@vendor_staff
def index() -> str:
    """Budgets by period (current, upcoming, past) and currency."""
    stmt = select(Budget).order_by(Budget.period_end.desc(), Budget.name)
    period = request.args.get("period")
    if period == "current":
        stmt = stmt.where(Budget.period_start <= today(), Budget.period_end >= today())
    elif period == "upcoming":
        stmt = stmt.where(Budget.period_start > today())
    elif period == "past":
        stmt = stmt.where(Budget.period_end < today())
    if (currency := request.args.get("currency")) in money.CURRENCIES:
        stmt = stmt.where(Budget.currency == currency)
    page = paginate(db.session(), stmt, page_number(request.args.get("page")))
    totals = {
        budget.id: ledger.allocated_from_budget(db.session(), budget.id) for budget in page.items
    }
    return render_template(
        "mdf/budgets.html", page=page, totals=totals, currencies=money.CURRENCIES
    )


@bp.route("/budgets/new", methods=["GET", "POST"])
@finance_staff
def new() -> str | Response:
    """Create a budget."""
    form = BudgetForm()
    if form.validate_on_submit():
        try:
            budget = budget_services.create_budget(
                db.session(),
                current_user,
                name=filled(form.name.data),
                period_start=filled(form.period_start.data),
                period_end=filled(form.period_end.data),
                amount=form.amount.data,
                currency=form.currency.data,
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            flash(f"Budget {budget.name} was created. Allocate it to partners next.", "success")
            return redirect(url_for("mdf.budgets.show", budget_id=budget.id))
    return render_template("mdf/budget_form.html", form=form, budget=None)


def _budget_page(budget: Budget, form: AllocateForm) -> str:
    session = db.session()
    page = keyset(
        session,
        select(Allocation)
        .join(Partner, Partner.id == Allocation.partner_id)
        .where(Allocation.budget_id == budget.id),
        (Partner.name, Allocation.id),
        request.args.get("cursor"),
        descending=False,
        per_page=50,
        loaders=(selectinload(Allocation.partner),),
        key_of=lambda allocation: (allocation.partner.name, allocation.id),
    )
    return render_template(
        "mdf/budget.html",
        budget=budget,
        page=page,
        allocations=page.items,
        balances=ledger.balances(session, [a.id for a in page.items]),
        allocated=ledger.allocated_from_budget(session, budget.id),
        form=form,
    )


def _allocate_form() -> AllocateForm:
    form = AllocateForm()
    form.partner_id.choices = partner_choices(db.session())
    return form


@bp.route("/budgets/<int:budget_id>")
@vendor_staff
def show(budget_id: int) -> str:
    """One budget: its allocations with balances, and finance's allocate form."""
    budget = db.session().get(Budget, budget_id) or abort(404)
    return _budget_page(budget, _allocate_form())


@bp.route("/budgets/<int:budget_id>/edit", methods=["GET", "POST"])
@finance_staff
def edit(budget_id: int) -> str | Response:
    """Rename, re-date or resize a budget."""
    budget = db.session().get(Budget, budget_id) or abort(404)
    form = BudgetForm(obj=budget)
    form.currency.render_kw = {"disabled": True}
    form.currency.data = budget.currency
    if form.validate_on_submit():
        try:
            budget_services.update_budget(
                db.session(),
                current_user,
                budget.id,
                name=filled(form.name.data),
                period_start=filled(form.period_start.data),
                period_end=filled(form.period_end.data),
                amount=form.amount.data,
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            flash("Budget saved.", "success")
            return redirect(url_for("mdf.budgets.show", budget_id=budget.id))
    return render_template("mdf/budget_form.html", form=form, budget=budget)


@bp.route("/budgets/<int:budget_id>/allocate", methods=["POST"])
@finance_staff
def allocate(budget_id: int) -> str | Response:
    """Give one partner money from the budget."""
    session = db.session()
    budget = session.get(Budget, budget_id) or abort(404)
    form = _allocate_form()
    if form.validate_on_submit():
        try:
            allocation = budget_services.allocate(
                session,
                current_user,
                budget.id,
                form.partner_id.data,
                form.amount.data,
                form.comment.data or "",
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            flash(
                f"{allocation.partner.name} now has "
                f"{money.format_money(allocation.amount, budget.currency)} from {budget.name}.",
                "success",
            )
            return redirect(url_for("mdf.budgets.show", budget_id=budget.id))
    return _budget_page(budget, form)


@bp.route("/budgets/<int:budget_id>/bulk", methods=["GET", "POST"])
@finance_staff
def bulk(budget_id: int) -> str | Response:
    """Allocate to every partner of chosen tiers: a fixed amount each, or a tier's share."""
    session = db.session()
    budget = session.get(Budget, budget_id) or abort(404)
    tiers = _tiers()
    form = bulk_form(tiers)()
    if form.validate_on_submit():
        values = {
            tier_id: value
            for tier_id, _ in tiers
            if (value := getattr(form, f"tier_{tier_id}").data) is not None and value > 0
        }
        try:
            amounts = budget_services.bulk_allocate_by_tier(
                session, current_user, budget.id, form.mode.data, values
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            total = money.format_money(sum(amounts.values(), money.ZERO), budget.currency)
            flash(f"Allocated {total} to {len(amounts)} partners.", "success")
            return redirect(url_for("mdf.budgets.show", budget_id=budget.id))
    return render_template(
        "mdf/bulk.html",
        budget=budget,
        form=form,
        tier_fields=[getattr(form, f"tier_{tier_id}") for tier_id, _ in tiers],
        room=budget.amount - ledger.allocated_from_budget(session, budget.id),
    )


def _allocation_page(allocation: Allocation, adjust: AdjustForm, move: MoveForm) -> str:
    session = db.session()
    requests = session.scalars(
        select(FundRequest)
        .where(FundRequest.allocation_id == allocation.id, FundRequest.status != "draft")
        .order_by(FundRequest.id.desc())
        .limit(50)
    )
    return render_template(
        "mdf/allocation.html",
        allocation=allocation,
        balance=ledger.balance(session, allocation.id),
        entries=keyset(
            session,
            ledger.entries_statement(allocation.id),
            ledger.LEDGER_ORDER,
            request.args.get("cursor"),
            per_page=50,
        ),
        requests=list(requests),
        adjust=adjust,
        move=move,
    )


def _move_form(allocation: Allocation) -> MoveForm:
    # Its own ids (move-amount, ...): the adjust form on the same page has an Amount too.
    form = in_currency(MoveForm(prefix="move"), allocation.currency)
    choices = partner_choices(db.session())
    form.to_partner_id.choices = [c for c in choices if c[0] != allocation.partner_id]
    return form


@bp.route("/allocations/<int:allocation_id>")
@signed_in
def allocation(allocation_id: int) -> str:
    """One allocation: its balance and ledger; partners see only their own."""
    item = get_scoped_or_404(db.session(), Allocation, allocation_id)
    adjust = AdjustForm(formdata=None, amount=item.amount)
    return _allocation_page(item, adjust, _move_form(item))


@bp.route("/allocations/<int:allocation_id>/adjust", methods=["POST"])
@finance_staff
def adjust(allocation_id: int) -> str | Response:
    """Raise or lower an allocation."""
    item = db.session().get(Allocation, allocation_id) or abort(404)
    form = in_currency(AdjustForm(), item.currency)
    if form.validate_on_submit():
        try:
            budget_services.set_allocation(
                db.session(), current_user, item.id, form.amount.data, form.comment.data or ""
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            flash("Allocation changed.", "success")
            return redirect(url_for("mdf.budgets.allocation", allocation_id=item.id))
    return _allocation_page(item, form, _move_form(item))


@bp.route("/allocations/<int:allocation_id>/move", methods=["POST"])
@finance_staff
def move(allocation_id: int) -> str | Response:
    """Move available money to another partner in the same budget."""
    item = db.session().get(Allocation, allocation_id) or abort(404)
    form = _move_form(item)
    if form.validate_on_submit():
        try:
            target = budget_services.move_allocation(
                db.session(),
                current_user,
                item.id,
                form.to_partner_id.data,
                form.amount.data,
                form.comment.data or "",
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            flash(f"Moved to {target.partner.name}.", "success")
            return redirect(url_for("mdf.budgets.allocation", allocation_id=item.id))
    return _allocation_page(item, AdjustForm(formdata=None, amount=item.amount), form)


@bp.route("/settings", methods=["GET", "POST"])
@finance_staff
def settings() -> str | Response:
    """Program settings: four-eyes threshold, claim window, co-op share per tier."""
    session = db.session()
    current = budget_services.get_settings(session)
    shares = budget_services.tier_shares(session)
    tiers = _tiers()
    initial = {f"tier_{tier_id}": shares.get(tier_id) for tier_id, _ in tiers}
    form = settings_form(tiers)(obj=current, **initial)
    if form.validate_on_submit():
        chosen = {
            tier_id: value
            for tier_id, _ in tiers
            if (value := getattr(form, f"tier_{tier_id}").data) is not None
        }
        try:
            budget_services.update_settings(
                session,
                current_user,
                four_eyes_threshold=form.four_eyes_threshold.data,
                claim_window_days=form.claim_window_days.data,
                default_share_percent=form.default_share_percent.data,
                shares=chosen,
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            flash("Program settings saved.", "success")
            return redirect(url_for("mdf.budgets.settings"))
    return render_template(
        "mdf/settings.html",
        form=form,
        tier_fields=[getattr(form, f"tier_{tier_id}") for tier_id, _ in tiers],
        settings=current,
    )

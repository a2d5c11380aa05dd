"""Claim pages: partners file claims with proof; finance reviews, decides and records payment."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts.access import get_scoped_or_404
from tcma.mdf import claim_services, notify, rules, uploads
from tcma.mdf.forms import ApproveForm, ClaimForm, ProofForm, ReasonForm
from tcma.mdf.models import Allocation, Claim, FundRequest, ProofFile
from tcma.mdf.rules import MdfError
from tcma.mdf.web import (
    act_on,
    apply_filters,
    budget_choices,
    fail,
    in_currency,
    partner_choices,
    timeline,
    today,
)
from tcma.pagination import keyset
from tcma.permissions import finance_staff, partner_users, signed_in
from tcma.storage import get_storage, sign_download

bp = Blueprint("claims", __name__)


def _budget_clause(budget_id: int):
    allocations = select(Allocation.id).where(Allocation.budget_id == budget_id)
    requests = select(FundRequest.id).where(FundRequest.allocation_id.in_(allocations))
    return Claim.fund_request_id.in_(requests)


def _read(upload: FileStorage | None) -> bytes | None:
    """The uploaded bytes, reading at most one byte past the limit so big files are refused."""
    if upload is None or not upload.filename:
        return None
    return upload.stream.read(uploads.MAX_PROOF_BYTES + 1)


@bp.route("/claims")
@signed_in
def index() -> str:
    """Claims: a partner's own, or the finance queue for the vendor."""
    session = db.session()
    stmt, chosen = apply_filters(
        select(Claim), Claim, rules.CLAIM_STATES, _budget_clause, Claim.fund_request_id.in_
    )
    page = keyset(
        session,
        stmt,
        (Claim.id,),
        request.args.get("cursor"),
        loaders=(
            selectinload(Claim.partner),
            selectinload(Claim.fund_request)
            .selectinload(FundRequest.allocation)
            .selectinload(Allocation.budget),
        ),
    )
    return render_template(
        "mdf/claims.html",
        page=page,
        chosen=chosen,
        statuses=rules.CLAIM_STATES,
        partners=partner_choices(session) if current_user.is_vendor else [],
        budgets=budget_choices(session),
    )


@bp.route("/requests/<int:request_id>/claims/new", methods=["GET", "POST"])
@partner_users
def new(request_id: int) -> str | Response:
    """File a claim on an approved request, with its invoice."""
    session = db.session()
    fund_request = get_scoped_or_404(session, FundRequest, request_id)
    unclaimed = claim_services.unclaimed(session, fund_request)
    form = in_currency(ClaimForm(), fund_request.currency)
    if request.method == "GET":
        form.claimed_amount.data = unclaimed if unclaimed > 0 else None
    if form.validate_on_submit():
        try:
            claim = claim_services.create_claim(
                session,
                current_user,
                fund_request.id,
                actual_cost=form.actual_cost.data,
                claimed_amount=form.claimed_amount.data,
                notes=form.notes.data or "",
                today=today(),
            )
            if (data := _read(form.invoice.data)) is not None:
                claim_services.add_proof(
                    session,
                    get_storage(),
                    current_user,
                    claim.id,
                    "invoice",
                    form.invoice.data.filename,
                    data,
                )
        except MdfError as exc:
            if exc.field == "file":
                exc.field = "invoice"
            fail(exc, form)
        else:
            flash("Claim saved. Add any other proof, then submit it to finance.", "success")
            return redirect(url_for("mdf.claims.show", claim_id=claim.id))
    return render_template(
        "mdf/claim_form.html", form=form, fund_request=fund_request, claim=None, unclaimed=unclaimed
    )


def _page(claim: Claim, **forms) -> str:
    session = db.session()
    return render_template(
        "mdf/claim.html",
        claim=claim,
        unclaimed=claim_services.unclaimed(session, claim.fund_request, claim.id),
        timeline=timeline(session, "claim", claim.id),
        actions=rules.claim_actions(claim.status),
        editable=claim.status in rules.EDITABLE_STATES,
        proof_form=forms.get("proof_form") or ProofForm(formdata=None),
        approve=forms.get("approve") or ApproveForm(formdata=None, amount=claim.claimed_amount),
        reason=ReasonForm(formdata=None),
    )


@bp.route("/claims/<int:claim_id>")
@signed_in
def show(claim_id: int) -> str:
    """One claim: amounts, proof files, timeline and the next actions."""
    return _page(get_scoped_or_404(db.session(), Claim, claim_id))


@bp.route("/claims/<int:claim_id>/edit", methods=["GET", "POST"])
@partner_users
def edit(claim_id: int) -> str | Response:
    """Change a draft claim, or one sent back for changes."""
    session = db.session()
    claim = get_scoped_or_404(session, Claim, claim_id)
    form = in_currency(ClaimForm(obj=claim), claim.currency)
    del form.invoice
    if form.validate_on_submit():
        try:
            claim_services.update_claim(
                session,
                current_user,
                claim.id,
                actual_cost=form.actual_cost.data,
                claimed_amount=form.claimed_amount.data,
                notes=form.notes.data or "",
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            flash("Claim saved.", "success")
            return redirect(url_for("mdf.claims.show", claim_id=claim.id))
    unclaimed = claim_services.unclaimed(session, claim.fund_request, claim.id)
    return render_template(
        "mdf/claim_form.html",
        form=form,
        fund_request=claim.fund_request,
        claim=claim,
        unclaimed=unclaimed,
    )


@bp.route("/claims/<int:claim_id>/proofs", methods=["POST"])
@partner_users
def upload(claim_id: int) -> str | Response:
    """Add a proof-of-performance file."""
    session = db.session()
    claim = get_scoped_or_404(session, Claim, claim_id)
    form = ProofForm()
    if form.validate_on_submit():
        data = _read(form.file.data)
        try:
            if data is None:
                raise MdfError("Choose a file to upload.", field="file")
            proof = claim_services.add_proof(
                session,
                get_storage(),
                current_user,
                claim.id,
                form.kind.data,
                form.file.data.filename,
                data,
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            flash(f"{proof.filename} was added.", "success")
            return redirect(url_for("mdf.claims.show", claim_id=claim.id))
    return _page(claim, proof_form=form)


@bp.route("/proofs/<int:proof_id>/delete", methods=["POST"])
@partner_users
def delete_proof(proof_id: int) -> Response:
    """Remove a file from a claim that is still being prepared."""
    session = db.session()
    proof = session.get(ProofFile, proof_id) or abort(404)
    claim = get_scoped_or_404(session, Claim, proof.claim_id)
    try:
        claim_services.remove_proof(session, get_storage(), current_user, proof.id)
    except MdfError as exc:
        fail(exc)
    else:
        flash(f"{proof.filename} was removed.", "success")
    return redirect(url_for("mdf.claims.show", claim_id=claim.id))


@bp.route("/proofs/<int:proof_id>")
@signed_in
def proof(proof_id: int) -> Response:
    """Open a proof file: PDFs and images in the browser, spreadsheets as downloads."""
    session = db.session()
    item = session.get(ProofFile, proof_id) or abort(404)
    get_scoped_or_404(session, Claim, item.claim_id)
    if item.content_type in uploads.INLINE_TYPES:
        # Shown in the browser: always through the app, which sends it with a sandboxing
        # Content-Security-Policy and nosniff (a presigned S3 URL cannot carry those).
        return redirect(sign_download(item.storage_key, item.filename, 300, inline=True))
    return redirect(get_storage().download_url(item.storage_key, item.filename, inline=False))


def _act(claim_id: int, run, done: str) -> Response:
    return act_on(Claim, claim_id, run, done, "mdf.claims.show", "claim_id")


@bp.route("/claims/<int:claim_id>/submit", methods=["POST"])
@partner_users
def submit(claim_id: int) -> Response:
    """Send the claim to finance."""

    def run(claim: Claim) -> None:
        claim_services.submit_claim(db.session(), current_user, claim.id, today())
        notify.claim_submitted(db.session(), claim)

    return _act(claim_id, run, "Claim submitted. Finance will review it.")


@bp.route("/claims/<int:claim_id>/withdraw", methods=["POST"])
@partner_users
def withdraw(claim_id: int) -> Response:
    """Drop a claim that finance has not received."""

    def run(claim: Claim) -> None:
        claim_services.withdraw_claim(db.session(), current_user, claim.id)

    return _act(claim_id, run, "Claim withdrawn.")


@bp.route("/claims/<int:claim_id>/approve", methods=["POST"])
@finance_staff
def approve(claim_id: int) -> str | Response:
    """Approve the claim, possibly for less than claimed."""
    session = db.session()
    claim = get_scoped_or_404(session, Claim, claim_id)
    form = in_currency(ApproveForm(), claim.currency)
    if form.validate_on_submit():
        try:
            claim_services.approve_claim(
                session, current_user, claim.id, form.amount.data, form.comment.data or ""
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            notify.claim_decided(claim)
            flash("Claim approved. Record the payment once it is made.", "success")
            return redirect(url_for("mdf.claims.show", claim_id=claim.id))
    return _page(claim, approve=form)


def _decide(claim_id: int, service, done: str) -> Response:
    comment = ReasonForm().comment.data or ""

    def run(claim: Claim) -> None:
        notify.claim_decided(service(db.session(), current_user, claim.id, comment))

    return _act(claim_id, run, done)


@bp.route("/claims/<int:claim_id>/reject", methods=["POST"])
@finance_staff
def reject(claim_id: int) -> Response:
    """Refuse the claim with a reason."""
    return _decide(claim_id, claim_services.reject_claim, "Claim rejected.")


@bp.route("/claims/<int:claim_id>/send-back", methods=["POST"])
@finance_staff
def send_back(claim_id: int) -> Response:
    """Return the claim to the partner for changes."""
    return _decide(claim_id, claim_services.send_back_claim, "Sent back to the partner.")

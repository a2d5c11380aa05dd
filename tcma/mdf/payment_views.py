"""Finance records payments of approved claims, lists them and exports them as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tcma import db
from tcma.accounts.access import get_scoped_or_404
from tcma.forms import filled
from tcma.mdf import notify, payment_services
from tcma.mdf.forms import PaymentExportForm, PaymentForm
from tcma.mdf.models import Allocation, Claim, FundRequest, Payment
from tcma.mdf.rules import MdfError
from tcma.mdf.web import fail, today
from tcma.pagination import keyset
from tcma.permissions import finance_staff

bp = Blueprint("payments", __name__)


def _filtered(form: PaymentExportForm):
    stmt = select(Payment)
    if form.date_from.data:
        stmt = stmt.where(Payment.paid_on >= form.date_from.data)
    if form.date_to.data:
        stmt = stmt.where(Payment.paid_on <= form.date_to.data)
    return stmt


@bp.route("/payments")
@finance_staff
def index() -> str:
    """Payments recorded, filtered by date, with a link to export them."""
    form = PaymentExportForm(request.args)
    form.validate()
    page = keyset(
        db.session(),
        _filtered(form),
        (Payment.paid_on, Payment.id),
        request.args.get("cursor"),
        loaders=(
            selectinload(Payment.claim).selectinload(Claim.partner),
            selectinload(Payment.claim)
            .selectinload(Claim.fund_request)
            .selectinload(FundRequest.allocation)
            .selectinload(Allocation.budget),
        ),
    )
    return render_template("mdf/payments.html", page=page, form=form)


@bp.route("/payments.csv")
@finance_staff
def export() -> Response:
    """The payments as a CSV download (same date filter as the list)."""
    form = PaymentExportForm(request.args)
    form.validate()
    text = payment_services.payments_csv(db.session(), form.date_from.data, form.date_to.data)
    filename = f"mdf-payments-{today():%Y%m%d}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/claims/<int:claim_id>/pay", methods=["GET", "POST"])
@finance_staff
def record(claim_id: int) -> ResponseReturnValue:
    """Record that an approved claim was paid."""
    session = db.session()
    claim = get_scoped_or_404(session, Claim, claim_id)
    form = PaymentForm()
    if request.method == "GET":
        form.paid_on.data = today()
    if form.validate_on_submit():
        try:
            payment = payment_services.record_payment(
                session,
                current_user,
                claim.id,
                paid_on=filled(form.paid_on.data),
                method=form.method.data,
                reference=filled(form.reference.data),
            )
        except MdfError as exc:
            fail(exc, form)
        else:
            notify.claim_decided(claim, payment)
            flash("Payment recorded.", "success")
            return redirect(url_for("mdf.claims.show", claim_id=claim.id))
    return render_template("mdf/payment_form.html", form=form, claim=claim)

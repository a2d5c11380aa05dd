"""MDF use cases after approval: record payments, release unclaimed money, export payments."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.accounts.models import User
from tcma.db import utcnow
from tcma.mdf import events, ledger, limits, money, rules
from tcma.mdf.claim_services import reserved_by_claim
from tcma.mdf.models import Allocation, Claim, FundRequest, Payment
from tcma.mdf.rules import MdfError

# A spreadsheet runs cells that start with these as formulas; partner-typed titles must not.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def record_payment(
    session: Session,
    actor: User,
    claim_id: int,
    *,
    paid_on: dt.date,
    method: str,
    reference: str,
) -> Payment:
    """Finance records that an approved claim was paid, in full."""
    if method not in rules.PAYMENT_METHODS:
        raise MdfError("Choose a payment method from the list.", field="method")
    if not reference.strip():
        raise MdfError(
            "Enter the payment reference (e.g. the bank transfer id).", field="reference"
        )
    allocation, claim = ledger.lock_with_allocation(session, Claim, claim_id)
    from_state = claim.status
    new_state = rules.claim_transition(from_state, "pay")
    amount = claim.approved_amount or money.ZERO
    limits.ensure_can_pay(ledger.balance(session, allocation.id), amount, claim.currency)
    ledger.post(
        session,
        allocation,
        money.PAY,
        amount,
        actor_id=actor.id,
        fund_request_id=claim.fund_request_id,
        claim_id=claim.id,
        comment=reference.strip(),
    )
    payment = Payment(
        claim_id=claim.id,
        paid_on=paid_on,
        method=method,
        reference=reference.strip(),
        amount=amount,
        recorded_by_id=actor.id,
    )
    session.add(payment)
    claim.status, claim.paid_at = new_state, utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="mdf.claim_paid",
        object_type="claim",
        object_id=claim.id,
        partner_id=claim.partner_id,
        from_state=from_state,
        to_state=claim.status,
        amount=amount,
        currency=claim.currency,
        comment=f"{rules.PAYMENT_METHODS[method]} {reference.strip()} on {paid_on:%d %b %Y}",
    )
    events.claim_paid(session, claim, payment)
    return payment


@dataclass(frozen=True)
class Release:
    """Money given back to an allocation because a request's claim window closed."""

    fund_request_id: int
    amount: Decimal
    currency: str


def release_expired(session: Session, today: dt.date, actor: User | None = None) -> list[Release]:
    """Release what no live claim holds on approved requests whose claim window has closed."""
    due = select(FundRequest.id).where(
        FundRequest.status == rules.APPROVED, FundRequest.claim_due_on < today
    )
    released = []
    for request_id in list(session.scalars(due.order_by(FundRequest.id))):
        allocation_id = session.get_one(FundRequest, request_id).allocation_id
        allocation = ledger.lock(session, Allocation, allocation_id)
        request = ledger.lock(session, FundRequest, request_id)
        committed, _ = ledger.request_sums(session, request.id)
        # Approved claims not yet paid and claims still under review keep their money.
        held = sum(
            (reserved_by_claim(c) for c in request.claims if c.status != rules.PAID), money.ZERO
        )
        remainder = committed - held
        if remainder <= 0:
            continue
        ledger.post(
            session,
            allocation,
            money.RELEASE,
            -remainder,
            actor_id=actor.id if actor else None,
            fund_request_id=request.id,
            comment=f"claim window closed on {request.claim_due_on:%d %b %Y}",
        )
        audit.record(
            session,
            actor_id=actor.id if actor else None,
            action="mdf.request_unclaimed_released",
            object_type="fund_request",
            object_id=request.id,
            partner_id=request.partner_id,
            from_state=request.status,
            to_state=request.status,
            amount=remainder,
            currency=request.currency,
            comment=f"Claim window closed on {request.claim_due_on:%d %b %Y}",
        )
        released.append(Release(request.id, remainder, request.currency))
    session.flush()
    return released


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


PAYMENT_COLUMNS = (
    "payment_id",
    "paid_on",
    "partner",
    "partner_id",
    "claim_id",
    "fund_request_id",
    "activity",
    "amount",
    "currency",
    "method",
    "reference",
    "recorded_by",
    "recorded_at",
)


def payments_csv(
    session: Session, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> str:
    """Payments as CSV for the accounts-payable system, oldest first."""
    stmt = select(Payment).join(Payment.claim).order_by(Payment.paid_on, Payment.id)
    if date_from:
        stmt = stmt.where(Payment.paid_on >= date_from)
    if date_to:
        stmt = stmt.where(Payment.paid_on <= date_to)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PAYMENT_COLUMNS)
    for payment in session.scalars(stmt):
        claim = payment.claim
        writer.writerow(
            [
                payment.id,
                payment.paid_on.isoformat(),
                _cell(claim.partner.name),
                claim.partner_id,
                claim.id,
                claim.fund_request_id,
                _cell(claim.fund_request.title),
                f"{payment.amount:.2f}",
                claim.currency,
                payment.method,
                _cell(payment.reference),
                _cell(payment.recorded_by.email if payment.recorded_by else ""),
                payment.recorded_at.isoformat(timespec="seconds"),
            ]
        )
    return out.getvalue()

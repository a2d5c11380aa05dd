"""Emails to the right people at each MDF step, sent by a worker after the step commits.

Nothing is sent from inside the request (or its row locks): each message is queued with
``queue_mail`` and goes out once the transaction has committed; a rolled-back step sends
nothing, and SMTP failures are retried by the job, never undoing the step.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import db
from tcma.accounts import rules as account_rules
from tcma.accounts.models import User
from tcma.mail import MailError, queue_mail
from tcma.mdf.models import Claim, FundRequest, Payment
from tcma.mdf.money import format_money
from tcma.mdf.rules import PAYMENT_METHODS, STATE_LABELS
from tcma.urls import external_url

log = logging.getLogger(__name__)


def _emails(session: Session, role: str, except_id: int | None = None) -> list[str]:
    stmt = select(User.email).where(User.role == role, User.status == "active")
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    return list(session.scalars(stmt.order_by(User.email)))


def _send(to: list[str], subject: str, lines: list[str]) -> None:
    if not to:
        return
    try:
        queue_mail(db.session(), to, subject, "\n".join(lines) + "\n")
    except MailError:
        # A message that cannot even be built is logged; it never fails the money step.
        log.exception("could not queue %r to %s", subject, ", ".join(to))


def _request_lines(request: FundRequest) -> list[str]:
    return [
        f"Partner: {request.partner.name}",
        f"Activity: {request.title} ({request.activity_label}), "
        f"{request.start_date:%d %b %Y} – {request.end_date:%d %b %Y}",
        f"Requested: {format_money(request.requested_amount, request.currency)} "
        f"of {format_money(request.total_cost, request.currency)} total cost",
    ]


def request_submitted(session: Session, request: FundRequest) -> None:
    """Marketers learn that a request waits for their decision."""
    url = external_url("mdf.requests.show", request_id=request.id)
    _send(
        _emails(session, account_rules.MARKETER),
        f"Fund request to review: {request.partner.name} – {request.title}",
        [*_request_lines(request), "", f"Review it: {url}"],
    )


def request_needs_second_approval(session: Session, request: FundRequest, first: User) -> None:
    """Other marketers learn that a large request needs a second approver."""
    url = external_url("mdf.requests.show", request_id=request.id)
    _send(
        _emails(session, account_rules.MARKETER, except_id=first.id),
        f"Second approval needed: {request.partner.name} – {request.title}",
        [
            *_request_lines(request),
            f"{first.display_name} approved it; above the four-eyes threshold a second "
            "approver must decide.",
            "",
            f"Review it: {url}",
        ],
    )


def request_decided(request: FundRequest) -> None:
    """The partner user who wrote the request learns the decision."""
    if request.created_by is None:
        return
    state = STATE_LABELS[request.status].lower()
    lines = [*_request_lines(request), f"Decision: {state}"]
    if request.approved_amount is not None and request.status == "approved":
        lines.append(f"Approved: {format_money(request.approved_amount, request.currency)}")
        lines.append(f"Claim with proof of performance by {request.claim_due_on:%d %B %Y}.")
    if request.decision_comment:
        lines.append(f"Comment: {request.decision_comment}")
    url = external_url("mdf.requests.show", request_id=request.id)
    _send(
        [request.created_by.email],
        f"Your fund request was {state}: {request.title}",
        [*lines, "", f"Open it: {url}"],
    )


def claim_submitted(session: Session, claim: Claim) -> None:
    """Finance learns that a claim waits for review."""
    url = external_url("mdf.claims.show", claim_id=claim.id)
    _send(
        _emails(session, account_rules.FINANCE),
        f"Claim to review: {claim.partner.name} – {claim.fund_request.title}",
        [
            f"Partner: {claim.partner.name}",
            f"Claimed: {format_money(claim.claimed_amount, claim.currency)} "
            f"of {format_money(claim.actual_cost, claim.currency)} actual cost",
            f"Proof files: {len(claim.proof_files)}",
            "",
            f"Review it: {url}",
        ],
    )


def claim_decided(claim: Claim, payment: Payment | None = None) -> None:
    """The partner user who filed the claim learns the decision or the payment."""
    if claim.created_by is None:
        return
    state = STATE_LABELS[claim.status].lower()
    lines = [
        f"Activity: {claim.fund_request.title}",
        f"Claimed: {format_money(claim.claimed_amount, claim.currency)}",
        f"Decision: {state}",
    ]
    if claim.approved_amount is not None and claim.status in ("approved", "paid"):
        lines.append(f"Approved: {format_money(claim.approved_amount, claim.currency)}")
    if payment is not None:
        lines.append(
            f"Paid {format_money(payment.amount, claim.currency)} on {payment.paid_on:%d %B %Y} "
            f"by {PAYMENT_METHODS[payment.method].lower()}, reference {payment.reference}"
        )
    if claim.decision_comment and payment is None:
        lines.append(f"Comment: {claim.decision_comment}")
    url = external_url("mdf.claims.show", claim_id=claim.id)
    _send(
        [claim.created_by.email],
        f"Your claim was {state}: {claim.fund_request.title}",
        [*lines, "", f"Open it: {url}"],
    )

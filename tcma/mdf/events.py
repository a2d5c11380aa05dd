"""Webhook events of MDF: payloads are the API's own representation of the object.

Each payload is made only when some endpoint wants the event (emit calls the function).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tcma.mdf.models import Claim, FundRequest, Payment
from tcma.mdf.schemas import ClaimSchema, FundRequestSchema, PaymentSchema
from tcma.webhooks import services as webhooks

_REQUEST, _CLAIM, _PAYMENT = FundRequestSchema(), ClaimSchema(), PaymentSchema()


def fund_request_event(session: Session, event_type: str, request: FundRequest) -> None:
    """fund_request.submitted / approved / rejected, as GET /api/v1/fund-requests/{id}."""
    session.flush()
    data = lambda: {"fund_request": _REQUEST.dump(request)}  # noqa: E731 - made only if wanted
    webhooks.emit(session, event_type, request.partner_id, data)


def claim_event(session: Session, event_type: str, claim: Claim) -> None:
    """claim.submitted / approved, as GET /api/v1/claims/{id} shows the claim."""
    session.flush()
    webhooks.emit(session, event_type, claim.partner_id, lambda: {"claim": _CLAIM.dump(claim)})


def claim_paid(session: Session, claim: Claim, payment: Payment) -> None:
    """claim.paid with the claim and its payment."""
    session.flush()
    webhooks.emit(
        session,
        "claim.paid",
        claim.partner_id,
        lambda: {"claim": _CLAIM.dump(claim), "payment": _PAYMENT.dump(payment)},
    )

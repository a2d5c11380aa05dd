"""Webhook events of mailings: mailing.sent and contact.unsubscribed.

A mailing's payload is what GET /api/v1/mailings/{id} returns; it is made only when some
endpoint wants the event (emit calls the function).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tcma.mailings.models import Delivery, Mailing
from tcma.mailings.schemas import MailingSchema
from tcma.webhooks import services as webhooks

_MAILING = MailingSchema()


def mailing_sent(session: Session, mailing: Mailing, report: Any) -> None:
    """mailing.sent once no message of the mailing waits any more, with its report."""
    session.flush()
    webhooks.emit(
        session,
        "mailing.sent",
        mailing.partner_id,
        lambda: {"mailing": _MAILING.dump(_with_report(mailing, report))},
    )


def _with_report(mailing: Mailing, report: Any) -> dict[str, Any]:
    shown = {key: getattr(mailing, key) for key in _MAILING.fields if key != "report"}
    return {**shown, "report": report}


def contact_unsubscribed(session: Session, mailing: Mailing, delivery: Delivery) -> None:
    """contact.unsubscribed when a recipient's unsubscribe suppresses the address."""
    session.flush()
    data = {
        "email": delivery.email,
        "contact_id": delivery.contact_id,
        "partner_id": mailing.partner_id,
        "mailing_id": mailing.id,
        "unsubscribed_at": _iso(delivery.unsubscribed_at),
    }
    webhooks.emit(session, "contact.unsubscribed", mailing.partner_id, data)


def _iso(moment: Any) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None

"""A mailing's state changes, each with its audit event (one place for every use case)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tcma import audit
from tcma.mailings.models import Mailing
from tcma.mailings.rules import MailingStateError


def transition(
    session: Session,
    mailing: Mailing,
    actor_id: int | None,
    to: str,
    frm: tuple[str, ...],
    *,
    action: str = "",
    comment: str | None = None,
) -> None:
    """Move the mailing from one of ``frm`` to ``to`` and audit it; MailingStateError otherwise."""
    if mailing.status not in frm:
        raise MailingStateError(f"A {mailing.status.replace('_', ' ')} mailing cannot be {to}.")
    audit.record(
        session,
        actor_id=actor_id,
        action=action or f"mailing.{to}",
        object_type="mailing",
        object_id=mailing.id,
        partner_id=mailing.partner_id,
        from_state=mailing.status,
        to_state=to,
        comment=comment,
    )
    mailing.status = to

"""Marketer approval of large mailings: the vendor's threshold, the queue, approve or reject.

A partner's mailing to more recipients than the threshold waits (``awaiting_approval``)
instead of starting; a marketer approves it (it then sends now or at its chosen time) or
rejects it with a reason the partner sees, edits for and sends for approval again. The emails
to marketers and to the partner are queued and go out after the commit.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.accounts import rules as account_rules
from tcma.accounts.models import User
from tcma.db import utcnow
from tcma.mail import MailError, queue_mail
from tcma.mailings import rules
from tcma.mailings.lifecycle import transition
from tcma.mailings.models import Mailing, MailingSettings
from tcma.mailings.rules import MailingError
from tcma.urls import external_url

log = logging.getLogger(__name__)

SETTINGS_ID = 1
MAX_THRESHOLD = 10_000_000
MAX_REASON = 2000
#: From where a partner may ask to send: a draft, a scheduled mailing (a new time, more
#: recipients) or a rejected one they changed.
ASKABLE = (rules.DRAFT, rules.SCHEDULED, rules.REJECTED)


def get_settings(session: Session) -> MailingSettings:
    """The vendor's mailing settings, created empty (no approval) on first use."""
    settings = session.get(MailingSettings, SETTINGS_ID)
    if settings is None:
        settings = MailingSettings(id=SETTINGS_ID, approval_threshold=None)
        session.add(settings)
        session.flush()
    return settings


def update_settings(
    session: Session, actor_id: int | None, approval_threshold: int | None
) -> MailingSettings:
    """Set (or, with None, switch off) the recipient count above which marketers approve."""
    if approval_threshold is not None and not 0 <= approval_threshold <= MAX_THRESHOLD:
        raise MailingError(
            f"Enter a number of recipients from 0 to {MAX_THRESHOLD:,}, or leave it blank.",
            "approval_threshold",
        )
    settings = get_settings(session)
    before = settings.approval_threshold
    settings.approval_threshold = approval_threshold
    settings.updated_at, settings.updated_by_id = utcnow(), actor_id
    audit.record(
        session,
        actor_id=actor_id,
        action="mailing.settings_updated",
        object_type="mailing_settings",
        object_id=settings.id,
        data={"approval_threshold": {"from": before, "to": approval_threshold}},
    )
    session.flush()
    return settings


def needs_approval(session: Session, mailing: Mailing, recipients: int) -> bool:
    """True when sending to ``recipients`` needs a marketer first (more than approved so far)."""
    threshold = get_settings(session).approval_threshold
    if threshold is None or recipients <= threshold:
        return False
    return mailing.approved_recipients is None or recipients > mailing.approved_recipients


def ask(
    session: Session,
    actor_id: int | None,
    mailing: Mailing,
    recipients: int,
    send_at: dt.datetime | None,
    time_zone: str = "UTC",
) -> None:
    """Put the mailing in the marketers' queue; ``send_at`` None means "as soon as approved"."""
    transition(session, mailing, actor_id, rules.AWAITING_APPROVAL, ASKABLE)
    mailing.scheduled_at, mailing.time_zone = send_at, time_zone
    mailing.review_note = ""
    session.flush()
    link = external_url("mailings.review", mailing_id=mailing.id)
    _notify(
        session,
        _reviewers(session),
        f"Mailing to approve: {mailing.name} ({mailing.campaign.partner.name})",
        [
            f"{mailing.campaign.partner.name} wants to send “{mailing.name}” of the campaign "
            f"“{mailing.campaign.name}” to {recipients:,} recipients.",
            f"Review it (preview, approve or reject): {link}",
        ],
    )


def queue_statement() -> Select:
    """The mailings waiting for a marketer (oldest request first is the pager's order)."""
    return select(Mailing).where(Mailing.status == rules.AWAITING_APPROVAL)


def approve(session: Session, actor_id: int | None, mailing: Mailing, recipients: int) -> str:
    """Approve for ``recipients``: sending starts now, or the mailing waits for its time.

    Returns the new status; the caller queues the start job after this (as for "Send now").
    """
    now = utcnow()
    later = mailing.scheduled_at is not None and mailing.scheduled_at > now
    to = rules.SCHEDULED if later else rules.SENDING
    transition(
        session, mailing, actor_id, to, (rules.AWAITING_APPROVAL,), action="mailing.approved"
    )
    mailing.reviewed_by_id, mailing.reviewed_at = actor_id, now
    mailing.approved_recipients, mailing.review_note = recipients, ""
    if not later:
        mailing.scheduled_at = mailing.started_at = now
    session.flush()
    when = "It is being sent now." if not later else "It goes out at the time you chose."
    _notify_partner(session, mailing, f"Mailing approved: {mailing.name}", [when])
    return to


def reject(session: Session, actor_id: int | None, mailing: Mailing, reason: str) -> None:
    """Send the mailing back to the partner with a reason; nothing is sent."""
    reason = "\n".join(
        rules.clean_text(line, MAX_REASON, "The reason", "reason") for line in reason.splitlines()
    ).strip()
    if not reason:
        raise MailingError("Say why, so the partner knows what to change.", "reason")
    if len(reason) > MAX_REASON:
        raise MailingError(f"The reason is longer than {MAX_REASON} characters.", "reason")
    transition(
        session,
        mailing,
        actor_id,
        rules.REJECTED,
        (rules.AWAITING_APPROVAL,),
        comment=reason,
    )
    mailing.reviewed_by_id, mailing.reviewed_at = actor_id, utcnow()
    mailing.review_note, mailing.scheduled_at = reason, None
    session.flush()
    _notify_partner(
        session,
        mailing,
        f"Mailing not approved: {mailing.name}",
        [f"Reason: {reason}", "Change the mailing and send it for approval again."],
    )


def _reviewers(session: Session) -> list[str]:
    """The active marketers, or the admins when the program has no marketer."""
    for role in (account_rules.MARKETER, account_rules.ADMIN):
        stmt = select(User.email).where(User.role == role, User.status == "active")
        emails = list(session.scalars(stmt.order_by(User.email)))
        if emails:
            return emails
    return []


def _notify_partner(session: Session, mailing: Mailing, subject: str, lines: list[str]) -> None:
    user = session.get(User, mailing.created_by_id) if mailing.created_by_id else None
    if user is not None and user.status == "active":
        link = external_url("mailings.detail", mailing_id=mailing.id)
        _notify(session, [user.email], subject, [*lines, f"The mailing: {link}"])


def _notify(session: Session, to: list[str], subject: str, lines: list[str]) -> None:
    if not to:
        return
    try:
        # Sent by a worker once the transaction has committed; a rollback sends nothing.
        queue_mail(session, to, subject, "\n\n".join(lines) + "\n")
    except MailError:
        log.exception("could not queue %r", subject)

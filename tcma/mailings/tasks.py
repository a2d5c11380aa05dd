"""Mailing jobs: start a mailing, send its deliveries in batches over one SMTP connection.

Exactly once per recipient: a delivery is claimed (pending → sending) and committed before
its SMTP conversation, and marked sent right after, so a job that runs twice skips what was
claimed. A worker killed during the conversation leaves that one delivery "sending": it is
reported as unconfirmed and never sent again (a duplicate is worse than a gap).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tcma import jobs
from tcma.db import utcnow
from tcma.jobs import effects
from tcma.mail import EXTENSION_KEY, Mailer, RawSender
from tcma.mailings import contacts, engagement, rules, services
from tcma.mailings.message import Content, DkimKey, Sender, build_message, signed_bytes
from tcma.mailings.models import Contact, Delivery, Mailing
from tcma.mailings.rules import MailingError
from tcma.storage import get_storage

log = logging.getLogger(__name__)


@jobs.task("mailings.start", retries=3, retry_delay=60, retry_backoff=2)
def start_mailing(session: Session, mailing_id: int) -> None:
    """Start a due mailing: freeze its content, write its deliveries, queue the batches."""
    if services.begin_due(session, mailing_id, utcnow()):
        session.commit()
    mailing = session.get(Mailing, mailing_id)
    if mailing is None or mailing.status != rules.SENDING:
        return  # canceled, not yet due, or finished: nothing to do
    try:
        pending = services.freeze_and_prepare(session, get_storage(), mailing)
    except MailingError as exc:
        log.error("mailing %s cannot start: %s", mailing_id, exc.message)
        raise
    size = current_app.config["MAILING_BATCH_SIZE"]
    for start in range(0, len(pending), size):
        jobs.enqueue(session, send_batch, mailing_id, pending[start : start + size])
    services.finish_if_done(session, mailing)


@jobs.periodic(jobs.crontab(minute="*"), name="mailings.start_due")
def start_due_mailings(session: Session) -> None:
    """Every minute: start the scheduled mailings whose time has come."""
    due = session.scalars(
        select(Mailing.id).where(
            Mailing.status == rules.SCHEDULED, Mailing.scheduled_at <= utcnow()
        )
    )
    for mailing_id in due:
        jobs.enqueue(session, start_mailing, mailing_id)


def _claim(session: Session, delivery_id: int, now: dt.datetime) -> bool:
    claimed = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.state.in_((rules.PENDING, rules.DEFERRED)),
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        )
        .values(state=rules.CLAIMED, attempts=Delivery.attempts + 1)
    )
    session.commit()  # visible to every other worker before the message goes out
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def _answer(exc: smtplib.SMTPException, recipient: str) -> tuple[int, str]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = exc.recipients.get(recipient, (550, b"refused"))
        return code, _text(text)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code, _text(exc.smtp_error)
    return 451, str(exc)  # disconnected and the like: try again later


@dataclass(frozen=True)
class _Recipient:
    delivery_id: int
    email: str
    attempts: int  # after this try
    merge: dict[str, str]


@dataclass(frozen=True)
class _Batch:
    """What every message of a batch shares, read once."""

    mailing: Mailing
    content: Content
    sender: Sender
    key: DkimKey | None


def _deliver(session: Session, send: RawSender, batch: _Batch, person: _Recipient) -> bool:
    """Send one claimed delivery and record the outcome; False when the connection broke."""
    mailing, sender = batch.mailing, batch.sender
    message = build_message(
        batch.content,
        sender,
        person.email,
        rules.render_greeting(mailing.greeting, person.merge),
        services.unsubscribe_url(person.delivery_id),
        services.message_id(mailing, person.delivery_id, sender.domain),
        tracked=services.tracked_links(mailing, batch.content, person.delivery_id),
        open_pixel=engagement.open_pixel_url(mailing, person.delivery_id),
    )
    data = signed_bytes(message, sender.domain, batch.key)
    outcome: dict[str, object]
    try:
        send(services.return_path(person.delivery_id, sender.domain), person.email, data)
    except smtplib.SMTPServerDisconnected as exc:
        _record(session, person, _deferred(person, 421, f"connection lost: {exc}"))
        return False
    except smtplib.SMTPException as exc:  # an answer from the server (a subclass of OSError)
        code, answer = _answer(exc, person.email)
        if rules.is_temporary(code):
            outcome = _deferred(person, code, answer)
        else:
            outcome = {"state": rules.FAILED, "smtp_answer": f"{code} {answer}"}
            contacts.suppress(session, mailing.partner_id, person.email, rules.BOUNCED, mailing.id)
    except OSError as exc:  # the network, not the server, failed
        _record(session, person, _deferred(person, 421, f"connection lost: {exc}"))
        return False
    else:
        outcome = {"state": rules.DELIVERED, "sent_at": utcnow(), "smtp_answer": ""}
    _record(session, person, outcome)
    return True


def _record(session: Session, person: _Recipient, values: dict[str, object]) -> None:
    session.execute(update(Delivery).where(Delivery.id == person.delivery_id).values(**values))
    session.commit()


def _deferred(person: _Recipient, code: int, answer: str) -> dict[str, object]:
    if person.attempts >= rules.MAX_ATTEMPTS:
        return {"state": rules.FAILED, "smtp_answer": f"{code} {answer}"}
    delay = dt.timedelta(seconds=rules.retry_delay(person.attempts))
    return {
        "state": rules.DEFERRED,
        "smtp_answer": f"{code} {answer}",
        "next_attempt_at": utcnow() + delay,
    }


def _recipients(session: Session, delivery_ids: list[int]) -> list[_Recipient]:
    merge_columns = [getattr(Contact, key) for key in rules.MERGE_FIELDS]
    rows = session.execute(
        select(Delivery.id, Delivery.email, Delivery.attempts, *merge_columns)
        .outerjoin(Contact, Contact.id == Delivery.contact_id)
        .where(Delivery.id.in_(delivery_ids))
        .order_by(Delivery.id)
    )
    return [
        _Recipient(row[0], row[1], row[2] + 1, dict(zip(rules.MERGE_FIELDS, row[3:], strict=True)))
        for row in rows
    ]


@jobs.task("mailings.send_batch", retries=5, retry_delay=60, retry_backoff=2)
def send_batch(session: Session, mailing_id: int, delivery_ids: list[int]) -> None:
    """Send a batch of deliveries over one SMTP connection; retry the deferred ones later.

    Suppressions are read when the batch starts (an unsubscribe during the batch's few
    seconds applies from the next batch on).
    """
    mailing = session.get(Mailing, mailing_id)
    if mailing is None or mailing.status != rules.SENDING:
        return
    batch = _Batch(
        mailing,
        services.content_of(session, get_storage(), mailing),
        services.sender_of(session, mailing),
        services.dkim_key(),
    )
    people = _recipients(session, delivery_ids)
    suppressed = contacts.suppressed_emails(session, mailing.partner_id, [p.email for p in people])
    mailer: Mailer = current_app.extensions[EXTENSION_KEY]
    with mailer.connection() as send:
        for person in people:
            if not _claim(session, person.delivery_id, utcnow()):
                continue  # sent, being sent, or not due: another run has it
            if person.email in suppressed:
                _record(session, person, {"state": rules.SKIPPED})
                continue
            if not _deliver(session, send, batch, person):
                break  # the rest of the batch waits for the retry below
    _retry_later(session, mailing, delivery_ids)
    services.finish_if_done(session, mailing)


def _retry_later(session: Session, mailing: Mailing, delivery_ids: list[int]) -> None:
    """Queue the batch's deferred (and, after a lost connection, unsent) deliveries again."""
    rows = session.execute(
        select(Delivery.id, Delivery.next_attempt_at).where(
            Delivery.id.in_(delivery_ids),
            Delivery.state.in_((rules.DEFERRED, rules.PENDING)),
        )
    ).all()
    if rows:
        times = [row.next_attempt_at for row in rows if row.next_attempt_at]
        due = min(times) if times else utcnow() + dt.timedelta(seconds=rules.RETRY_BASE_SECONDS)
        delay = max(1, int((due - utcnow()).total_seconds()) + 1)
        jobs.enqueue(session, send_batch, mailing.id, [row.id for row in rows], delay=delay)


@jobs.task("mailings.send_test", retries=3, retry_delay=30, retry_backoff=2)
def send_test(session: Session, mailing_id: int, contact_id: int | None, to: str, key: str) -> None:
    """A test copy, as one contact would see it, to the person who asked (once per key)."""
    mailing = session.get(Mailing, mailing_id)
    if mailing is None:
        return
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact is not None and contact.partner_id != mailing.partner_id:
        contact = None
    content = services.content_of(session, get_storage(), mailing)
    sender = services.sender_of(session, mailing)
    values = {k: getattr(contact, k) for k in rules.MERGE_FIELDS} if contact else {}
    message = build_message(
        content,
        sender,
        to,
        rules.render_greeting(mailing.greeting, values),
        services.unsubscribe_url(0),  # a test message unsubscribes nobody
        f"<mailing-{mailing.id}-test-{key}@{sender.domain}>",
        subject_prefix="[Test] ",
    )
    data = signed_bytes(message, sender.domain, services.dkim_key())
    mailer: Mailer = current_app.extensions[EXTENSION_KEY]
    session.commit()  # once() uses sessions of its own

    def deliver() -> None:
        with mailer.connection() as send:
            send(sender.envelope, to, data)

    effects.once(f"mailing-test:{key}", deliver)

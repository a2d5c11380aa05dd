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

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tcma import jobs
from tcma.db import utcnow
from tcma.jobs import effects
from tcma.mail import EXTENSION_KEY, Mailer, RawSender
from tcma.mailings import contacts, rules, services
from tcma.mailings.message import Content, build_message, signed_bytes
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


def _deliver(
    session: Session,
    send: RawSender,
    mailing: Mailing,
    content: Content,
    delivery: Delivery,
    contact: Contact | None,
) -> bool:
    """Send one claimed delivery and record the outcome; False when the connection broke."""
    sender = services.sender_of(session, mailing)
    values = {key: getattr(contact, key) for key in rules.MERGE_FIELDS} if contact else {}
    message = build_message(
        content,
        sender,
        delivery.email,
        rules.render_greeting(mailing.greeting, values),
        services.unsubscribe_url(delivery.id),
        services.message_id(mailing, delivery.id, sender.domain),
    )
    data = signed_bytes(message, sender.domain, services.dkim_key())
    try:
        send(services.return_path(delivery.id, sender.domain), delivery.email, data)
    except smtplib.SMTPServerDisconnected as exc:
        _defer(delivery, 421, f"connection lost: {exc}")
        session.commit()
        return False
    except smtplib.SMTPException as exc:  # an answer from the server (a subclass of OSError)
        code, text = _answer(exc, delivery.email)
        if rules.is_temporary(code):
            _defer(delivery, code, text)
        else:
            delivery.state, delivery.smtp_answer = rules.FAILED, f"{code} {text}"
            contacts.suppress(
                session, mailing.partner_id, delivery.email, rules.BOUNCED, mailing.id
            )
    except OSError as exc:  # the network, not the server, failed
        _defer(delivery, 421, f"connection lost: {exc}")
        session.commit()
        return False
    else:
        delivery.state, delivery.sent_at, delivery.smtp_answer = rules.DELIVERED, utcnow(), ""
    session.commit()
    return True


def _defer(delivery: Delivery, code: int, text: str) -> None:
    delivery.smtp_answer = f"{code} {text}"
    if delivery.attempts >= rules.MAX_ATTEMPTS:
        delivery.state = rules.FAILED
        return
    delivery.state = rules.DEFERRED
    delivery.next_attempt_at = utcnow() + dt.timedelta(seconds=rules.retry_delay(delivery.attempts))


@jobs.task("mailings.send_batch", retries=5, retry_delay=60, retry_backoff=2)
def send_batch(session: Session, mailing_id: int, delivery_ids: list[int]) -> None:
    """Send a batch of deliveries over one SMTP connection; retry the deferred ones later."""
    mailing = session.get(Mailing, mailing_id)
    if mailing is None or mailing.status != rules.SENDING:
        return
    content = services.content_of(session, get_storage(), mailing)
    mailer: Mailer = current_app.extensions[EXTENSION_KEY]
    with mailer.connection() as send:
        for delivery_id in delivery_ids:
            if not _claim(session, delivery_id, utcnow()):
                continue  # sent, being sent, or not due: another run has it
            delivery = session.get(Delivery, delivery_id)
            if delivery is None:
                continue
            if contacts.is_suppressed(session, mailing.partner_id, delivery.email):
                delivery.state = rules.SKIPPED
                session.commit()
                continue
            contact = session.get(Contact, delivery.contact_id) if delivery.contact_id else None
            if not _deliver(session, send, mailing, content, delivery, contact):
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

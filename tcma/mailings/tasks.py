"""Mailing jobs: start a mailing, send its deliveries in batches (tcma.mailings.sending).

Exactly once per recipient: deliveries are claimed (pending → sending) and committed before
their SMTP conversations, so a job that runs twice skips what was claimed; see sending.py for
what a killed worker leaves behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tcma import jobs
from tcma.db import utcnow
from tcma.jobs import effects
from tcma.mail import EXTENSION_KEY, Mailer
from tcma.mailings import rules, sending, services
from tcma.mailings.message import build_message, signed_bytes
from tcma.mailings.models import Contact, Delivery, Mailing
from tcma.mailings.rules import MailingError
from tcma.storage import get_storage

log = logging.getLogger(__name__)


def queue_start(session: Session, mailing: Mailing) -> None:
    """Queue the job that starts the mailing, now or at its scheduled time, after the commit.

    A mailing left awaiting a marketer's approval queues nothing: approving it does.
    """
    if mailing.status == rules.SENDING:
        jobs.enqueue(session, start_mailing, mailing.id)
    elif mailing.status == rules.SCHEDULED and mailing.scheduled_at is not None:
        delay = max(1, int((mailing.scheduled_at - utcnow()).total_seconds()) + 1)
        jobs.enqueue(session, start_mailing, mailing.id, delay=delay)


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
    _queue_batches(session, mailing_id, pending)
    sending.note_progress(mailing_id)
    services.finish_if_done(session, mailing)


def _queue_batches(session: Session, mailing_id: int, delivery_ids: list[int]) -> None:
    size = current_app.config["MAILING_BATCH_SIZE"]
    for start in range(0, len(delivery_ids), size):
        jobs.enqueue(session, send_batch, mailing_id, delivery_ids[start : start + size])


@jobs.periodic(jobs.crontab(minute="*"), name="mailings.start_due")
def start_due_mailings(session: Session) -> None:
    """Every minute: start the scheduled mailings whose time has come, resume stalled ones."""
    due = session.scalars(
        select(Mailing.id).where(
            Mailing.status == rules.SCHEDULED, Mailing.scheduled_at <= utcnow()
        )
    )
    for mailing_id in due:
        jobs.enqueue(session, start_mailing, mailing_id)
    resume_stalled_mailings(session)


def resume_stalled_mailings(session: Session) -> None:
    """Queue again the due deliveries of sending mailings whose batches stopped moving.

    A worker killed during a batch takes the batch's job with it; its claimed window stays
    unconfirmed (never resent), the rest waits here. A batch queued twice sends nothing
    twice (claims are atomic), so resuming a mailing that was only slow costs no duplicate.
    """
    stall = current_app.config["MAILING_STALL_SECONDS"]
    sending_now = session.scalars(select(Mailing.id).where(Mailing.status == rules.SENDING))
    for mailing_id in list(sending_now):
        if not sending.stalled(mailing_id, stall):
            continue
        waiting = list(
            session.scalars(
                select(Delivery.id)
                .where(
                    Delivery.mailing_id == mailing_id,
                    Delivery.state.in_((rules.PENDING, rules.DEFERRED)),
                    or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= utcnow()),
                )
                .order_by(Delivery.id)
            )
        )
        if waiting:
            log.warning("mailing %s stalled: %s deliveries queued again", mailing_id, len(waiting))
            _queue_batches(session, mailing_id, waiting)
        sending.note_progress(mailing_id)


@jobs.task("mailings.send_batch", retries=5, retry_delay=60, retry_backoff=2)
def send_batch(session: Session, mailing_id: int, delivery_ids: list[int]) -> None:
    """Send a batch of deliveries over one SMTP connection; the rest and the deferred later."""
    mailing = session.get(Mailing, mailing_id)
    if mailing is None or mailing.status != rules.SENDING:
        return
    leftover = sending.send_deliveries(session, mailing, delivery_ids)
    if leftover.delivery_ids:  # over the sending rate, or no SMTP connection to be had
        delay = max(1, math.ceil(leftover.delay))
        jobs.enqueue(session, send_batch, mailing_id, leftover.delivery_ids, delay=delay)
    waiting = set(leftover.delivery_ids)
    _retry_later(session, mailing, [i for i in delivery_ids if i not in waiting])
    services.finish_if_done(session, mailing)


def _retry_later(session: Session, mailing: Mailing, delivery_ids: list[int]) -> None:
    """Queue the batch's deferred deliveries again for when the first of them is due."""
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

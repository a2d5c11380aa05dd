"""Sending one batch of a mailing: claim a window, send it over one connection, record it.

Exactly once per recipient: a window of at most ``MAILING_WINDOW`` deliveries is claimed
(pending → sending) in one UPDATE and committed before any of them goes out; their outcomes
are written together once the window is done. A worker killed in between leaves that window
"sending": shown as not confirmed and never sent again (a duplicate is worse than a gap), so
at most one window of recipients may miss the mailing. Smaller windows lose less on a crash
and cost more commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field

from flask import current_app
from huey.constants import EmptyData
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tcma import jobs
from tcma.campaigns.rendering import public_url
from tcma.db import utcnow
from tcma.mail import EXTENSION_KEY, DeliveryUncertain, Mailer, MailError, RawSender
from tcma.mailings import contacts, engagement, rules, services
from tcma.mailings.composer import Composer, Recipient
from tcma.mailings.models import Contact, Delivery, Mailing
from tcma.mailings.throttle import Grant, Throttle
from tcma.storage import get_storage

log = logging.getLogger(__name__)

#: Connections a batch may open after the first one broke, before it waits for a retry.
RECONNECTS = 2


@dataclass(frozen=True)
class _Person:
    delivery_id: int
    email: str
    merge: dict[str, str]


@dataclass
class Leftover:
    """Deliveries of a batch not tried now, and how long they should wait."""

    delivery_ids: list[int] = field(default_factory=list)
    delay: float = 0.0


def _url_maker(endpoint: str) -> Callable[[str], str]:
    """token → the endpoint's public URL, built once (url_for per message costs too much)."""
    mark = "TOKEN0MARK"
    head, tail = public_url(endpoint, token=mark).split(mark)
    return lambda token: head + token + tail


def _people(session: Session, delivery_ids: list[int]) -> list[_Person]:
    merge_columns = [getattr(Contact, key) for key in rules.MERGE_FIELDS]
    rows = session.execute(
        select(Delivery.id, Delivery.email, *merge_columns)
        .outerjoin(Contact, Contact.id == Delivery.contact_id)
        .where(
            Delivery.id.in_(delivery_ids),
            Delivery.state.in_((rules.PENDING, rules.DEFERRED)),
        )
        .order_by(Delivery.id)
    )
    return [
        _Person(row[0], row[1], dict(zip(rules.MERGE_FIELDS, row[2:], strict=True))) for row in rows
    ]


def _claim(session: Session, delivery_ids: list[int]) -> dict[int, int]:
    """Claim the due ones of ``delivery_ids``, committed; {delivery id: attempts so far}."""
    now = utcnow()
    rows = session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(delivery_ids),
            Delivery.state.in_((rules.PENDING, rules.DEFERRED)),
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        )
        .values(state=rules.CLAIMED)
        .returning(Delivery.id, Delivery.attempts),
        execution_options={"synchronize_session": False},
    ).all()
    session.commit()  # visible to every other worker before any message goes out
    return {row[0]: row[1] for row in rows}


class _Window:
    """The outcomes of one claimed window, written in a few statements."""

    def __init__(self, attempts: dict[int, int]) -> None:
        self.attempts = attempts
        self.delivered: list[int] = []
        self.other: dict[int, dict[str, object]] = {}
        self.refused: list[str] = []

    def deferred(self, delivery_id: int, code: int, answer: str) -> None:
        tries = self.attempts[delivery_id] + 1
        if tries >= rules.MAX_ATTEMPTS:
            self.failed(delivery_id, f"{code} {answer}")
            return
        delay = dt.timedelta(seconds=rules.retry_delay(tries))
        self.other[delivery_id] = {
            "state": rules.DEFERRED,
            "attempts": tries,
            "smtp_answer": f"{code} {answer}",
            "next_attempt_at": utcnow() + delay,
        }

    def failed(self, delivery_id: int, answer: str, refused: str = "") -> None:
        """A final failure; ``refused``: the address the server refused for good (suppressed)."""
        tries = self.attempts[delivery_id] + 1
        self.other[delivery_id] = {"state": rules.FAILED, "attempts": tries, "smtp_answer": answer}
        if refused:
            self.refused.append(refused)

    def record(self, session: Session, mailing: Mailing) -> None:
        """Write every outcome (unconfirmed ones stay "sending") and commit."""
        for email in self.refused:  # a permanent refusal (5xx) suppresses the address
            contacts.suppress(session, mailing.partner_id, email, rules.BOUNCED, mailing.id)
        if self.delivered:  # one executemany (bulk UPDATE by primary key)
            now = utcnow()
            session.execute(
                update(Delivery),
                [
                    {
                        "id": i,
                        "state": rules.DELIVERED,
                        "sent_at": now,
                        "smtp_answer": "",
                        "attempts": self.attempts[i] + 1,
                    }
                    for i in self.delivered
                ],
            )
        for delivery_id, values in self.other.items():
            session.execute(
                update(Delivery).where(Delivery.id == delivery_id).values(**values),
                execution_options={"synchronize_session": False},
            )
        session.commit()


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def _answer(exc: smtplib.SMTPException, recipient: str) -> tuple[int, str]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = exc.recipients.get(recipient, (550, b"refused"))
        return code, _text(text)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code, _text(exc.smtp_error)
    return 451, str(exc)


class _Connection:
    """One SMTP connection for the batch, opened when first needed, reopened after a drop."""

    def __init__(self, mailer: Mailer, stack: ExitStack) -> None:
        self.mailer, self.stack, self.opened = mailer, stack, 0
        self.send: RawSender | None = None

    def get(self) -> RawSender | None:
        if self.send is None and self.opened <= RECONNECTS:
            self.opened += 1
            try:
                self.send = self.stack.enter_context(self.mailer.connection())
            except (smtplib.SMTPException, OSError) as exc:
                log.warning("SMTP connection failed: %s", exc)
        return self.send

    def broke(self) -> None:
        self.send = None


def send_deliveries(session: Session, mailing: Mailing, delivery_ids: list[int]) -> Leftover:
    """Send the due ones of ``delivery_ids``; returns what must wait (rate, lost connection)."""
    content = services.content_of(session, get_storage(), mailing)
    sender = services.sender_of(session, mailing)
    composer = Composer(content, sender, services.dkim_key())
    secret = current_app.config["SECRET_KEY"]
    unsubscribe_url, click_url = _url_maker("unsubscribe.page"), _url_maker("track.click")
    people = _people(session, delivery_ids)
    # Suppressions are read when the batch starts: an unsubscribe during its few seconds
    # applies from the next batch on.
    suppressed = contacts.suppressed_emails(session, mailing.partner_id, [p.email for p in people])
    session.commit()  # no lock held while talking to the SMTP server
    throttle = Throttle.of(current_app._get_current_object())  # type: ignore[attr-defined]
    size = current_app.config["MAILING_WINDOW"]
    mailer: Mailer = current_app.extensions[EXTENSION_KEY]

    def message(person: _Person) -> tuple[str, bytes]:
        envelope = services.return_path(person.delivery_id, sender.domain)
        return envelope, composer.compose(
            Recipient(
                to=person.email,
                greeting=rules.render_greeting(mailing.greeting, person.merge),
                unsubscribe_url=unsubscribe_url(
                    rules.unsubscribe_token(secret, person.delivery_id)
                ),
                message_id=services.message_id(mailing, person.delivery_id, sender.domain),
                tracked=tuple(
                    click_url(rules.click_token(secret, mailing.id, person.delivery_id, n))
                    for n in range(len(composer.links))
                ),
                open_pixel=engagement.open_pixel_url(mailing, person.delivery_id),
            )
        )

    with ExitStack() as stack:
        connection = _Connection(mailer, stack)
        for start in range(0, len(people), size):
            window = people[start : start + size]
            grant = throttle.take(mailing.partner_id, len(window))
            if grant.count < len(window):
                later = [p.delivery_id for p in people[start + grant.count :]]
                if not grant.count:
                    return Leftover(later, throttle.seconds_to_next_window())
            attempts = _claim(session, [p.delivery_id for p in window[: grant.count]])
            throttle.give_back(Grant(grant.count - len(attempts), grant.keys))
            outcome = _Window(attempts)
            stopped = _send_window(connection, outcome, window, attempts, suppressed, message)
            outcome.record(session, mailing)
            note_progress(mailing.id)
            if stopped:
                rest = [p.delivery_id for p in people[start:] if p.delivery_id not in attempts]
                return Leftover(rest + stopped, rules.RETRY_BASE_SECONDS)
            if grant.count < len(window):
                return Leftover(later, throttle.seconds_to_next_window())
    return Leftover()


def _send_window(
    connection: _Connection,
    outcome: _Window,
    window: list[_Person],
    attempts: dict[int, int],
    suppressed: set[str],
    message: Callable[[_Person], tuple[str, bytes]],
) -> list[int]:
    """Send the claimed people of a window; the claimed ids left unsent when SMTP is gone."""
    claimed = [p for p in window if p.delivery_id in attempts]
    for index, person in enumerate(claimed):
        if person.email in suppressed:
            outcome.other[person.delivery_id] = {"state": rules.SKIPPED}
            continue
        send = connection.get()
        if send is None:  # no connection to be had: these go back to waiting, untried
            unsent = [p.delivery_id for p in claimed[index:]]
            for delivery_id in unsent:
                outcome.other[delivery_id] = {"state": rules.PENDING}
            return unsent
        envelope, data = message(person)
        try:
            send(envelope, person.email, data)
        except DeliveryUncertain as exc:
            # It may have arrived: stays "sending" (unconfirmed), never sent again.
            log.warning("delivery %s unconfirmed: %s", person.delivery_id, exc)
            connection.broke()
        except MailError as exc:  # not handed over (the .eml outbox could not write)
            outcome.deferred(person.delivery_id, 451, str(exc))
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
            code, answer = _answer(exc, person.email)
            if rules.is_temporary(code):
                outcome.deferred(person.delivery_id, code, answer)
            else:
                outcome.failed(person.delivery_id, f"{code} {answer}", person.email)
        except OSError as exc:  # lost before the message went out: safe to try again later
            outcome.deferred(person.delivery_id, 421, f"connection lost: {exc}")
            connection.broke()
        else:
            outcome.delivered.append(person.delivery_id)
    return []


def note_progress(mailing_id: int) -> None:
    """Stamp the mailing as moving, in the queue's storage (seen by every worker)."""
    jobs.get_queue().storage.put_data(f"mail-progress:{mailing_id}", str(time.time()).encode())


def stalled(mailing_id: int, seconds: float) -> bool:
    """True when no batch of the mailing made progress for ``seconds`` (first look: stamps)."""
    stamp = jobs.get_queue().storage.peek_data(f"mail-progress:{mailing_id}")
    if stamp is EmptyData:
        note_progress(mailing_id)  # not seen before: start counting now
        return False
    return time.time() - float(stamp) >= seconds

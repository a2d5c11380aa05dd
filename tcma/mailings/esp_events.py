"""Bounce and complaint events an ESP posts as JSON (POST /mail/events), signed.

The body is one event object or a list of at most MAX_EVENTS of them::

    {"type": "bounce", "bounce_type": "hard", "recipient": "ana@acme.example",
     "return_path": "bounces+12.0123456789abcdef@mail.vendor.example",
     "message_id": "<mailing-3-delivery-12@mail.vendor.example>",
     "diagnostic": "550 5.1.1 user unknown"}

``type`` is ``bounce`` (with ``bounce_type`` ``hard`` or ``soft``) or ``complaint``; the
delivery is found by its VERP ``return_path`` or, failing that, its ``message_id``; when
``recipient`` is given it must be the delivery's address. A hard bounce fails the delivery and
suppresses the address for the mailing's partner, a complaint suppresses it, a soft bounce
changes nothing (the relay retries). Events naming no delivery of tcma are answered and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tcma.mailings import contacts, rules
from tcma.mailings.models import Delivery, Mailing
from tcma.mailings.rules import MailingError

MAX_EVENTS = 100
MAX_TEXT = 500
BOUNCE, COMPLAINT = "bounce", "complaint"
HARD, SOFT = "hard", "soft"
_MESSAGE_ID = re.compile(r"^<?mailing-(\d{1,12})-delivery-(\d{1,12})@[^>\s]+>?$")


@dataclass(frozen=True)
class Event:
    """One checked event."""

    type: str
    bounce_type: str
    recipient: str
    return_path: str
    message_id: str
    diagnostic: str


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MailingError(f"{key} must be a string.", f"{where}{key}")
    if len(value) > MAX_TEXT or rules.has_control(value):
        raise MailingError(
            f"{key} is longer than {MAX_TEXT} characters or holds control characters.",
            f"{where}{key}",
        )
    return value.strip()


def parse_events(body: Any) -> list[Event]:
    """The events of a decoded JSON body; MailingError naming the field that is wrong."""
    items = body if isinstance(body, list) else [body]
    if not items or len(items) > MAX_EVENTS:
        raise MailingError(f"Send 1 to {MAX_EVENTS} events at a time.", "body")
    events = []
    for index, raw in enumerate(items):
        where = f"{index}." if isinstance(body, list) else ""
        if not isinstance(raw, dict):
            raise MailingError("An event is a JSON object.", f"{where}body".rstrip("."))
        kind = _text(raw, "type", where)
        if kind not in (BOUNCE, COMPLAINT):
            raise MailingError('type is "bounce" or "complaint".', f"{where}type")
        bounce_type = _text(raw, "bounce_type", where)
        if kind == BOUNCE and bounce_type not in (HARD, SOFT):
            raise MailingError('bounce_type is "hard" or "soft".', f"{where}bounce_type")
        recipient = _text(raw, "recipient", where)
        if recipient:
            try:
                recipient = rules.normal_email(recipient)
            except MailingError:
                raise MailingError(
                    "recipient is not an email address.", f"{where}recipient"
                ) from None
        event = Event(
            kind,
            bounce_type,
            recipient,
            _text(raw, "return_path", where),
            _text(raw, "message_id", where),
            _text(raw, "diagnostic", where),
        )
        if not event.return_path and not event.message_id:
            raise MailingError("Give return_path or message_id.", f"{where}return_path")
        events.append(event)
    return events


def _delivery_of(session: Session, secret: str, event: Event) -> Delivery | None:
    delivery_id = rules.delivery_of_return_path(secret, event.return_path)
    mailing_id = None
    if delivery_id is None and (match := _MESSAGE_ID.match(event.message_id)):
        mailing_id, delivery_id = int(match.group(1)), int(match.group(2))
    delivery = session.get(Delivery, delivery_id) if delivery_id else None
    if delivery is None or (mailing_id is not None and delivery.mailing_id != mailing_id):
        return None
    return delivery


def handle_event(session: Session, secret: str, event: Event) -> str:
    """Act on one event; what happened, in a few words (the answer lists them)."""
    delivery = _delivery_of(session, secret, event)
    mailing = session.get(Mailing, delivery.mailing_id) if delivery else None
    if delivery is None or mailing is None:
        return "ignored: names no delivery of tcma"
    if event.recipient and event.recipient != delivery.email:
        return f"ignored: the recipient is not the address of delivery {delivery.id}"
    if event.type == COMPLAINT:
        contacts.suppress(session, mailing.partner_id, delivery.email, rules.COMPLAINED, mailing.id)
        return f"complaint: suppressed delivery {delivery.id}"
    if event.bounce_type == SOFT:
        return f"soft bounce of delivery {delivery.id}: nothing to do"
    delivery.state = rules.FAILED
    delivery.smtp_answer = f"bounced (reported by the ESP): {event.diagnostic or 'hard bounce'}"
    contacts.suppress(session, mailing.partner_id, delivery.email, rules.BOUNCED, mailing.id)
    return f"bounce: suppressed delivery {delivery.id}"

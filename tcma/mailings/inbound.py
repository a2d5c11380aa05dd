"""Mail that comes back: bounces (DSNs) to the VERP return path, complaints, mailto unsubscribes.

``tcma mail-inbound`` feeds one message from an MTA pipe to ``handle_message``. A DSN is read
with flufl.bounce: a permanent failure fails the delivery and suppresses the address for its
partner; a temporary one changes nothing (the relay retries). An ARF feedback report
(a complaint) suppresses too. A message to ``unsubscribe@`` carries the token of the
List-Unsubscribe mailto in its subject and unsubscribes like the one-click link.
"""

from __future__ import annotations

import logging
import re
from email import message_from_bytes
from email.message import Message
from email.policy import compat32
from email.utils import collapse_rfc2231_value, getaddresses

from flask import current_app
from flufl.bounce import all_failures
from sqlalchemy.orm import Session

from tcma.mailings import contacts, rules, services
from tcma.mailings.models import Delivery, Mailing

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 10 * 1024 * 1024
_TOKEN = re.compile(r"unsubscribe\s+([A-Za-z0-9_.-]{4,200})", re.I)
RECIPIENT_HEADERS = ("X-Original-To", "Delivered-To", "Envelope-To", "To")


def _recipients(message: Message, given: str | None) -> list[str]:
    found = [given] if given else []
    for header in RECIPIENT_HEADERS:
        found += [addr for _, addr in getaddresses(message.get_all(header, []))]
    return [address.strip().lower() for address in found if address]


def _is_complaint(message: Message) -> bool:
    return (
        message.get_content_type() == "multipart/report"
        and collapse_rfc2231_value(message.get_param("report-type") or "").lower()
        == "feedback-report"
    )


def handle_message(session: Session, data: bytes, recipient: str | None = None) -> str:
    """Act on one inbound message; returns what happened, in a few words (for the MTA log)."""
    if len(data) > MAX_MESSAGE_BYTES:
        return "ignored: message too large"
    message = message_from_bytes(data, policy=compat32)
    secret = current_app.config["SECRET_KEY"]
    addresses = _recipients(message, recipient)
    for address in addresses:
        delivery_id = rules.delivery_of_return_path(secret, address)
        if delivery_id is not None:
            return _bounce(session, delivery_id, message)
    if any(address.startswith("unsubscribe@") for address in addresses):
        match = _TOKEN.search(str(message.get("Subject", "")))
        delivery_id = rules.delivery_of_token(secret, match.group(1)) if match else None
        delivery = session.get(Delivery, delivery_id) if delivery_id else None
        if delivery is None:
            return "ignored: unsubscribe request without a valid token"
        services.unsubscribe(session, delivery)
        return f"unsubscribed delivery {delivery.id}"
    return "ignored: not addressed to a bounce or unsubscribe address of tcma"


def _bounce(session: Session, delivery_id: int, message: Message) -> str:
    delivery = session.get(Delivery, delivery_id)
    mailing = session.get(Mailing, delivery.mailing_id) if delivery else None
    if delivery is None or mailing is None:
        return "ignored: the delivery no longer exists"
    if _is_complaint(message):
        contacts.suppress(session, mailing.partner_id, delivery.email, rules.COMPLAINED, mailing.id)
        return f"complaint: suppressed delivery {delivery.id}"
    temporary, permanent = all_failures(message)
    if not permanent:
        if temporary:
            return f"temporary failure of delivery {delivery.id}: nothing to do"
        return "ignored: no delivery status found"
    failed = ", ".join(sorted(a.decode(errors="replace") for a in permanent))
    delivery.state = rules.FAILED
    delivery.smtp_answer = f"bounced after the relay accepted it: permanent failure for {failed}"
    contacts.suppress(session, mailing.partner_id, delivery.email, rules.BOUNCED, mailing.id)
    return f"bounce: suppressed delivery {delivery.id}"

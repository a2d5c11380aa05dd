"""Pure mailing rules: states, addresses, merge fields, schedules, retries, signed tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import escape

from tcma.exceptions import DomainError

CONSENT, LEGITIMATE_INTEREST, CONTRACT = "consent", "legitimate_interest", "contract"
CONSENT_BASES = (CONSENT, LEGITIMATE_INTEREST, CONTRACT)
CONSENT_LABELS = {
    CONSENT: "Consent (opted in)",
    LEGITIMATE_INTEREST: "Legitimate interest",
    CONTRACT: "Existing customer (contract)",
}

UNSUBSCRIBED, BOUNCED, COMPLAINED, DO_NOT_CONTACT = (
    "unsubscribed",
    "bounced",
    "complained",
    "do_not_contact",
)
SUPPRESSION_REASONS = (UNSUBSCRIBED, BOUNCED, COMPLAINED, DO_NOT_CONTACT)

DRAFT, SCHEDULED, SENDING, SENT, CANCELED = "draft", "scheduled", "sending", "sent", "canceled"
# Above the vendor's approval threshold a mailing waits for a marketer; a rejected one can be
# edited and sent for approval again.
AWAITING_APPROVAL, REJECTED = "awaiting_approval", "rejected"
MAILING_STATES = (DRAFT, SCHEDULED, SENDING, SENT, CANCELED, AWAITING_APPROVAL, REJECTED)
#: The states in which the partner may still change the mailing and ask to send it.
EDITABLE_STATES = (DRAFT, REJECTED)

# A delivery: pending → sending → sent; a 4xx answer makes it deferred (retried later), a
# 5xx answer or too many retries failed; suppressed when its address became unmailable.
PENDING, CLAIMED, DELIVERED, DEFERRED, FAILED, SKIPPED = (
    "pending",
    "sending",
    "sent",
    "deferred",
    "failed",
    "suppressed",
)
DELIVERY_STATES = (PENDING, CLAIMED, DELIVERED, DEFERRED, FAILED, SKIPPED)

#: A temporary failure is retried this many times: after 1, 2, 4, 8 and 16 minutes.
MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 60

MAX_GREETING = 500
_EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,63}$"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
UNSUBSCRIBE_SALT = "tcma.mailings.unsubscribe"


class MailingError(DomainError):
    """A mailing rule refused the input; ``field`` names the form input it is about."""


class MailingStateError(MailingError):
    """The mailing's state does not allow the action (cancel a sent one, send twice)."""


def normal_email(raw: str) -> str:
    """The address as stored and compared (trimmed, lower case); MailingError if not one."""
    email = (raw or "").strip().lower()
    if not email:
        raise MailingError("Enter an email address.", "email")
    if len(email) > 254 or _CONTROL.search(email) or not _EMAIL.match(email):
        raise MailingError(f"{raw.strip()[:60]!r} is not an email address.", "email")
    return email


def clean_text(raw: str | None, limit: int, label: str, field: str) -> str:
    """A one-line text value: trimmed, no control characters, at most ``limit`` characters."""
    value = " ".join((raw or "").split())
    if _CONTROL.search(value):
        raise MailingError(f"{label} contains control characters.", field)
    if len(value) > limit:
        raise MailingError(f"{label} is longer than {limit} characters.", field)
    return value


_GREETING_ENV = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
MERGE_FIELDS = ("first_name", "last_name", "company", "title", "country")


def merge_values(contact: Mapping[str, str]) -> dict[str, str]:
    """The merge fields a greeting may use (empty strings when a contact lacks them)."""
    return {key: str(contact.get(key) or "") for key in MERGE_FIELDS}


def check_greeting(text: str) -> str:
    """A greeting template that compiles and uses only the merge fields; MailingError if not."""
    text = (text or "").strip()
    if len(text) > MAX_GREETING:
        raise MailingError(f"The greeting is longer than {MAX_GREETING} characters.", "greeting")
    render_greeting(text, merge_values({}))
    return text


@lru_cache(maxsize=64)
def _greeting_template(text: str) -> Template:
    # Compiling costs a millisecond; a mailing renders one greeting text thousands of times.
    return _GREETING_ENV.from_string(text)


def render_greeting(text: str, contact: Mapping[str, str]) -> str:
    """The greeting for one recipient: ``Hi {{ first_name or "there" }},`` in the sandbox."""
    if not text:
        return ""
    try:
        result = _greeting_template(text).render(merge_values(contact))
    except TemplateError as exc:
        raise MailingError(f"The greeting cannot be used: {exc}", "greeting") from None
    return " ".join(result.split())


def greeting_html(greeting: str) -> str:
    """The greeting as the first paragraph of an HTML message (escaped: it is contact data)."""
    if not greeting:
        return ""
    return f'<p style="margin:16px 24px;font-family:Arial,sans-serif">{escape(greeting)}</p>'


def zone(name: str) -> ZoneInfo:
    """A time zone by IANA name; MailingError for an unknown one."""
    if name not in available_timezones():
        raise MailingError("Choose a time zone from the list.", "time_zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise MailingError("Choose a time zone from the list.", "time_zone") from None


def schedule_time(day: dt.date, time: dt.time, zone_name: str, now: dt.datetime) -> dt.datetime:
    """The UTC moment of a local date and time; it must lie in the future."""
    local = dt.datetime.combine(day, time, tzinfo=zone(zone_name))
    moment = local.astimezone(dt.UTC)
    if moment <= now:
        raise MailingError("Choose a time in the future.", "send_on")
    if moment > now + dt.timedelta(days=365):
        raise MailingError("Choose a time within the next year.", "send_on")
    return moment


def window_limit(per_minute: int, window_seconds: float) -> int:
    """Messages allowed in one counting window for a rate in messages per minute (at least 1)."""
    return max(1, int(per_minute * window_seconds / 60))


def granted(counted_before: int, wanted: int, limit: int) -> int:
    """How many of ``wanted`` messages fit in a window that had counted ``counted_before``."""
    return max(0, min(wanted, limit - counted_before))


def retry_delay(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` temporary failures (doubling)."""
    return RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)


def is_temporary(code: int) -> bool:
    """SMTP 4xx answers are worth retrying; 5xx ones are final (RFC 5321 §4.2.1)."""
    return 400 <= code < 500


_VERP = re.compile(r"^bounces\+(\d{1,12})\.([0-9a-f]{16})@", re.I)


def _verp_signature(secret: str, delivery_id: int) -> str:
    digest = hmac.new(secret.encode(), f"verp:{delivery_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def return_path(secret: str, delivery_id: int, domain: str) -> str:
    """The VERP envelope sender of one delivery: a bounce to it names the delivery."""
    return f"bounces+{delivery_id}.{_verp_signature(secret, delivery_id)}@{domain}"


def delivery_of_return_path(secret: str, address: str) -> int | None:
    """The delivery a bounce address was made for, or None (not ours, or forged)."""
    match = _VERP.match((address or "").strip().strip("<>"))
    if not match:
        return None
    delivery_id = int(match.group(1))
    expected = _verp_signature(secret, delivery_id)
    return delivery_id if hmac.compare_digest(expected, match.group(2).lower()) else None


CLICK_SALT = "tcma.mailings.click"
_HREF = re.compile(r'href="(https?://[^"<>\s]+)"', re.I)


def message_links(html: str) -> list[str]:
    """The distinct http(s) links of a message's HTML, in order (as their hrefs are written)."""
    return list(dict.fromkeys(_HREF.findall(html)))


def track_links(html: str, tracked: dict[str, str]) -> str:
    """The HTML with each link's href replaced by its tracked URL."""
    return _HREF.sub(lambda m: f'href="{tracked.get(m.group(1), m.group(1))}"', html)


@lru_cache(maxsize=8)
def _serializer(secret: str, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=salt)  # made once: a mailing signs thousands


def click_token(secret: str, mailing_id: int, delivery_id: int, index: int) -> str:
    """A signed click: which message and which of its links; never the target URL itself."""
    return _serializer(secret, CLICK_SALT).dumps([mailing_id, delivery_id, index])


def click_of_token(secret: str, token: str) -> tuple[int, int, int] | None:
    """(mailing id, delivery id, link index) of a click token, or None when forged."""
    try:
        value = URLSafeSerializer(secret, salt=CLICK_SALT).loads(token)
    except BadSignature:
        return None
    if isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) for v in value):
        return value[0], value[1], value[2]
    return None


def unsubscribe_token(secret: str, delivery_id: int) -> str:
    """The signed, unguessable token of one delivery's unsubscribe link."""
    return _serializer(secret, UNSUBSCRIBE_SALT).dumps(delivery_id)


def delivery_of_token(secret: str, token: str) -> int | None:
    """The delivery id a token was made for, or None for a forged or damaged one."""
    try:
        value = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


OPEN_SALT = "tcma.mailings.open"
ATTRIBUTION_SALT = "tcma.mailings.attribution"
#: A lead counts for a mailing when it is sent within this time of a click in the message.
ATTRIBUTION_DAYS = 7


def open_token(secret: str, mailing_id: int, delivery_id: int) -> str:
    """The signed name of one delivery's open pixel."""
    return URLSafeSerializer(secret, salt=OPEN_SALT).dumps([mailing_id, delivery_id])


def _id_pair(value: object) -> tuple[int, int] | None:
    if isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value):
        return value[0], value[1]
    return None


def open_of_token(secret: str, token: str) -> tuple[int, int] | None:
    """(mailing id, delivery id) of an open pixel token, or None when forged."""
    try:
        return _id_pair(URLSafeSerializer(secret, salt=OPEN_SALT).loads(token))
    except BadSignature:
        return None


def attribution_token(secret: str, mailing_id: int, delivery_id: int) -> str:
    """The signed, dated reference a click leaves for the landing page's lead form."""
    return URLSafeTimedSerializer(secret, salt=ATTRIBUTION_SALT).dumps([mailing_id, delivery_id])


def attribution_of_token(secret: str, token: str) -> tuple[int, int] | None:
    """(mailing id, delivery id) of a reference younger than ATTRIBUTION_DAYS, else None."""
    try:
        value = URLSafeTimedSerializer(secret, salt=ATTRIBUTION_SALT).loads(
            token, max_age=ATTRIBUTION_DAYS * 86400
        )
    except BadSignature:  # forged, damaged or expired (SignatureExpired is a BadSignature)
        return None
    return _id_pair(value)


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character (line breaks and tabs included)."""
    return bool(_CONTROL.search(text))

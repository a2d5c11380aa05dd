"""Pure webhook rules: event types, who may subscribe to what, retry schedule, safe targets."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from tcma.exceptions import DomainError

EVENT_TYPES = (
    "lead.created",
    "lead.updated",
    "opportunity.created",
    "opportunity.stage_changed",
    "opportunity.won",
    "campaign.launched",
    "fund_request.submitted",
    "fund_request.approved",
    "fund_request.rejected",
    "claim.submitted",
    "claim.approved",
    "claim.paid",
    "mailing.sent",
    "contact.unsubscribed",
)

#: Seconds to wait before attempt 2, 3, ...: exponential, about a day and a half in all.
RETRY_DELAYS = (30, 120, 600, 3600, 4 * 3600, 12 * 3600, 24 * 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: An endpoint whose calls failed this many times in a row is disabled (and its owner told).
DISABLE_AFTER = 15
TIMEOUT_SECONDS = 10
MAX_URL = 500


class WebhookError(DomainError):
    """A webhook rule was broken; the message is for the person."""


def check_event_types(values: list[str]) -> list[str]:
    """Known event types, in the canonical order; at least one."""
    chosen = set(values)
    unknown = sorted(chosen - set(EVENT_TYPES))
    if unknown:
        raise WebhookError(f"Unknown event type {unknown[0]!r}.", "event_types")
    if not chosen:
        raise WebhookError("Choose at least one event type.", "event_types")
    return [t for t in EVENT_TYPES if t in chosen]


def retry_delay(attempts: int) -> int | None:
    """Seconds until the next attempt after ``attempts`` failed ones; None when none is left."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts - 1]


def is_success(status: int | None) -> bool:
    """A delivery succeeded when the receiver answered 2xx."""
    return status is not None and 200 <= status < 300


def check_url(url: str, *, allow_private: bool) -> str:
    """An https URL with a host (http too when private targets are allowed, for tests)."""
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise WebhookError(f"Enter a URL of at most {MAX_URL} characters.", "url")
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise WebhookError("The URL must start with https://.", "url")
    if not parts.hostname or parts.username or parts.password:
        raise WebhookError("The URL needs a host name and no user name or password.", "url")
    return url


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved and unspecified addresses."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast

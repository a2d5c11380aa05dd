"""Pure launch rules: the campaign state machine, launch dates, and what the landing page shows."""

from __future__ import annotations

import datetime as dt

from tcma.campaigns.models import DRAFT, ENDED, LIVE, PAUSED
from tcma.exceptions import DomainError

LAUNCH, PAUSE, RESUME, END, RESCHEDULE = "launch", "pause", "resume", "end", "reschedule"

TRANSITIONS = {
    (DRAFT, LAUNCH): LIVE,
    (LIVE, PAUSE): PAUSED,
    (PAUSED, RESUME): LIVE,
    (LIVE, END): ENDED,
    (PAUSED, END): ENDED,
    (LIVE, RESCHEDULE): LIVE,
    (PAUSED, RESCHEDULE): PAUSED,
}
ACTION_WORDS = {
    LAUNCH: "launched",
    PAUSE: "paused",
    RESUME: "resumed",
    END: "ended",
    RESCHEDULE: "rescheduled",
}

#: What a visitor of /l/<code> gets.
OPEN, NOT_STARTED, PAUSED_PAGE, OVER, HIDDEN = "open", "not_started", "paused", "over", "hidden"
MAX_RUN_DAYS = 366 * 2
MAX_CONSENT_LENGTH = 1000


class LaunchError(DomainError):
    """A launch rule was broken; the message is for the user."""


def next_status(status: str, action: str) -> str:
    """The campaign status after ``action``; LaunchError when it is not allowed now."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise LaunchError(
            f"This campaign is {status}; it cannot be {ACTION_WORDS.get(action, action)}."
        ) from None


def check_dates(starts_on: dt.date | None, ends_on: dt.date | None, today: dt.date) -> None:
    """A run needs both dates, in order, not over already, at most two years long."""
    if starts_on is None:
        raise LaunchError("Choose the first day of the campaign.", "starts_on")
    if ends_on is None:
        raise LaunchError("Choose the last day of the campaign.", "ends_on")
    if ends_on < starts_on:
        raise LaunchError("The last day cannot be before the first day.", "ends_on")
    if ends_on < today:
        raise LaunchError("The last day is in the past; choose a later one.", "ends_on")
    if (ends_on - starts_on).days > MAX_RUN_DAYS:
        raise LaunchError("A campaign runs for two years at most.", "ends_on")


def clean_consent_text(text: str) -> str:
    """The consent wording shown next to the checkbox; it cannot be empty or very long."""
    text = " ".join((text or "").split())
    if not text:
        raise LaunchError("Write the consent wording visitors agree to.", "consent_text")
    if len(text) > MAX_CONSENT_LENGTH:
        raise LaunchError(
            f"Keep the wording under {MAX_CONSENT_LENGTH} characters.", "consent_text"
        )
    return text


def default_consent_text(partner_name: str, vendor_name: str) -> str:
    """A plain consent wording a partner can start from."""
    return (
        f"I agree that {partner_name} may contact me by email or phone about this offer and "
        f"related {vendor_name} products and services. I can withdraw my consent at any time."
    )


def landing_state(
    status: str, starts_on: dt.date | None, ends_on: dt.date | None, today: dt.date
) -> str:
    """What /l/<code> shows: the page with its form, a polite notice, or nothing (404)."""
    if status == DRAFT:
        return HIDDEN
    if status == PAUSED:
        return PAUSED_PAGE
    if status == ENDED or (ends_on is not None and today > ends_on):
        return OVER
    if starts_on is not None and today < starts_on:
        return NOT_STARTED
    return OPEN if status == LIVE else HIDDEN

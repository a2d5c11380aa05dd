"""Pure MDF rules: domain errors, state machines, the four-eyes rule and the claim window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tcma.exceptions import DomainError

ACTIVITY_TYPES = {
    "event": "Event",
    "webinar": "Webinar",
    "digital_advertising": "Digital advertising",
    "email": "Email",
    "content_syndication": "Content syndication",
    "trade_show": "Trade show",
    "print": "Print",
    "other": "Other",
}

PAYMENT_METHODS = {
    "bank_transfer": "Bank transfer",
    "credit_note": "Credit note",
    "cheque": "Cheque",
    "card": "Card",
    "other": "Other",
}


class MdfError(DomainError):
    """A rule of the MDF program was broken; the message is for the user."""


class TransitionError(MdfError):
    """The action is not allowed in the object's current state."""


class InsufficientFunds(MdfError):
    """The allocation or budget has too little left."""


class LimitExceeded(MdfError):
    """An amount breaks a program limit (co-op share, unclaimed amount, ...)."""


class ClaimWindowClosed(MdfError):
    """The claim is filed after its due date."""


class FourEyesError(MdfError):
    """The second approval of a large request broke the four-eyes rule."""


class ProofMissing(MdfError):
    """A claim lacks the proof it needs."""


class UploadRefused(MdfError):
    """An uploaded proof file is not what it claims to be, or too large."""


# --- state machines ---------------------------------------------------------------------

DRAFT = "draft"
SUBMITTED = "submitted"
AWAITING_SECOND = "awaiting_second_approval"
APPROVED = "approved"
REJECTED = "rejected"
CHANGES_REQUESTED = "changes_requested"
WITHDRAWN = "withdrawn"
CANCELLED = "cancelled"
PAID = "paid"

REQUEST_STATES = (
    DRAFT,
    SUBMITTED,
    AWAITING_SECOND,
    APPROVED,
    REJECTED,
    CHANGES_REQUESTED,
    WITHDRAWN,
    CANCELLED,
)
CLAIM_STATES = (DRAFT, SUBMITTED, APPROVED, REJECTED, CHANGES_REQUESTED, WITHDRAWN, PAID)

STATE_LABELS = {
    DRAFT: "Draft",
    SUBMITTED: "Submitted",
    AWAITING_SECOND: "Awaiting second approval",
    APPROVED: "Approved",
    REJECTED: "Rejected",
    CHANGES_REQUESTED: "Changes requested",
    WITHDRAWN: "Withdrawn",
    CANCELLED: "Cancelled",
    PAID: "Paid",
}

REQUEST_TRANSITIONS = {
    (DRAFT, "submit"): SUBMITTED,
    (CHANGES_REQUESTED, "submit"): SUBMITTED,
    (DRAFT, "withdraw"): WITHDRAWN,
    (SUBMITTED, "withdraw"): WITHDRAWN,
    (AWAITING_SECOND, "withdraw"): WITHDRAWN,
    (CHANGES_REQUESTED, "withdraw"): WITHDRAWN,
    (SUBMITTED, "approve"): APPROVED,
    (SUBMITTED, "first_approve"): AWAITING_SECOND,
    (AWAITING_SECOND, "approve"): APPROVED,
    (SUBMITTED, "reject"): REJECTED,
    (AWAITING_SECOND, "reject"): REJECTED,
    (SUBMITTED, "request_changes"): CHANGES_REQUESTED,
    (AWAITING_SECOND, "request_changes"): CHANGES_REQUESTED,
    (APPROVED, "cancel"): CANCELLED,
}

CLAIM_TRANSITIONS = {
    (DRAFT, "submit"): SUBMITTED,
    (CHANGES_REQUESTED, "submit"): SUBMITTED,
    (DRAFT, "withdraw"): WITHDRAWN,
    (CHANGES_REQUESTED, "withdraw"): WITHDRAWN,
    (SUBMITTED, "approve"): APPROVED,
    (SUBMITTED, "reject"): REJECTED,
    (SUBMITTED, "request_changes"): CHANGES_REQUESTED,
    (APPROVED, "pay"): PAID,
}

ACTION_VERBS = {
    "submit": "submitted",
    "withdraw": "withdrawn",
    "approve": "approved",
    "first_approve": "approved",
    "reject": "rejected",
    "request_changes": "sent back for changes",
    "cancel": "cancelled",
    "pay": "paid",
    "edit": "edited",
}

EDITABLE_STATES = (DRAFT, CHANGES_REQUESTED)


def _transition(table: dict, noun: str, state: str, action: str) -> str:
    try:
        return table[(state, action)]
    except KeyError:
        label = STATE_LABELS.get(state, state).lower()
        verb = ACTION_VERBS.get(action, action)
        raise TransitionError(f"This {noun} is {label}; it cannot be {verb}.") from None


def request_transition(state: str, action: str) -> str:
    """The fund request's next state after ``action``, or TransitionError."""
    return _transition(REQUEST_TRANSITIONS, "fund request", state, action)


def claim_transition(state: str, action: str) -> str:
    """The claim's next state after ``action``, or TransitionError."""
    return _transition(CLAIM_TRANSITIONS, "claim", state, action)


def ensure_editable(noun: str, state: str) -> None:
    """Only drafts and items sent back for changes may be edited by the partner."""
    if state not in EDITABLE_STATES:
        label = STATE_LABELS.get(state, state).lower()
        raise TransitionError(f"This {noun} is {label}; it cannot be edited.")


def request_actions(state: str) -> set[str]:
    """The actions a fund request in ``state`` allows."""
    return {action for (from_state, action) in REQUEST_TRANSITIONS if from_state == state}


def claim_actions(state: str) -> set[str]:
    """The actions a claim in ``state`` allows."""
    return {action for (from_state, action) in CLAIM_TRANSITIONS if from_state == state}


# --- four-eyes and claim window ---------------------------------------------------------


def approval_step(
    amount: Decimal,
    threshold: Decimal | None,
    first_approval: tuple[int | None, Decimal] | None,
    approver_id: int,
) -> str:
    """'final' when this approval decides the request; 'first' when a second one must follow.

    The first approver's id is None when that account has been removed since."""
    if first_approval is None:
        return "first" if threshold is not None and amount > threshold else "final"
    first_approver_id, first_amount = first_approval
    if approver_id == first_approver_id:
        raise FourEyesError(
            "You gave the first approval; a different approver must give the second."
        )
    if amount > first_amount:
        raise FourEyesError(
            f"The second approval cannot be higher than the first approval ({first_amount})."
        )
    return "final"


def claim_due_date(activity_end: dt.date, window_days: int) -> dt.date:
    """The last day a claim for an activity may be submitted."""
    return activity_end + dt.timedelta(days=window_days)


def ensure_before_due(due: dt.date | None, today: dt.date) -> None:
    """Refuse a claim filed after its due date (no due date: no limit)."""
    if due is not None and today > due:
        raise ClaimWindowClosed(
            f"Claims for this activity were due by {due:%d %B %Y}; this claim is late."
        )

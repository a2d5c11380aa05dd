"""Pure pipeline rules: lead and opportunity state machines, limits, funnel and ROI maths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from email_validator import EmailNotValidError, validate_email

from tcma.exceptions import DomainError
from tcma.mdf.money import CURRENCIES

NEW, WORKING, QUALIFIED, DISQUALIFIED, CONVERTED = (
    "new",
    "working",
    "qualified",
    "disqualified",
    "converted",
)
LEAD_STATUSES = (NEW, WORKING, QUALIFIED, DISQUALIFIED, CONVERTED)
# A converted lead was qualified first: both count as qualified in the funnel.
QUALIFIED_STATUSES = (QUALIFIED, CONVERTED)

# Converting is its own action (it creates the opportunity), never a plain status change.
LEAD_TRANSITIONS: dict[str, tuple[str, ...]] = {
    NEW: (WORKING, QUALIFIED, DISQUALIFIED),
    WORKING: (NEW, QUALIFIED, DISQUALIFIED),
    QUALIFIED: (WORKING, DISQUALIFIED),
    DISQUALIFIED: (WORKING, QUALIFIED),
    CONVERTED: (),
}
CONVERTIBLE_STATUSES = (NEW, WORKING, QUALIFIED)

PROSPECTING, QUALIFICATION, PROPOSAL, NEGOTIATION = (
    "prospecting",
    "qualification",
    "proposal",
    "negotiation",
)
CLOSED_WON, CLOSED_LOST = "closed_won", "closed_lost"
OPEN_STAGES = (PROSPECTING, QUALIFICATION, PROPOSAL, NEGOTIATION)
CLOSED_STAGES = (CLOSED_WON, CLOSED_LOST)
STAGES = OPEN_STAGES + CLOSED_STAGES
STAGE_LABELS = {
    PROSPECTING: "Prospecting",
    QUALIFICATION: "Qualification",
    PROPOSAL: "Proposal",
    NEGOTIATION: "Negotiation",
    CLOSED_WON: "Closed won",
    CLOSED_LOST: "Closed lost",
}
LEAD_STATUS_LABELS = {status: status.capitalize() for status in LEAD_STATUSES}

SOURCE_LANDING, SOURCE_IMPORT, SOURCE_MANUAL, SOURCE_LEAD = (
    "landing_page",
    "csv_import",
    "manual",
    "lead",
)
LEAD_SOURCES = (SOURCE_LANDING, SOURCE_IMPORT, SOURCE_MANUAL)
OPPORTUNITY_SOURCES = (SOURCE_MANUAL, SOURCE_LEAD, SOURCE_IMPORT)
SOURCE_LABELS = {
    SOURCE_LANDING: "Landing page",
    SOURCE_IMPORT: "CSV import",
    SOURCE_MANUAL: "Registered",
    SOURCE_LEAD: "Converted lead",
}

LIMITS = {
    "first_name": 80,
    "last_name": 80,
    "email": 254,
    "company": 120,
    "title": 120,
    "phone": 40,
    "country": 60,
    "notes": 5000,
    "account": 120,
    "opportunity_name": 120,
}
#: A landing-page lead sent again from the same email on the same campaign within this
#: time of the first one is the same lead (Back + Send again), counted in its submissions.
LEAD_REPEAT_WINDOW = dt.timedelta(hours=24)

MAX_AMOUNT = Decimal("999999999999.99")
#: The personal columns of a lead: what erasure clears.
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "company",
    "title",
    "phone",
    "country",
    "consent_text",
    "notes",
    "submit_token",
    "utm_source",
    "utm_medium",
    "utm_content",
    "mail_contact_id",  # which of the partner's contacts it was, by a mailing's click
)


class PipelineError(DomainError):
    """A pipeline rule was broken; the message is for the user."""


def check_lead_status(current: str, target: str) -> None:
    """Raise PipelineError unless a lead may move from ``current`` to ``target``."""
    if target not in LEAD_STATUSES:
        raise PipelineError(f"Unknown lead status {target!r}.", "status")
    if target == current:
        return
    if target == CONVERTED:
        raise PipelineError("Convert the lead to an opportunity to mark it converted.", "status")
    if target not in LEAD_TRANSITIONS[current]:
        raise PipelineError(f"A {current} lead cannot become {target}.", "status")


def check_convertible(status: str) -> None:
    """Raise PipelineError unless a lead in this status may become an opportunity."""
    if status not in CONVERTIBLE_STATUSES:
        raise PipelineError(f"A {status} lead cannot be converted; reopen it first.")


def check_stage_change(current: str, target: str) -> None:
    """Open stages move freely; a closed opportunity must be reopened to an open stage first."""
    if target not in STAGES:
        raise PipelineError(f"Unknown stage {target!r}.", "stage")
    if current in CLOSED_STAGES and target in CLOSED_STAGES and target != current:
        raise PipelineError(
            f"This opportunity is {STAGE_LABELS[current].lower()}; reopen it to an open stage "
            "before closing it another way.",
            "stage",
        )


def clean_email(value: str) -> str:
    """A syntactically valid email address, normalised; PipelineError otherwise."""
    value = (value or "").strip()
    if not value:
        raise PipelineError("Enter an email address.", "email")
    if len(value) > LIMITS["email"]:
        raise PipelineError(f"Use at most {LIMITS['email']} characters.", "email")
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise PipelineError(f"This is not a valid email address ({exc}).", "email") from None


def check_amount(amount: Decimal, currency: str) -> Decimal:
    """An opportunity amount: not negative, two decimals at most, in a known currency."""
    if currency not in CURRENCIES:
        raise PipelineError(f"Unknown currency {currency!r}.", "currency")
    if amount < 0:
        raise PipelineError("The amount cannot be negative.", "amount")
    if amount > MAX_AMOUNT:
        raise PipelineError("The amount is too large.", "amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise PipelineError("Use at most two decimals.", "amount")
    return amount.quantize(Decimal("0.01"))


# --- funnel and ROI -------------------------------------------------------------------------

Amounts = Mapping[str, Decimal]


def add_amounts(*parts: Amounts) -> dict[str, Decimal]:
    """Sum amounts per currency (money in different currencies is never added together)."""
    total: dict[str, Decimal] = {}
    for part in parts:
        for currency, amount in part.items():
            total[currency] = total.get(currency, Decimal("0.00")) + amount
    return {currency: amount for currency, amount in sorted(total.items()) if amount}


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator in percent with one decimal; None when nothing to divide by."""
    if not denominator:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _single(amounts: Amounts) -> tuple[str, Decimal] | None:
    non_zero = [(currency, amount) for currency, amount in amounts.items() if amount]
    return non_zero[0] if len(non_zero) == 1 else None


def cost_per_lead(mdf_paid: Amounts, leads: int) -> tuple[str, Decimal] | None:
    """MDF paid / leads in the MDF's currency; None without leads, MDF, or in mixed currencies."""
    paid = _single(mdf_paid)
    if paid is None or not leads:
        return None
    currency, amount = paid
    return currency, (amount / leads).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def roi(won_revenue: Amounts, mdf_paid: Amounts) -> Decimal | None:
    """Won revenue / MDF paid (e.g. 12.50 = 12.5 times the money back).

    None when no MDF was paid, and when revenue and MDF are in different currencies,
    because tcma keeps no exchange rates and will not invent one.
    """
    paid = _single(mdf_paid)
    if paid is None:
        return None
    currency, amount = paid
    if any(other != currency and value for other, value in won_revenue.items()):
        return None
    won = won_revenue.get(currency, Decimal("0.00"))
    return (won / amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FunnelStep:
    """One step of the funnel: its count and the share of the step before that reached it."""

    label: str
    count: int
    rate: Decimal | None


@dataclass(frozen=True)
class PipelineNumbers:
    """A campaign's (or a set of campaigns') pipeline; amounts are per currency."""

    views: int = 0
    leads: int = 0
    qualified: int = 0
    opportunities: int = 0
    won: int = 0
    open_pipeline: dict[str, Decimal] = field(default_factory=dict)
    won_revenue: dict[str, Decimal] = field(default_factory=dict)
    mdf_approved: dict[str, Decimal] = field(default_factory=dict)
    mdf_paid: dict[str, Decimal] = field(default_factory=dict)

    @property
    def funnel(self) -> list[FunnelStep]:
        counts = [
            ("Page views", self.views),
            ("Leads", self.leads),
            ("Qualified leads", self.qualified),
            ("Opportunities", self.opportunities),
            ("Won", self.won),
        ]
        steps = [FunnelStep(counts[0][0], counts[0][1], None)]
        for (_, before), (label, count) in zip(counts, counts[1:], strict=False):
            steps.append(FunnelStep(label, count, rate(count, before)))
        return steps

    @property
    def cost_per_lead(self) -> tuple[str, Decimal] | None:
        return cost_per_lead(self.mdf_paid, self.leads)

    @property
    def roi(self) -> Decimal | None:
        return roi(self.won_revenue, self.mdf_paid)

    def __add__(self, other: PipelineNumbers) -> PipelineNumbers:
        return PipelineNumbers(
            views=self.views + other.views,
            leads=self.leads + other.leads,
            qualified=self.qualified + other.qualified,
            opportunities=self.opportunities + other.opportunities,
            won=self.won + other.won,
            open_pipeline=add_amounts(self.open_pipeline, other.open_pipeline),
            won_revenue=add_amounts(self.won_revenue, other.won_revenue),
            mdf_approved=add_amounts(self.mdf_approved, other.mdf_approved),
            mdf_paid=add_amounts(self.mdf_paid, other.mdf_paid),
        )

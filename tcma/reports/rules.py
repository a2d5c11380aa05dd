"""Pure dashboard maths and the definitions shown beside the numbers (no Flask, no session)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
DASH = "—"

DEFINITIONS = {
    "period": (
        "Leads and opportunities count when they were created in the period, won revenue "
        "when the opportunity was closed won in it. MDF figures cover the budgets whose "
        "period overlaps the chosen period, as their ledger stands today."
    ),
    "allocated": "MDF allocated: what finance gave the partners from those budgets.",
    "committed": ("MDF committed: approved fund requests not yet paid or released."),
    "paid": "MDF paid: payments recorded for approved claims against those budgets.",
    "utilisation": (
        "Utilisation = (MDF committed + MDF paid) ÷ MDF allocated. Allocations are per "
        "partner, not per kit, so it is not shown when a kit is chosen."
    ),
    "qualified": "Qualified leads: leads marked qualified, or converted to an opportunity.",
    "open_pipeline": (
        "Open pipeline: the amount of opportunities created in the period that are still "
        "in an open stage (prospecting, qualification, proposal, negotiation)."
    ),
    "won_revenue": "Won revenue: the amount of opportunities closed won in the period.",
    "cost_per_lead": (
        "Cost per lead = MDF paid ÷ leads. Shown as — when no MDF was paid or there are no leads."
    ),
    "roi": (
        "ROI = won revenue ÷ MDF paid, e.g. 12.5× means every unit of MDF paid came back "
        "12.5 times as won revenue. Shown as — when no MDF was paid."
    ),
    "currency": (
        "Amounts are never converted: money figures count only budgets and opportunities "
        "in the chosen currency."
    ),
    "time_to_first_lead": (
        "Time to first lead: days from a partner's first campaign to the first lead it "
        "received on or after that day."
    ),
    "idle": (
        "Partners with allocation but no activity: an allocation from a budget of the "
        "period, and no campaign, lead or fund request created in the period."
    ),
}


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator ÷ denominator to two decimals; None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def roi(won_revenue: Decimal, mdf_paid: Decimal) -> Decimal | None:
    """Won revenue ÷ MDF paid; None (shown as —) when no MDF was paid."""
    return ratio(won_revenue, mdf_paid)


def cost_per_lead(mdf_paid: Decimal, leads: int) -> Decimal | None:
    """MDF paid ÷ leads; None when no MDF was paid or there are no leads."""
    if not mdf_paid:
        return None
    return ratio(mdf_paid, Decimal(leads))


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole in percent with one decimal; None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def utilisation(allocated: Decimal, committed: Decimal, paid: Decimal) -> Decimal | None:
    """(committed + paid) ÷ allocated in percent; None without an allocation."""
    return percent(committed + paid, allocated)


def format_ratio(value: Decimal | None) -> str:
    """12.50 → '12.5×'; None → '—'."""
    if value is None:
        return DASH
    return f"{value:,.2f}".rstrip("0").rstrip(".") + "×"


def format_percent(value: Decimal | None) -> str:
    """41.5 → '41.5 %'; None → '—'."""
    return DASH if value is None else f"{value} %"


def funnel_rates(counts: list[int]) -> list[Decimal | None]:
    """Each step's share of the step before it (None for the first step or an empty one)."""
    return [None] + [
        percent(after, before) for before, after in zip(counts, counts[1:], strict=False)
    ]


def month_range(first: str, last: str) -> list[str]:
    """Every month from first to last, both 'YYYY-MM' and included."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_name(label: str) -> str:
    """'2025-03' → 'Mar 2025'."""
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{names[int(label[5:7]) - 1]} {label[:4]}"

"""Dashboard filters (period, tier, region, kit, partner, currency) to and from a query string."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

# Whole calendar months only: the dashboards read monthly roll-ups (see models.py).
PERIODS = {
    "12m": "Last 12 months",
    "quarter": "This quarter",
    "last-quarter": "Last quarter",
    "year": "This year",
    "last-year": "Last year",
    "all": "All time",
    "custom": "Custom months",
}
DEFAULT_PERIOD = "12m"


@dataclass(frozen=True)
class DashboardFilter:
    """What the numbers cover; None means any. Dates are inclusive UTC days."""

    period: str = DEFAULT_PERIOD
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    tier_id: int | None = None
    region: str | None = None
    kit_id: int | None = None
    partner_id: int | None = None
    currency: str | None = None

    @property
    def start(self) -> dt.datetime | None:
        """The first instant of the period (UTC), or None for no lower bound."""
        if self.date_from is None:
            return None
        return dt.datetime.combine(self.date_from, dt.time.min, dt.UTC)

    @property
    def end(self) -> dt.datetime | None:
        """The first instant after the period (UTC), or None for no upper bound."""
        if self.date_to is None:
            return None
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, dt.UTC)

    @property
    def day_after(self) -> dt.date | None:
        """The first day after the period, for DATE columns."""
        return self.date_to + dt.timedelta(days=1) if self.date_to else None

    @property
    def partner_scoped(self) -> bool:
        """True when tier, region or partner narrow the partners."""
        return any(v is not None for v in (self.tier_id, self.region, self.partner_id))

    def to_args(self, **changes: object) -> dict[str, str]:
        """Query-string arguments that reproduce this filter (with changes), for links."""
        flt = replace(self, **changes)  # type: ignore[arg-type]
        args = {"period": flt.period}
        if flt.period == "custom":
            args.update({"from": _month_text(flt.date_from), "to": _month_text(flt.date_to)})
        for key, value in (
            ("tier", flt.tier_id),
            ("region", flt.region),
            ("kit", flt.kit_id),
            ("partner", flt.partner_id),
            ("currency", flt.currency),
        ):
            if value is not None:
                args[key] = str(value)
        return {key: value for key, value in args.items() if value}

    def describe(self, names: Mapping[str, str]) -> str:
        """One line saying what the numbers cover, e.g. for the PDF and CSV headers."""
        first = f"{self.date_from:%b %Y}" if self.date_from else "the beginning"
        parts = [f"{first} to {self.date_to:%b %Y}" if self.date_to else f"{first} to today"]
        parts += [
            f"{label}: {names[key]}"
            for key, label in (
                ("tier", "tier"),
                ("region", "region"),
                ("kit", "kit"),
                ("partner", "partner"),
            )
            if names.get(key)
        ]
        if self.currency:
            parts.append(f"amounts in {self.currency}")
        return " · ".join(parts)


def _month_text(day: dt.date | None) -> str:
    return f"{day:%Y-%m}" if day else ""


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() else None


def month_start(raw: str | None) -> dt.date | None:
    """The first day of the month of 'YYYY-MM' (or 'YYYY-MM-DD'); None if malformed."""
    try:
        return dt.date.fromisoformat(f"{raw[:7]}-01") if raw else None
    except ValueError:
        return None


def month_end(first: dt.date) -> dt.date:
    """The last day of the month that starts on `first`."""
    following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return following - dt.timedelta(days=1)


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_dates(period: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of a named period, in whole months around today."""
    this_month = today.replace(day=1)
    quarter = this_month.replace(month=(today.month - 1) // 3 * 3 + 1)
    spans = {
        "12m": (_add_months(this_month, -11), this_month),
        "quarter": (quarter, _add_months(quarter, 2)),
        "last-quarter": (_add_months(quarter, -3), _add_months(quarter, -1)),
        "year": (this_month.replace(month=1), this_month.replace(month=12)),
        "last-year": (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 1)),
    }
    if period not in spans:
        return None, None
    first, last = spans[period]
    return first, month_end(last)


def parse_filter(
    args: Mapping[str, str], today: dt.date, regions: tuple[str, ...]
) -> DashboardFilter:
    """A filter from a query string; anything unknown or malformed is simply ignored."""
    period = args.get("period") or DEFAULT_PERIOD
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    if period == "custom":
        first, last = month_start(args.get("from")), month_start(args.get("to"))
        if first and last and first > last:
            first, last = last, first
        date_from, date_to = first, month_end(last) if last else None
    else:
        date_from, date_to = period_dates(period, today)
    region = args.get("region") or None
    currency = (args.get("currency") or "").upper()
    return DashboardFilter(
        period=period,
        date_from=date_from,
        date_to=date_to,
        tier_id=_int(args.get("tier")),
        region=region if region in regions else None,
        kit_id=_int(args.get("kit")),
        partner_id=_int(args.get("partner")),
        currency=currency if len(currency) == 3 and currency.isalpha() else None,
    )

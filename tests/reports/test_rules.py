"""Pure dashboard maths and filters: no app, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tcma.reports import rules
from tcma.reports.filters import DashboardFilter, parse_filter, period_dates

TODAY = dt.date(2026, 11, 24)


def test_roi_is_won_revenue_over_mdf_paid_and_none_without_mdf() -> None:
    assert rules.roi(Decimal("20000"), Decimal("5000")) == Decimal("4.00")
    assert rules.roi(Decimal("17000"), Decimal("5000")) == Decimal("3.40")
    assert rules.roi(Decimal("3000"), Decimal("0")) is None
    assert rules.roi(Decimal("0"), Decimal("100")) == Decimal("0.00")


def test_cost_per_lead_needs_mdf_paid_and_leads() -> None:
    assert rules.cost_per_lead(Decimal("5000"), 7) == Decimal("714.29")
    assert rules.cost_per_lead(Decimal("0"), 7) is None
    assert rules.cost_per_lead(Decimal("5000"), 0) is None


def test_utilisation_counts_committed_and_paid_against_allocated() -> None:
    assert rules.utilisation(Decimal("35000"), Decimal("6000"), Decimal("5000")) == Decimal("31.4")
    assert rules.utilisation(Decimal("0"), Decimal("0"), Decimal("0")) is None


def test_formatting_shows_dashes_for_missing_values() -> None:
    assert rules.format_ratio(Decimal("4.00")) == "4×"
    assert rules.format_ratio(Decimal("3.40")) == "3.4×"
    assert rules.format_ratio(Decimal("1234.56")) == "1,234.56×"
    assert rules.format_ratio(None) == rules.format_percent(None) == "—"
    assert rules.format_percent(Decimal("31.4")) == "31.4 %"


def test_funnel_rates_are_shares_of_the_step_before() -> None:
    assert rules.funnel_rates([180, 7, 3, 0, 0]) == [
        None,
        Decimal("3.9"),
        Decimal("42.9"),
        Decimal("0.0"),
        None,
    ]


def test_months_are_listed_across_years() -> None:
    assert rules.month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert rules.month_name("2025-03") == "Mar 2025"


def test_periods_are_whole_months() -> None:
    assert period_dates("12m", TODAY) == (dt.date(2025, 12, 1), dt.date(2026, 11, 30))
    assert period_dates("quarter", TODAY) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_dates("last-quarter", TODAY) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert period_dates("year", TODAY) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert period_dates("last-year", TODAY) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert period_dates("all", TODAY) == (None, None)
    assert period_dates("last-quarter", dt.date(2026, 2, 10)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )


def test_parse_filter_takes_custom_months_and_ignores_nonsense() -> None:
    flt = parse_filter(
        {
            "period": "custom",
            "from": "2025-06",
            "to": "2025-02-17",
            "tier": "2",
            "region": "EMEA",
            "kit": "x",
            "currency": "usd",
        },
        TODAY,
        ("EMEA",),
    )
    assert (flt.date_from, flt.date_to) == (dt.date(2025, 2, 1), dt.date(2025, 6, 30))
    assert (flt.tier_id, flt.region, flt.kit_id, flt.currency) == (2, "EMEA", None, "USD")
    odd = parse_filter({"period": "forever", "region": "MARS", "from": "june"}, TODAY, ("NA",))
    assert odd == DashboardFilter(date_from=dt.date(2025, 12, 1), date_to=dt.date(2026, 11, 30))


def test_filter_round_trips_through_its_query_string() -> None:
    flt = parse_filter(
        {
            "period": "custom",
            "from": "2025-01",
            "to": "2025-06",
            "kit": "3",
            "partner": "9",
            "currency": "EUR",
        },
        TODAY,
        (),
    )
    assert parse_filter(flt.to_args(), TODAY, ()) == flt
    assert "partner" not in flt.to_args(partner_id=None)

"""Kit performance: use, downloads, launches, leads and revenue per kit version."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from tcma.reports import dashboard
from tcma.reports.filters import parse_filter
from tests.reports.support import PERIOD, page_text


def test_each_kit_version_shows_its_use_and_results(program, db_session: Session) -> None:
    flt, _, rows = dashboard.kit_performance(db_session, parse_filter(PERIOD, dt.date.today(), ()))
    table = {
        row.label: (
            row.partners,
            row.campaigns,
            row.downloads,
            row.launches,
            row.leads,
            row.qualified,
            row.opportunities,
            row.won_revenue,
        )
        for row in rows
    }
    assert table == {
        "Cloud Backup Kit v1": (1, 1, 3, 1, 4, 2, 3, Decimal("17000.00")),
        "Cloud Backup Kit v2": (1, 1, 0, 1, 0, 0, 2, Decimal("3000.00")),
        "Security Webinar Kit v1": (1, 1, 1, 0, 2, 1, 1, Decimal("0.00")),
    }
    assert flt.currency == "USD"


def test_kit_page_for_marketers_with_a_chart_and_its_table(program, as_marketer) -> None:
    response = as_marketer.get("/reports/kits", query_string=PERIOD)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-label="Downloads, launches and leads per kit version"' in html
    assert "Cloud Backup Kit v2 1 1 0 1 0 0 2 $3,000.00" in page_text(html)


def test_kit_page_filtered_to_one_kit_and_tier(program, as_admin, world) -> None:
    html = as_admin.get(
        "/reports/kits", query_string={**PERIOD, "kit": program.k1, "tier": world.tiers["gold"].id}
    ).get_data(as_text=True)
    text = page_text(html)
    assert "Security Webinar Kit" not in text.split("Use and results per kit version")[1]
    assert "Cloud Backup Kit v1 1 1 3 1 4 2 3 $17,000.00" in text
    assert "Cloud Backup Kit v2 0 0 0 0 0 0 0 $0.00" in text


def test_finance_and_partners_cannot_open_the_kit_page(program, as_finance, as_a_user) -> None:
    assert as_finance.get("/reports/kits").status_code == 403
    assert as_a_user.get("/reports/kits").status_code == 403
    assert as_finance.get("/reports/export/kit-versions.csv").status_code == 403

"""The vendor dashboard shows the hand-computed numbers of support.py, filtered as asked."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tcma.reports import dashboard, rankings
from tcma.reports.filters import parse_filter
from tests.reports.support import PERIOD, figure, link_of, page_text


def _page(client: FlaskClient, **args: object) -> str:
    response = client.get("/reports/", query_string={**PERIOD, **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_vendor_headline_matches_hand_computed_numbers(program, as_admin) -> None:
    html = _page(as_admin)
    expected = {
        "fig-allocated": "$35,000.00",
        "fig-committed": "$6,000.00",
        "fig-paid": "$5,000.00",
        "fig-utilisation": "31.4 %",
        "fig-leads": "7",
        "fig-qualified": "3",
        "fig-opportunities": "6",
        "fig-open-pipeline": "$13,000.00",
        "fig-won-revenue": "$20,000.00",
        "fig-cost-per-lead": "$714.29",
        "fig-roi": "4×",
    }
    assert {key: figure(html, key) for key in expected} == expected
    assert "Jan 2025 to Jun 2025 · amounts in USD" in html
    assert "ROI = won revenue ÷ MDF paid" in html


def test_funnel_and_monthly_trend(program, db_session: Session) -> None:
    flt = parse_filter(PERIOD, dt.date(2025, 7, 1), ())
    board = dashboard.vendor_dashboard(db_session, flt)
    assert [(label, count) for label, count, _ in board.funnel] == [
        ("Landing page views", 180),
        ("Leads", 7),
        ("Qualified leads", 3),
        ("Opportunities", 6),
        ("Won", 4),
    ]
    assert board.funnel[2][2] == Decimal("42.9")
    months = {m.month: m for m in board.months}
    assert list(months) == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    assert [months[m].leads for m in months] == [2, 2, 2, 1, 0, 0]
    assert [months[m].won_revenue for m in months] == [
        Decimal("7000.00"),
        0,
        Decimal("10000.00"),
        0,
        Decimal("3000.00"),
        0,
    ]
    assert months["2025-05"].mdf_paid == Decimal("5000.00")
    assert months["2025-02"].new_pipeline == Decimal("26000.00")  # the EUR deal is left out


def test_rankings_by_pipeline_and_roi(program, db_session: Session) -> None:
    flt = dashboard.resolve_filter(db_session, parse_filter(PERIOD, dt.date(2025, 7, 1), ()), None)
    partners = {row.name: row for row in rankings.partners(db_session, flt)}
    cobalt, brightpath = partners["Cobalt Systems Group"], partners["Brightpath IT"]
    assert (cobalt.pipeline_rank, cobalt.open_pipeline, cobalt.won_revenue) == (
        1,
        Decimal("8000.00"),
        Decimal("3000.00"),
    )
    assert cobalt.roi is None and cobalt.roi_rank is None  # no MDF paid: no ROI
    assert (brightpath.pipeline_rank, brightpath.roi_rank, brightpath.roi) == (
        2,
        1,
        Decimal("3.40"),
    )
    assert [row.name for row in rankings.by_roi(list(partners.values()))] == ["Brightpath IT"]
    kits = {row.name: row for row in rankings.kits(db_session, flt)}
    assert kits["Cloud Backup Kit"].roi == Decimal("4.00")
    assert kits["Cloud Backup Kit"].opportunities == 5
    assert kits["Security Webinar Kit"].roi is None


def test_roi_and_cost_per_lead_are_dashes_without_mdf_paid(program, as_marketer) -> None:
    html = _page(as_marketer, kit=program.k2)
    assert figure(html, "fig-paid") == "$0.00"
    assert figure(html, "fig-roi") == "—"
    assert figure(html, "fig-cost-per-lead") == "—"
    assert figure(html, "fig-leads") == "2"


def test_kit_filter_counts_only_money_tied_to_the_kit(program, as_admin) -> None:
    html = _page(as_admin, kit=program.k1)
    assert figure(html, "fig-allocated") == "— not per kit"
    assert figure(html, "fig-utilisation") == "—"
    assert figure(html, "fig-committed") == "$4,000.00"  # 1,000 left of frA1 + frB1's 3,000
    assert figure(html, "fig-paid") == "$5,000.00"
    assert (figure(html, "fig-leads"), figure(html, "fig-qualified")) == ("4", "2")
    assert figure(html, "fig-roi") == "4×"


def test_tier_and_region_filters_narrow_to_their_partners(program, as_admin, world) -> None:
    html = _page(as_admin, tier=world.tiers["platinum"].id, region="NA")
    assert figure(html, "fig-allocated") == "$10,000.00"
    assert figure(html, "fig-leads") == "0"
    assert figure(html, "fig-cost-per-lead") == "—"
    assert figure(html, "fig-won-revenue") == "$3,000.00"
    assert "Brightpath IT" not in html


def test_idle_partners_and_time_to_first_lead(program, as_admin) -> None:
    text = page_text(_page(as_admin))
    assert "Dunmore Digital registered APAC $5,000.00" in text
    assert "1 partner in all" in text
    assert "Brightpath IT 10 Jan 2025 15 Jan 2025 5" in text
    assert "Cobalt Systems Group 1 Feb 2025 No lead yet —" in text
    html = _page(as_admin)
    assert figure(html, "fig-median-days") == "5.0"
    assert figure(html, "fig-with-lead") == "1"


def test_numbers_link_to_the_lists_behind_them(program, as_admin) -> None:
    html = _page(as_admin)
    leads = urlsplit(link_of(html, "fig-leads"))
    assert leads.path == "/pipeline/leads"
    assert parse_qs(leads.query) == {"from": ["2025-01-01"], "to": ["2025-06-30"]}
    won = parse_qs(urlsplit(link_of(html, "fig-won-revenue")).query)
    assert won["status"] == ["closed_won"]
    # MDF lists get the period too: the figures count the budgets overlapping it.
    period = "from=2025-01-01&to=2025-06-30"
    assert link_of(html, "fig-committed") == f"/mdf/requests?{period}&status=approved"
    assert link_of(html, "fig-paid") == f"/mdf/claims?{period}&status=paid"
    assert link_of(html, "fig-allocated") == "/mdf/?by=partner"
    # A partner's name in a ranking narrows the dashboard to that partner.
    narrowed = _page(as_admin, partner=program.b)
    assert figure(narrowed, "fig-allocated") == "$10,000.00"
    assert "Partner: <strong>Cobalt Systems Group</strong>" in narrowed


def test_finance_sees_the_numbers_without_links_to_leads(program, as_finance) -> None:
    html = _page(as_finance)
    assert figure(html, "fig-leads") == "7"
    assert link_of(html, "fig-leads") is None  # finance may not open lead lists


def test_charts_have_their_data_and_labels(program, as_admin) -> None:
    html = _page(as_admin)
    for chart in ("chart-funnel", "chart-trend", "chart-partners", "chart-kits"):
        assert f'<canvas id="{chart}" role="img" aria-label="' in html
    assert "vendor/chart.js/chart.umd.min.js" in html and "<script>" not in html
    charts = _chart_data(html)
    funnel = charts["chart-funnel"]
    assert funnel["labels"] == [
        "Landing page views",
        "Leads",
        "Qualified leads",
        "Opportunities",
        "Won",
    ]
    assert funnel["series"][0]["data"] == [180, 7, 3, 6, 4]
    trend = {series["label"]: series["data"] for series in charts["chart-trend"]["series"]}
    assert trend["Leads"] == [2, 2, 2, 1, 0, 0]
    assert trend["Won revenue"] == [7000, 0, 10000, 0, 3000, 0]
    assert trend["MDF paid"] == [0, 0, 0, 0, 5000, 0]
    partners = charts["chart-partners"]
    assert partners["labels"][0] == "Cobalt Systems Group"
    assert partners["series"][0] == {
        "label": "Open pipeline",
        "data": [8000, *partners["series"][0]["data"][1:]],
        "kind": "bar",
        "axis": "money",
    }


def _chart_data(html: str) -> dict:
    start = html.index('<script type="application/json" id="chart-data">')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)

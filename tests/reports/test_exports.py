"""Every dashboard table exports to CSV; the vendor dashboard exports to a one-page PDF."""

from __future__ import annotations

import csv
import io

import pypdf
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tcma.accounts import services as account_services
from tcma.mdf.models import Allocation, Budget
from tests.cobrand.support import pdf_figures
from tests.reports.support import PERIOD


def _csv(client: FlaskClient, table: str, **args: object) -> list[list[str]]:
    response = client.get(f"/reports/export/{table}.csv", query_string={**PERIOD, **args})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_summary_csv_has_every_figure_with_its_definition(program, as_admin) -> None:
    rows = {row[0]: row[1:] for row in _csv(as_admin, "summary")[1:]}
    assert rows["MDF allocated"][:2] == ["35000.00", "USD"]
    assert rows["Leads"][0] == "7"
    assert rows["Cost per lead"][0] == "714.29"
    assert rows["ROI (times)"][0] == "4.00"
    assert rows["ROI (times)"][2].startswith("ROI = won revenue ÷ MDF paid")


def test_every_vendor_table_exports(program, as_admin) -> None:
    for table in (
        "summary",
        "funnel",
        "trend",
        "partners",
        "kits",
        "idle-partners",
        "first-leads",
        "kit-versions",
    ):
        assert len(_csv(as_admin, table)) > 1, table
    partners = _csv(as_admin, "partners")
    assert partners[0][:3] == ["partner", "details", "rank by pipeline"]
    assert [row[0] for row in partners[1:]] == ["Cobalt Systems Group", "Brightpath IT"]
    assert partners[1][8] == ""  # Cobalt: no MDF paid, no ROI
    trend = _csv(as_admin, "trend")
    assert trend[1][:3] == ["2025-01", "100", "2"]


def test_partner_csv_holds_only_its_own_rows(program, as_b_user) -> None:
    kits = _csv(as_b_user, "kits")
    assert [row[0] for row in kits[1:]] == ["Cloud Backup Kit"]
    summary = {row[0]: row[1] for row in _csv(as_b_user, "summary")[1:]}
    assert summary["Leads"] == "0" and summary["ROI (times)"] == ""


def test_csv_text_cannot_become_a_spreadsheet_formula(
    program, as_admin, db_session: Session, world
) -> None:
    partner = account_services.create_partner(
        db_session, None, '=HYPERLINK("http://x")', world.tiers["gold"].id, "NA", ""
    )
    budget = db_session.query(Budget).filter_by(name="H1 2025").one()
    db_session.add(Allocation(budget_id=budget.id, partner_id=partner.id, amount=100))
    db_session.commit()
    names = [row[0] for row in _csv(as_admin, "idle-partners")[1:]]
    assert '\'=HYPERLINK("http://x")' in names


def test_vendor_dashboard_pdf_is_one_page_with_the_headline_figures(program, as_admin) -> None:
    response = as_admin.get("/reports/dashboard.pdf", query_string=PERIOD)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    # Tagged: a screen reader gets its headings and tables in order.
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
    # Its two charts are figures a screen reader names, not untitled pictures.
    assert pdf_figures(response.data) == [
        "Funnel",
        "Leads (bars) and won revenue (line) by month",
    ]
    text = " ".join(reader.pages[0].extract_text().split())
    for shown in (
        "Program dashboard",
        "$35,000.00",
        "$5,000.00",
        "31.4 %",
        "$13,000.00",
        "$20,000.00",
        "$714.29",
        "4×",
        "Cobalt Systems Group",
        "Dunmore Digital",
        "Funnel",
        "Jan 2025 to Jun 2025",
    ):
        assert shown in text, shown

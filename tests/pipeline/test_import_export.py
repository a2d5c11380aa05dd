"""CSV import (preview every bad row, then all or nothing) and CSV export."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.pipeline.models import Lead, Opportunity, StageChange
from tests.pipeline.support import add_lead, add_opportunity
from tests.pipeline.test_csvmap import HUBSPOT_DEALS, SALESFORCE_LEADS


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def upload(
    client, data: bytes, kind: str = "leads", campaign: int | str = "", currency: str = "USD"
):
    return client.post(
        "/pipeline/import",
        data={
            "kind": kind,
            "campaign_id": str(campaign),
            "currency": currency,
            "file": (io.BytesIO(data), "export.csv"),
        },
        content_type="multipart/form-data",
    )


def confirm(client, preview_html: str):
    fields = dict(
        re.findall(
            r'name="(kind|campaign_id|currency|payload)" type="hidden" '
            r'value="([^"]*)"',
            preview_html,
        )
    )
    return client.post("/pipeline/import/confirm", data=fields)


def test_a_salesforce_lead_file_is_previewed_then_imported_into_a_campaign(
    as_a_user, db_session, world, live_a
):
    preview = upload(as_a_user, SALESFORCE_LEADS.encode(), campaign=live_a.id)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "All 2 rows of this Salesforce file are good" in html
    assert "ada@analytical.example" in html and "Import 2 leads" in html
    assert count(db_session, Lead) == 0  # a preview writes nothing
    response = confirm(as_a_user, html)
    assert response.status_code == 302
    leads = db_session.scalars(select(Lead).order_by(Lead.id)).all()
    assert [(lead.email, lead.status, lead.campaign_id, lead.source) for lead in leads] == [
        ("ada@analytical.example", "new", live_a.id, "csv_import"),
        ("alan@bletchley.example", "working", live_a.id, "csv_import"),
    ]
    assert all(lead.partner_id == world.partner_a.id and not lead.consent for lead in leads)
    assert count(db_session, StageChange) == 2


def test_a_hubspot_deal_file_is_imported(as_a_user, db_session, live_a):
    html = upload(as_a_user, HUBSPOT_DEALS.encode(), "opportunities", live_a.id, "EUR").get_data(
        as_text=True
    )
    assert "HubSpot" in html and "€4,000.00" in html
    assert "1 Feb 2027" in html and "2027-02-01" not in html  # the close date as people read it
    assert confirm(as_a_user, html).status_code == 302
    opportunity = db_session.scalar(select(Opportunity))
    assert (opportunity.name, opportunity.account, opportunity.stage, opportunity.currency) == (
        "Backup refresh",
        "Initech",
        "negotiation",
        "EUR",
    )
    assert opportunity.source == "csv_import" and opportunity.campaign_id == live_a.id


def test_a_file_with_bad_rows_shows_every_one_and_writes_nothing(as_a_user, db_session):
    data = (
        b"First Name,Last Name,Email,Company,Lead Status\n"
        b"Ada,Lovelace,ada@analytical.example,Analytical,New\n"
        b"Bob,,bob-at-example,Nowhere,New\n"
        b",,carol@example.com,Somewhere,Lost\n"
        b"Dan,Brown,dan@example.com,Books,Working - Contacted\n"
    )
    response = upload(as_a_user, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported." in html and "2 of 4 rows have problems" in html
    assert "<td>3</td>" in html and "<td>4</td>" in html
    assert "This is not a valid email address" in html
    assert "lead status &#39;Lost&#39; is unknown" in html and "a first or last name" in html
    assert "/pipeline/import/confirm" not in html  # no way to import a bad file
    assert count(db_session, Lead) == 0


def test_a_tampered_confirmation_is_checked_again_and_writes_nothing(as_a_user, db_session):
    html = upload(as_a_user, SALESFORCE_LEADS.encode()).get_data(as_text=True)
    forged = html.replace(
        re.search(r'name="payload" type="hidden" value="([^"]*)"', html).group(1),
        "Rmlyc3QgTmFtZQpBZGEK",
    )
    response = confirm(as_a_user, forged)
    assert response.status_code == 422 and "Nothing was imported." in response.get_data(
        as_text=True
    )
    assert count(db_session, Lead) == 0


def test_importing_into_another_partners_campaign_is_refused(as_b_user, db_session, live_a):
    html = upload(as_b_user, SALESFORCE_LEADS.encode()).get_data(as_text=True)
    html = html.replace(
        'name="campaign_id" type="hidden" value=""',
        f'name="campaign_id" type="hidden" value="{live_a.id}"',
    )
    response = confirm(as_b_user, html)
    assert response.status_code == 302
    assert count(db_session, Lead) == 0


def test_leads_export_with_salesforce_or_hubspot_headers_and_safe_cells(
    as_a_user, db_session, live_a
):
    add_lead(db_session, live_a, company='=HYPERLINK("http://evil.example")')
    db_session.commit()
    response = as_a_user.get("/pipeline/leads.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:8] == [
        "First Name",
        "Last Name",
        "Email",
        "Company",
        "Title",
        "Phone",
        "Country",
        "Lead Status",
    ]
    assert rows[1][:3] == ["Grace", "Hopper", "grace@navy.example"]
    assert rows[1][3].startswith("'=")
    hubspot = as_a_user.get("/pipeline/leads.csv?format=hubspot").get_data(as_text=True)
    assert hubspot.lstrip("\ufeff").startswith("First name,Last name,Email,Company name")


def test_an_export_imports_back(as_a_user, db_session, live_a):
    add_opportunity(
        db_session, live_a.partner_id, live_a.id, "1234.50", stage="proposal", currency="GBP"
    )
    db_session.commit()
    exported = as_a_user.get("/pipeline/opportunities.csv").get_data()
    html = upload(as_a_user, exported, "opportunities").get_data(as_text=True)
    assert "All 1 rows" in html and "£1,234.50" in html
    assert confirm(as_a_user, html).status_code == 302
    amounts = db_session.scalars(select(Opportunity.amount)).all()
    assert [str(a) for a in amounts] == ["1234.50", "1234.50"]

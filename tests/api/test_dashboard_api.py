"""Dashboard figures over the API are the dashboard page's numbers."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tcma.pipeline import rules as pipeline_rules
from tests.api.support import ApiClient, make_token
from tests.conftest import World, login
from tests.pipeline.support import add_lead, add_opportunity
from tests.reports.support import figure


def test_dashboard_figures_match_the_page(
    app: Flask, db_session: Session, world: World, live_a: Campaign
) -> None:
    add_lead(db_session, live_a)
    add_lead(db_session, live_a, status=pipeline_rules.QUALIFIED)
    add_opportunity(db_session, world.partner_a.id, live_a.id, "2500.00")
    add_opportunity(
        db_session, world.partner_a.id, live_a.id, "48000.00", stage=pipeline_rules.CLOSED_WON
    )
    db_session.commit()

    partner = ApiClient(app, make_token(db_session, world.users["a_user"]))
    answer = partner.get("/api/v1/dashboard?period=all")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["currency"] == "USD" and body["period"] == "all"
    assert body["pipeline"]["won_revenue"] == "48000.00"
    assert body["pipeline"]["open_pipeline"] == "2500.00"
    assert (body["pipeline"]["leads"], body["pipeline"]["won"]) == (2, 1)
    assert [step["count"] for step in body["funnel"]][1:] == [2, 1, 2, 1]
    assert body["partners"] == []  # rankings of partners are the vendor's
    page = login(app.test_client(), world.users["a_user"]).get("/reports/?period=all")
    assert figure(page.get_data(as_text=True), "fig-won-revenue") == "$48,000.00"

    vendor = ApiClient(app, make_token(db_session, world.users["marketer"]))
    program = vendor.get("/api/v1/dashboard?period=all").get_json()
    assert program["pipeline"]["won_revenue"] == "48000.00"
    assert [p["name"] for p in program["partners"]] == [world.partner_a.name]
    other = vendor.get(f"/api/v1/dashboard?period=all&partner_id={world.partner_b.id}")
    assert other.get_json()["pipeline"]["won_revenue"] == "0.00"

    # A partner asking for another partner's numbers gets 404, as on the page.
    nosy = partner.get(f"/api/v1/dashboard?partner_id={world.partner_b.id}")
    assert nosy.status_code == 404
    b_numbers = ApiClient(app, make_token(db_session, world.users["b_user"])).get(
        "/api/v1/dashboard?period=all"
    )
    assert b_numbers.get_json()["pipeline"]["leads"] == 0
    bad = partner.get("/api/v1/dashboard?period=custom&from=2026-13")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "from"

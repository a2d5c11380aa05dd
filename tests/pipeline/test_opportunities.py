"""Opportunities: register without a lead, move through stages with history, tenant isolation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.pipeline.models import Opportunity, StageChange
from tests.pipeline.support import add_opportunity

FORM = {
    "name": "Vault for Initech",
    "account": "Initech",
    "amount": "18000.50",
    "currency": "EUR",
    "stage": "prospecting",
    "expected_close_on": "2027-03-31",
}


def reload(session: Session, opportunity: Opportunity) -> Opportunity:
    session.expire_all()
    return session.get(Opportunity, opportunity.id)


def test_a_partner_registers_an_opportunity_without_a_lead(as_a_user, db_session, live_a):
    page = as_a_user.get(f"/pipeline/opportunities/new?campaign={live_a.id}")
    assert f'<option selected value="{live_a.id}">' in page.get_data(as_text=True)
    response = as_a_user.post(
        "/pipeline/opportunities/new", data={**FORM, "campaign_id": str(live_a.id)}
    )
    assert response.status_code == 302
    opportunity = db_session.scalar(select(Opportunity))
    assert (opportunity.name, str(opportunity.amount), opportunity.currency) == (
        "Vault for Initech",
        "18000.50",
        "EUR",
    )
    assert opportunity.campaign_id == live_a.id and opportunity.lead_id is None
    html = as_a_user.get("/pipeline/opportunities").get_data(as_text=True)
    assert "Vault for Initech" in html and "€18,000.50" in html


def test_amounts_are_validated(as_a_user, db_session):
    for amount in ("-5", "12.345", "lots"):
        response = as_a_user.post("/pipeline/opportunities/new", data={**FORM, "amount": amount})
        assert response.status_code == 200
    assert db_session.scalar(select(Opportunity)) is None


def test_a_campaign_of_another_partner_cannot_be_chosen(as_b_user, db_session, live_a):
    response = as_b_user.post(
        "/pipeline/opportunities/new", data={**FORM, "campaign_id": str(live_a.id)}
    )
    assert response.status_code == 200
    assert db_session.scalar(select(Opportunity)) is None


def test_every_stage_change_is_kept_with_who_and_when(as_a_user, db_session, world, live_a):
    opportunity = add_opportunity(db_session, live_a.partner_id, live_a.id, "5000.00")
    db_session.commit()
    for stage in ("proposal", "closed_won"):
        response = as_a_user.post(
            f"/pipeline/opportunities/{opportunity.id}",
            data={**FORM, "stage": stage, "currency": "USD", "amount": "5000.00"},
        )
        assert response.status_code == 302
    stored = reload(db_session, opportunity)
    assert stored.stage == "closed_won" and stored.closed_on is not None
    changes = db_session.scalars(
        select(StageChange)
        .where(StageChange.opportunity_id == opportunity.id)
        .order_by(StageChange.id)
    ).all()
    assert [(c.from_stage, c.to_stage) for c in changes] == [
        (None, "prospecting"),
        ("prospecting", "proposal"),
        ("proposal", "closed_won"),
    ]
    assert {c.actor_id for c in changes[1:]} == {world.users["a_user"].id}
    page = as_a_user.get(f"/pipeline/opportunities/{opportunity.id}").get_data(as_text=True)
    assert "Proposal → Closed won" in page and "Ben A-User" in page
    refused = as_a_user.post(
        f"/pipeline/opportunities/{opportunity.id}", data={**FORM, "stage": "closed_lost"}
    )
    assert refused.status_code == 200 and "reopen" in refused.get_data(as_text=True)


def test_the_list_filters_by_open_and_closed(as_a_user, db_session, live_a):
    add_opportunity(db_session, live_a.partner_id, live_a.id, "1.00", name="Open deal")
    add_opportunity(
        db_session, live_a.partner_id, live_a.id, "2.00", stage="closed_lost", name="Lost deal"
    )
    db_session.commit()
    open_html = as_a_user.get("/pipeline/opportunities?status=open").get_data(as_text=True)
    closed_html = as_a_user.get("/pipeline/opportunities?status=closed").get_data(as_text=True)
    assert "Open deal" in open_html and "Lost deal" not in open_html
    assert "Lost deal" in closed_html and "Open deal" not in closed_html


def test_partner_b_gets_404_on_partner_as_opportunities(as_b_user, db_session, live_a):
    opportunity = add_opportunity(db_session, live_a.partner_id, live_a.id, "5000.00")
    db_session.commit()
    assert as_b_user.get(f"/pipeline/opportunities/{opportunity.id}").status_code == 404
    assert (
        as_b_user.post(
            f"/pipeline/opportunities/{opportunity.id}", data={**FORM, "stage": "closed_won"}
        ).status_code
        == 404
    )
    assert "Acme" not in as_b_user.get("/pipeline/opportunities").get_data(as_text=True)
    assert reload(db_session, opportunity).stage == "prospecting"

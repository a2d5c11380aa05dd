"""Back + Send again on a landing page: the same email on the same campaign is one lead."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tcma.pipeline.models import Lead
from tcma.reports.models import LeadMonth
from tests.conftest import World, login
from tests.pipeline.support import VISITOR, live_campaign


@pytest.fixture
def live_a(app: Flask, db_session: Session, world: World) -> Campaign:
    return live_campaign(app, db_session, world.partner_a)


def send(client: FlaskClient, campaign: Campaign, **changes: str) -> int:
    """Open the page (a fresh form, as Back does on a no-store page) and send it."""
    html = client.get(f"/l/{campaign.code}").get_data(as_text=True)
    token = re.search(r'name="submit_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {**VISITOR, "consent": "y", "submit_token": token, **changes}
    return client.post(f"/l/{campaign.code}", data=data).status_code


def leads_of(session: Session, campaign: Campaign) -> list[Lead]:
    session.expire_all()
    return list(session.scalars(select(Lead).where(Lead.campaign_id == campaign.id)))


def rolled_up_leads(session: Session, campaign: Campaign) -> int:
    stmt = select(func.coalesce(func.sum(LeadMonth.leads), 0)).where(
        LeadMonth.campaign_id == campaign.id
    )
    return session.scalar(stmt)


def test_sending_the_form_again_counts_a_submission_not_a_second_lead(
    client: FlaskClient, db_session: Session, live_a: Campaign
) -> None:
    assert send(client, live_a) == 303
    assert send(client, live_a, email="GRACE@navy.example", phone="+1 555 0199") == 303
    assert send(client, live_a) == 303
    [lead] = leads_of(db_session, live_a)
    assert lead.submissions == 3
    assert lead.last_submitted_at is not None and lead.last_submitted_at >= lead.created_at
    assert lead.phone == "+1 555 0100"  # the first submission's details stay
    assert rolled_up_leads(db_session, live_a) == 1


def test_the_lead_page_shows_how_often_it_was_sent(
    app: Flask, client: FlaskClient, db_session: Session, world: World, live_a: Campaign
) -> None:
    send(client, live_a)
    send(client, live_a)
    [lead] = leads_of(db_session, live_a)
    page = login(app.test_client(), world.users["a_user"]).get(f"/pipeline/leads/{lead.id}")
    assert "sent 2 times" in page.get_data(as_text=True)


def test_another_person_is_another_lead(
    client: FlaskClient, db_session: Session, live_a: Campaign
) -> None:
    send(client, live_a)
    send(client, live_a, email="ada@lovelace.example", first_name="Ada")
    assert sorted(lead.submissions for lead in leads_of(db_session, live_a)) == [1, 1]
    assert rolled_up_leads(db_session, live_a) == 2


def test_a_repeat_after_the_window_is_a_new_lead(
    app: Flask, client: FlaskClient, db_session: Session, live_a: Campaign
) -> None:
    send(client, live_a)
    window = app.config["LEAD_REPEAT_WINDOW"]
    assert window == dt.timedelta(hours=24)
    earlier = dt.datetime.now(dt.UTC) - window - dt.timedelta(minutes=5)
    db_session.execute(update(Lead).where(Lead.campaign_id == live_a.id).values(created_at=earlier))
    db_session.commit()
    send(client, live_a)
    assert len(leads_of(db_session, live_a)) == 2


def test_the_same_person_on_another_campaign_is_another_lead(
    app: Flask, client: FlaskClient, db_session: Session, world: World, live_a: Campaign
) -> None:
    other = live_campaign(app, db_session, world.partner_a, name="Second run")
    send(client, live_a)
    send(client, other)
    assert len(leads_of(db_session, live_a)) == 1
    assert len(leads_of(db_session, other)) == 1

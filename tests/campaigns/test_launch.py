"""Launch pages: a partner launches, pauses, resumes and ends; the vendor oversees."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tcma import audit
from tcma.campaigns.models import Campaign
from tests.campaigns.support import start_campaign
from tests.conftest import World
from tests.pipeline.support import CONSENT, live_campaign, today


@pytest.fixture
def draft_a(app: Flask, db_session: Session, world: World, published_kit) -> Campaign:
    partner = db_session.get(type(world.partner_a), world.partner_a.id)
    return start_campaign(app, db_session, partner, published_kit)


def reload(session: Session, campaign: Campaign) -> Campaign:
    session.expire_all()
    return session.get(Campaign, campaign.id)


def test_a_partner_launches_a_draft_with_dates_and_consent_wording(as_a_user, db_session, draft_a):
    page = as_a_user.get(f"/campaigns/{draft_a.id}/launch").get_data(as_text=True)
    assert "Launch campaign" in page and "I agree that Brightpath IT may contact me" in page
    start, end = today(), today() + dt.timedelta(days=14)
    response = as_a_user.post(
        f"/campaigns/{draft_a.id}/launch",
        data={"starts_on": start.isoformat(), "ends_on": end.isoformat(), "consent_text": CONSENT},
    )
    assert response.status_code == 302
    campaign = reload(db_session, draft_a)
    assert (campaign.status, campaign.starts_on, campaign.ends_on) == ("live", start, end)
    assert campaign.consent_text == CONSENT and campaign.launched_at is not None
    page = as_a_user.get(f"/campaigns/{draft_a.id}/launch").get_data(as_text=True)
    assert f"http://tcma.test/l/{campaign.code}" in page
    assert "utm_content=invite-email" in page and "utm_medium=email" in page
    events = audit.timeline(db_session, "campaign", campaign.id)
    assert ("draft", "live") in [(e.from_state, e.to_state) for e in events]


def test_launch_dates_are_checked_next_to_the_inputs(as_a_user, db_session, draft_a):
    response = as_a_user.post(
        f"/campaigns/{draft_a.id}/launch",
        data={
            "starts_on": today().isoformat(),
            "consent_text": CONSENT,
            "ends_on": (today() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "The last day cannot be before the first day." in response.get_data(as_text=True)
    assert reload(db_session, draft_a).status == "draft"


def test_pause_resume_and_end(as_a_user, app, db_session, world):
    campaign = live_campaign(app, db_session, world.partner_a)
    base = f"/campaigns/{campaign.id}"
    assert as_a_user.post(f"{base}/pause").status_code == 302
    assert reload(db_session, campaign).status == "paused"
    assert as_a_user.post(f"{base}/resume").status_code == 302
    assert reload(db_session, campaign).status == "live"
    assert as_a_user.post(f"{base}/end", data={"comment": "Event is over"}).status_code == 302
    ended = reload(db_session, campaign)
    assert ended.status == "ended" and ended.ended_at is not None
    page = as_a_user.post(f"{base}/resume", follow_redirects=True).get_data(as_text=True)
    assert "This campaign is ended; it cannot be resumed." in page
    assert reload(db_session, campaign).status == "ended"


def test_a_campaign_past_its_last_day_is_not_resumed_without_new_dates(
    as_a_user, app, db_session, world
):
    campaign = live_campaign(app, db_session, world.partner_a)
    as_a_user.post(f"/campaigns/{campaign.id}/pause")
    stored = reload(db_session, campaign)
    stored.ends_on = today() - dt.timedelta(days=1)
    db_session.commit()
    response = as_a_user.post(f"/campaigns/{campaign.id}/resume", follow_redirects=True)
    assert "choose a later last day" in response.get_data(as_text=True)
    assert reload(db_session, campaign).status == "paused"


def test_the_vendor_can_take_a_page_down_but_not_launch(
    as_marketer, app, db_session, world, draft_a
):
    assert (
        as_marketer.post(
            f"/campaigns/{draft_a.id}/launch",
            data={
                "starts_on": today().isoformat(),
                "ends_on": today().isoformat(),
                "consent_text": CONSENT,
            },
        ).status_code
        == 403
    )
    campaign = live_campaign(app, db_session, world.partner_a)
    assert as_marketer.post(f"/campaigns/{campaign.id}/pause").status_code == 302
    assert reload(db_session, campaign).status == "paused"
    assert as_marketer.post(f"/campaigns/{campaign.id}/resume").status_code == 403


def test_partner_b_gets_404_on_partner_as_launch_pages(as_b_user, app, db_session, world):
    campaign = live_campaign(app, db_session, world.partner_a)
    assert as_b_user.get(f"/campaigns/{campaign.id}/launch").status_code == 404
    for action in ("pause", "resume", "end"):
        assert as_b_user.post(f"/campaigns/{campaign.id}/{action}").status_code == 404
    assert reload(db_session, campaign).status == "live"

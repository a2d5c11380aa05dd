"""The same person sending the landing form twice at the same moment is one lead, sent twice.

Both posts run over HTTP against a served app at once. On SQLite BEGIN IMMEDIATE serialises
them; on PostgreSQL (TCMA_TEST_DATABASE_URL) neither sees the other's uncommitted lead, so
only a lock on (campaign, email) keeps the second from inserting a duplicate.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tcma.pipeline.models import Lead
from tcma.reports.models import LeadMonth
from tests.conftest import World
from tests.mdf.test_concurrency_http import Browser, _all_at_once, served  # noqa: F401
from tests.pipeline.support import VISITOR, live_campaign

PEOPLE = 6  # each sends the form from two tabs at once
_TOKEN = re.compile(r'name="submit_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def live_a(app: Flask, db_session: Session, world: World) -> Iterator[Campaign]:
    app.config["LANDING_LEAD_RATE_LIMIT"] = "1000 per minute"  # one address sends them all
    yield live_campaign(app, db_session, world.partner_a)


def _tab(browser: Browser, campaign: Campaign, email: str):
    """Open the form in a tab (its own submit token) and return the click that sends it."""
    status, html = browser.send("GET", f"/l/{campaign.code}", learn=True)
    assert status == 200
    form = {**VISITOR, "email": email, "consent": "y", "submit_token": _TOKEN.search(html)[1]}
    return lambda: browser.send("POST", f"/l/{campaign.code}", form)


def test_two_tabs_sending_at_once_make_one_lead_with_two_submissions(
    served,  # noqa: F811 - the served-app fixture imported above
    db_session: Session,
    live_a: Campaign,
) -> None:
    host, port = served
    clicks = []
    for person in range(PEOPLE):
        browser = Browser(host, port)
        email = f"visitor{person}@navy.example"
        clicks += [_tab(browser, live_a, email), _tab(browser, live_a, email.upper())]
    results = _all_at_once(clicks)
    answers = Counter(status for status, _ in results)
    print(f"\nanswers: {sorted(answers.items())}")
    assert answers == {303: 2 * PEOPLE}

    db_session.expire_all()
    leads = db_session.scalars(select(Lead).where(Lead.campaign_id == live_a.id)).all()
    assert sorted(lead.email.lower() for lead in leads) == [
        f"visitor{person}@navy.example" for person in range(PEOPLE)
    ]
    assert [lead.submissions for lead in leads] == [2] * PEOPLE
    rolled_up = db_session.scalar(
        select(func.coalesce(func.sum(LeadMonth.leads), 0)).where(
            LeadMonth.campaign_id == live_a.id
        )
    )
    assert rolled_up == PEOPLE

"""A visitor leaves a lead on a partner's landing page; the partner sees it and works it."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tcma.accounts import services as account_services
from tcma.campaigns.models import Campaign
from tcma.demo import DEMO_PASSWORD
from tcma.pipeline.models import Lead
from tests.browser.conftest import LiveServer, sign_in
from tests.pipeline.support import CONSENT, live_campaign


@pytest.fixture
def campaign(live_app: Flask) -> Campaign:
    """Brightpath IT's live campaign, made from a kit with a landing page."""
    session = live_app.extensions["tcma.sessionmaker"]()
    with live_app.app_context():
        partner = account_services.find_partner_by_name(session, "Brightpath IT")
        made = live_campaign(live_app, session, partner, name="Spring restore drills")
    session.close()
    return made


def lead_count(app: Flask, campaign: Campaign) -> int:
    with app.extensions["tcma.sessionmaker"]() as session:
        return session.scalar(select(func.count(Lead.id)).where(Lead.campaign_id == campaign.id))


def fill_lead_form(page: Page) -> None:
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Work email").fill("grace@navy.example")
    page.get_by_label("Company").fill("US Navy")
    page.get_by_label("Job title").fill("Rear Admiral")
    page.get_by_label("Phone").fill("+1 555 0100")
    page.get_by_label("Country").fill("United States")
    page.get_by_label(CONSENT).check()


def test_a_visitor_leaves_a_lead_and_the_partner_sees_it_at_once(
    page: Page, live_server: LiveServer, campaign: Campaign
) -> None:
    page.goto(live_server(f"/l/{campaign.code}?utm_source=partner&utm_content=invite-email"))
    expect(page.get_by_role("heading", name="Restore drills for busy teams")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_have_count(0)
    fill_lead_form(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    sign_in(page, live_server, "ben@brightpath-it.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Leads").first.click()
    page.get_by_role("link", name="Grace Hopper").click()
    expect(page.get_by_text("grace@navy.example").first).to_be_visible()
    expect(page.get_by_text(CONSENT)).to_be_visible()
    page.get_by_label("Status").select_option("qualified")
    page.get_by_role("button", name="Save lead").click()
    expect(page.get_by_text("Lead saved.")).to_be_visible()
    expect(page.get_by_text("New → Qualified")).to_be_visible()


def test_a_double_click_on_send_makes_one_lead(
    page: Page, live_server: LiveServer, live_app: Flask, campaign: Campaign
) -> None:
    page.goto(live_server(f"/l/{campaign.code}"))
    fill_lead_form(page)
    # The same form sent three times at once, as a flaky network's retries would.
    statuses = page.evaluate("""async () => {
        const form = document.querySelector("form.tcma-lead-form");
        const send = () => fetch(form.action, {method: "POST", body: new FormData(form)});
        return (await Promise.all([send(), send(), send()])).map(r => r.status);
    }""")
    assert statuses == [200, 200, 200]  # each followed its redirect to the thank-you page
    page.get_by_role("button", name="Send").dblclick()
    expect(page).to_have_url(re.compile(r"/thanks$"))
    assert lead_count(live_app, campaign) == 1


def test_the_form_explains_what_is_missing(
    page: Page, live_server: LiveServer, live_app: Flask, campaign: Campaign
) -> None:
    page.goto(live_server(f"/l/{campaign.code}"))
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Work email").fill("not-an-email")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_have_text("Please check the marked fields.")
    expect(page.get_by_text("Enter an email address like name@company.com.")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Grace")
    assert lead_count(live_app, campaign) == 0

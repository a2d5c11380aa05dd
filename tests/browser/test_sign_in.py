"""Each demo role signs in through the browser and sees its own home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tcma.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveServer, sign_in

HOME_PAGES = [
    ("admin@northbeam.example", "You run the Northbeam Software partner program"),
    ("marketer@northbeam.example", "You publish campaign kits"),
    ("finance@northbeam.example", "You manage Market Development Funds"),
    ("anna@brightpath-it.example", "You manage Brightpath IT"),
    ("ben@brightpath-it.example", "Run co-branded campaigns for Brightpath IT"),
    ("carla@cobalt-systems.example", "You manage Cobalt Systems Group"),
    ("dev@cobalt-systems.example", "Run co-branded campaigns for Cobalt Systems Group"),
]


@pytest.mark.parametrize(("email", "greeting"), HOME_PAGES)
def test_demo_user_signs_in_and_sees_their_home(
    page: Page, live_server: LiveServer, email: str, greeting: str
) -> None:
    sign_in(page, live_server, email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_text(greeting)).to_be_visible()
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_wrong_password_is_refused_in_the_browser(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "admin@northbeam.example", "not-the-right-password")
    expect(page.get_by_role("alert")).to_have_text("The email or password is not correct.")
    expect(page).to_have_url(live_server("/login"))


def test_admin_adds_a_partner_and_invites_its_admin(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "admin@northbeam.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Partners").first.click()
    page.get_by_role("link", name="Add a partner").click()
    page.get_by_label("Company name").fill("Delta Networks")
    page.get_by_label("Tier").select_option(label="gold")
    page.get_by_label("Region").select_option("APAC")
    page.get_by_label("Website").fill("https://delta.example")
    page.get_by_role("button", name="Save partner").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Delta Networks")
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_label("Email").fill("pat@delta.example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to pat@delta.example")).to_be_visible()

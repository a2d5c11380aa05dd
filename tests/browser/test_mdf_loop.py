"""The whole MDF loop in a browser: budget, request, approval, claim with invoice, payment."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tcma.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveServer, sign_in

FINANCE = "finance@northbeam.example"
MARKETER = "marketer@northbeam.example"
PARTNER = "ben@brightpath-it.example"
INVOICE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def switch_to(page: Page, live_server: LiveServer, email: str) -> None:
    """Sign out whoever is signed in, then sign in as ``email``."""
    page.context.clear_cookies()
    sign_in(page, live_server, email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def open_funds(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Funds").click()


def test_partner_requests_marketer_approves_partner_claims_finance_pays(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    invoice = tmp_path / "INV-2026-0042.pdf"
    invoice.write_bytes(INVOICE)

    # Finance creates a budget and allocates part of it to Brightpath IT.
    switch_to(page, live_server, FINANCE)
    open_funds(page)
    page.get_by_role("link", name="Budgets").click()
    page.get_by_role("link", name="New budget").first.click()
    page.get_by_label("Name").fill("Browser test budget")
    page.get_by_label("Period starts").fill((today - dt.timedelta(days=30)).isoformat())
    page.get_by_label("Period ends").fill((today + dt.timedelta(days=300)).isoformat())
    page.get_by_label("Amount", exact=True).fill("50000")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("button", name="Save budget").click()
    expect(page.get_by_text("Budget Browser test budget was created")).to_be_visible()
    page.get_by_label("Partner", exact=True).select_option(label="Brightpath IT")
    page.get_by_label("Amount to allocate").fill("20000")
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("Brightpath IT now has €20,000.00")).to_be_visible()

    # The partner sees the money, writes a fund request and submits it.
    switch_to(page, live_server, PARTNER)
    open_funds(page)
    expect(page.get_by_role("heading", name="Browser test budget")).to_be_visible()
    page.get_by_role("link", name="New fund request").first.click()
    # The demo data has an allocation too: pick the one this test made.
    allocation = page.get_by_label("Allocation")
    allocation.select_option(
        allocation.locator("option", has_text="Browser test budget").get_attribute("value")
    )
    page.get_by_label("Activity type").select_option(label="Webinar")
    page.get_by_label("Title").fill("Ransomware recovery webinar")
    page.get_by_label("Description").fill("A 45-minute webinar with a customer story.")
    page.get_by_label("Start date").fill((today - dt.timedelta(days=10)).isoformat())
    page.get_by_label("End date").fill((today - dt.timedelta(days=9)).isoformat())
    page.get_by_label("Total activity cost").fill("8000")
    page.get_by_label("Requested amount").fill("4000")
    page.get_by_label("Expected leads").fill("60")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Submitted. A channel marketer will review it.")).to_be_visible()

    # A marketer approves a little less than requested.
    switch_to(page, live_server, MARKETER)
    open_funds(page)
    page.get_by_role("link", name="Fund requests").click()
    page.get_by_role("link", name="Ransomware recovery webinar").click()
    page.get_by_label("Amount to approve").fill("3500")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Approved; the amount is committed")).to_be_visible()

    # The partner claims with the invoice and submits the claim.
    switch_to(page, live_server, PARTNER)
    open_funds(page)
    page.get_by_role("link", name="Ransomware recovery webinar").click()
    page.get_by_role("link", name="File a claim").click()
    page.get_by_label("Actual cost of the activity").fill("7600")
    page.get_by_label("Amount claimed").fill("3500")
    page.get_by_label("Invoice (PDF, PNG or JPEG)").set_input_files(str(invoice))
    page.get_by_role("button", name="Save claim").click()
    expect(page.get_by_role("link", name="INV-2026-0042.pdf")).to_be_visible()
    page.get_by_role("button", name="Submit claim").click()
    expect(page.get_by_text("Claim submitted. Finance will review it.")).to_be_visible()

    # Finance opens the proof, approves the claim and records the payment.
    switch_to(page, live_server, FINANCE)
    open_funds(page)
    page.get_by_role("navigation", name="Funds").get_by_role("link", name="Claims").click()
    page.get_by_label("Status").select_option(label="Submitted")
    page.get_by_role("button", name="Filter").click()
    # The demo data has a claim too: open this test's claim by its request title.
    page.get_by_role("row").filter(has_text="Ransomware recovery webinar").get_by_role(
        "link", name=re.compile(r"^Claim \d+$")
    ).click()
    with page.context.expect_page() as proof_tab:
        page.get_by_role("link", name="INV-2026-0042.pdf").click()
    assert proof_tab.value.url.startswith(live_server.url)
    proof_tab.value.close()
    page.get_by_role("button", name="Approve", exact=True).click()
    page.get_by_role("link", name="Record payment").click()
    page.get_by_label("Method").select_option(label="Bank transfer")
    page.get_by_label("Reference").fill("BT-2026-118")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_text("Payment recorded.")).to_be_visible()
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="By partner").click()
    row = page.get_by_role("row", name="Brightpath IT EUR")
    expect(row).to_contain_text("€3,500.00")
    expect(row).to_contain_text("€16,500.00")

    # The partner sees the payment in the balance and on the claim's timeline.
    switch_to(page, live_server, PARTNER)
    open_funds(page)
    balance = page.get_by_role("region", name="Browser test budget")
    expect(balance.get_by_text("Paid", exact=True)).to_be_visible()
    expect(balance.locator("dd").nth(3)).to_have_text("€3,500.00")
    expect(balance.locator("dd").nth(4)).to_have_text("€16,500.00")
    page.get_by_role("link", name="Claims", exact=True).click()
    # The demo data has a claim too: open this test's claim by its request title.
    page.get_by_role("row").filter(has_text="Ransomware recovery webinar").get_by_role(
        "link", name=re.compile(r"^Claim \d+$")
    ).click()
    expect(page.get_by_text("BT-2026-118").first).to_be_visible()

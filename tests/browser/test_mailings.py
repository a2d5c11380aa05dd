"""The email journey in a browser: import contacts → mailing → preview → test → schedule → report.

Every page on the way is checked with axe-core (no serious or critical issue) and at 320 px.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Page, expect

from tcma import db
from tcma.demo import DEMO_PASSWORD
from tcma.mailings import rules, tasks
from tcma.mailings.models import Mailing
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.test_every_page import AXE_RUN, AXE_TAGS, PHONE

CSV = (
    "First Name,Last Name,Email,Account Name,Title\n"
    "Ana,Lopez,ana@acme.example,Acme Schools,IT lead\n"
    "Bo,Berg,bo@beta.example,Beta Council,Head of IT\n"
)


def accessible_and_narrow(page: Page, live_server: LiveServer) -> None:
    """axe finds nothing serious on the page, and it fits a 320 px screen."""
    page.set_viewport_size({"width": PHONE, "height": 640})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.add_script_tag(url=live_server("/static/vendor/axe-core/axe.min.js"))
    bad = [v for v in page.evaluate(AXE_RUN, AXE_TAGS) if v["impact"] in ("serious", "critical")]
    assert width <= PHONE and not bad, (page.url, width, bad)


def test_a_partner_runs_a_campaign_by_email(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    sign_in(page, live_server, "ben@brightpath-it.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Contacts").first.click()
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    page.get_by_label("New list name").fill("Event guests")
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_text("List “Event guests” created.")).to_be_visible()
    accessible_and_narrow(page, live_server)

    csv_file = tmp_path / "salesforce.csv"
    csv_file.write_text(CSV)
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_label("Consent basis for rows without one").select_option(rules.CONSENT)
    page.get_by_label("Consent date for rows without one").fill("2026-01-15")
    page.get_by_label("Add to list").select_option(label="Event guests")
    accessible_and_narrow(page, live_server)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("All 2 rows")).to_be_visible()
    accessible_and_narrow(page, live_server)
    page.get_by_role("button", name="Import 2 contacts").click()
    expect(page.get_by_text("Imported 2 new and updated 0 contacts.")).to_be_visible()

    page.get_by_role("link", name="Mailings").first.click()
    accessible_and_narrow(page, live_server)
    page.get_by_role("button", name="New mailing").click()
    page.get_by_label("Event guests").check()
    accessible_and_narrow(page, live_server)
    page.get_by_role("button", name="Save mailing").click()
    expect(page.get_by_text("Mailing saved.")).to_be_visible()
    mailing_url = page.url

    page.get_by_label("See it as").select_option(label="Bo Berg (bo@beta.example)")
    page.get_by_role("button", name="Show").click()
    frame = page.frame_locator("iframe[title^='Preview of the message as bo@beta.example']")
    expect(frame.get_by_text("Hi Bo,")).to_be_visible()
    accessible_and_narrow(page, live_server)

    page.get_by_role("button", name="Send me a test").click()
    expect(
        page.get_by_text("A test copy is on its way to ben@brightpath-it.example.")
    ).to_be_visible()

    day = dt.date.today() + dt.timedelta(days=2)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time", exact=True).fill("09:30")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Mailing scheduled.")).to_be_visible()

    # The send time comes (moved to now); the worker's periodic check starts it.
    app = live_server.app
    with app.app_context():
        session = db.session()
        mailing_id = int(mailing_url.rstrip("/").rsplit("/", 1)[-1])
        session.get(Mailing, mailing_id).scheduled_at = db.utcnow() - dt.timedelta(seconds=1)
        session.commit()
        tasks.start_due_mailings(session)
        session.commit()
    page.goto(mailing_url)
    expect(page.get_by_text("sent", exact=True).first).to_be_visible()
    report = page.get_by_role("region", name="Report")
    expect(report.locator("dt:has-text('Delivered') + dd")).to_have_text("2")
    accessible_and_narrow(page, live_server)

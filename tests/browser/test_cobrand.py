"""A partner user turns a kit into a campaign: live preview while typing, save, download the PDF."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tcma.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveServer, sign_in
from tests.campaigns.support import pdf_text

KIT = "Launch: Northbeam Vault 5"
RENDER_WAIT = 90_000  # ms; a first render starts the render workers (slow on a loaded machine)


def test_partner_customises_a_kit_with_live_preview_and_downloads_the_pdf(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    sign_in(page, live_server, "ben@brightpath-it.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Kit catalog").first.click()
    page.get_by_role("link", name=KIT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(KIT)
    page.get_by_role("link", name="Use this kit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Use “{KIT}”")

    # The datasheet preview is a PNG drawn by the server; typing replaces it with a new one.
    datasheet = page.get_by_role("img", name=re.compile("^Preview of Northbeam Vault 5 datasheet"))
    expect(datasheet).to_be_visible()
    first_src = datasheet.get_attribute("src")
    page.get_by_label("Campaign name").fill("Vault 5 launch – Leeds schools")
    page.get_by_label("Headline").fill("Recovery drills for Leeds schools")
    page.get_by_label("Contact name").fill("Priya Raman")
    page.get_by_label("Contact email").fill("priya.raman@brightpath-it.example")
    expect(datasheet).to_have_attribute("src", re.compile(r"^blob:"), timeout=RENDER_WAIT)
    assert datasheet.get_attribute("src") != first_src
    status = page.locator("[data-preview-item='datasheet'] .preview-status")
    expect(status).to_have_text("Up to date", timeout=RENDER_WAIT)

    # The email previews as sandboxed HTML with the typed headline in it.
    page.get_by_label("Asset to preview").select_option(label="Launch announcement email")
    email = page.frame_locator("[data-preview-item='launch-email'] iframe")
    expect(email.get_by_text("Priya Raman").first).to_be_visible(timeout=RENDER_WAIT)
    assert page.locator("[data-preview-item='launch-email'] iframe").get_attribute("sandbox") == ""

    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vault 5 launch – Leeds schools")
    expect(page.get_by_text("Recovery drills for Leeds schools")).to_be_visible()

    with page.expect_download(timeout=RENDER_WAIT) as info:
        page.get_by_role("link", name=re.compile("datasheet .* as PDF$")).click()
    download = info.value
    assert download.suggested_filename == "vault-launch-datasheet-datasheet.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = " ".join(pdf_text(path.read_bytes()).split())  # large type wraps across lines
    assert "Recovery drills for Leeds schools" in text
    assert "Priya Raman" in text and "Brightpath IT" in text


def test_partner_admin_changes_the_brand_colour_and_sees_the_contrast_warning(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "anna@brightpath-it.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Brand").first.click()
    expect(page.get_by_role("img", name="Current logo of Brightpath IT")).to_be_visible()
    page.get_by_label("Primary colour").fill("#ffd500")
    expect(page.get_by_text("too low for text")).to_be_visible()
    page.get_by_role("button", name="Save brand").click()
    expect(page.get_by_text("Brand saved (version 2)")).to_be_visible()
    # Said once, under the field, not again at the top of the page.
    expect(page.get_by_text("The primary colour has a contrast of 1.4:1")).to_have_count(1)
    expect(page.get_by_text("The primary colour has a contrast of 1.4:1")).to_be_visible()
    expect(page.get_by_text("too low for text")).to_have_count(0)

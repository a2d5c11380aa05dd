"""A marketer publishes a kit; a partner user finds it in the catalog and sees its previews."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tcma.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveServer, sign_in
from tests.kits.support import kit_files, make_zip


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").first.click()


def test_marketer_publishes_a_kit_and_a_partner_finds_it(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "marketer@northbeam.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Kits").first.click()
    page.get_by_role("link", name="Create a kit").click()
    page.get_by_label("Name", exact=True).fill("Edge security roadshow")
    page.get_by_label("Summary").fill("A city roadshow on securing branch offices.")
    page.get_by_label("Objective").select_option(label="Awareness")
    page.get_by_label("Tags").fill("roadshow, security")
    page.get_by_label("gold").check()
    page.get_by_role("button", name="Save kit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edge security roadshow")

    page.get_by_role("link", name="Add a field").click()
    page.get_by_label("Key").fill("city")
    page.get_by_label("Label").fill("City")
    page.get_by_label("Default value (optional)").fill("Berlin")
    page.get_by_role("button", name="Save field").click()
    expect(page.get_by_text("The field City was saved in the draft.")).to_be_visible()

    page.get_by_role("link", name="Add an asset").click()
    page.get_by_role("link", name="Banner").click()
    page.get_by_label("Key").fill("roadshow-banner")
    page.get_by_label("Name", exact=True).fill("Roadshow banner")
    page.get_by_label("Width in pixels").fill("600")
    page.get_by_label("Height in pixels").fill("300")
    page.get_by_label("Template", exact=True).fill("<h1>Roadshow in {{ fields.town }}</h1>")
    page.get_by_role("button", name="Save asset").click()
    problem = page.get_by_text("Line 1: fields.town is not a field declared in the kit settings")
    expect(problem).to_be_visible()
    page.get_by_label("Template", exact=True).fill("<h1>Roadshow in {{ fields.city }}</h1>")
    page.get_by_role("button", name="Save asset").click()
    expect(page.get_by_text("Roadshow banner was saved in the draft.")).to_be_visible()

    page.get_by_label("What changed").fill("First version")
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Version 1 of Edge security roadshow is published.")).to_be_visible()
    sign_out(page)

    sign_in(page, live_server, "ben@brightpath-it.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Kit catalog").first.click()
    page.get_by_label("Search", exact=True).fill("roadshow")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Edge security roadshow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edge security roadshow")
    preview = page.get_by_role("img", name="Preview of Roadshow banner")
    expect(preview).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 600",
        arg=preview.element_handle(),
        timeout=60_000,
    )
    expect(page.get_by_role("cell", name="City")).to_be_visible()


def test_marketer_uploads_a_kit_zip_and_partners_see_it(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    archive = tmp_path / "spring-promo.zip"
    archive.write_bytes(make_zip(kit_files(), folder="spring-promo/"))
    sign_in(page, live_server, "marketer@northbeam.example", DEMO_PASSWORD)
    page.goto(live_server("/kits/upload"))
    page.get_by_label("Kit zip").set_input_files(str(archive))
    page.get_by_role("button", name="Upload kit").click()
    expect(page.get_by_text("Spring backup promotion: version 1 is published.")).to_be_visible()
    sign_out(page)

    sign_in(page, live_server, "dev@cobalt-systems.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Kit catalog").first.click()
    page.get_by_label("Asset kind").select_option(label="Print (PDF)")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Spring backup promotion").click()
    flyer = page.get_by_role("img", name="Preview of Flyer")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=flyer.element_handle(), timeout=60_000
    )

"""What a partner's recipients see: every sample kit's emails and landing pages, as rendered
for a partner, have no serious or critical axe finding and fit a 320 px phone screen.

The crawl of the app (test_every_page.py) reaches one live landing page; this renders every
email and landing asset of every kit in campaigns/ with a partner's brand and field values
(the landing pages with the real hosted lead form) and checks each in chromium.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
from flask import Flask, render_template
from playwright.sync_api import Page

from tcma.campaigns.landing import LEAD_FORM_SLOT, with_form
from tcma.cobrand.render import FolderKitSource
from tcma.pipeline.forms import LeadCaptureForm
from tests.browser.test_every_page import AXE_RUN, AXE_TAGS, PHONE
from tests.cobrand.support import render
from tests.cobrand.test_render_sample_kits import SAMPLE_KITS, _partner_context

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"


def _cases() -> list:
    return [
        pytest.param(folder, asset["key"], id=f"{folder.name}-{asset['key']}")
        for folder in SAMPLE_KITS
        for asset in tomllib.loads((folder / "kit.toml").read_text("utf-8"))["assets"]
        if asset["kind"] in ("email", "landing")
    ]


def _html(app: Flask, folder: Path, key: str) -> str:
    source = FolderKitSource(folder)
    context = _partner_context(source)
    kind = next(a["kind"] for a in source.manifest["assets"] if a["key"] == key)
    if kind == "email":
        return render(source, key, context, "html").data.decode()
    page = render(source, key, dataclasses.replace(context, lead_form_html=LEAD_FORM_SLOT), "html")
    with app.test_request_context("/l/ACME-7Q2"):
        form = LeadCaptureForm(formdata=None, meta={"csrf": False})
        form.consent.label.text = "I agree that Acme Cloud Services may contact me."
        form_html = render_template(
            "landing/_lead_form.html", form=form, message="", action="/l/ACME-7Q2"
        )
    return with_form(page.data.decode(), form_html)


@pytest.mark.parametrize(("folder", "key"), _cases())
def test_sample_kit_email_or_landing_page_is_accessible_and_fits_a_phone(
    app: Flask, page: Page, folder: Path, key: str
) -> None:
    html = _html(app, folder, key)
    # Nothing leaves the machine: kit images point at the app's public address.
    page.route("**/*", lambda route: route.abort())

    page.set_viewport_size({"width": PHONE, "height": 640})
    page.set_content(html, wait_until="domcontentloaded")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.add_script_tag(path=str(AXE))
    findings = [
        f"{v['impact']} {v['id']} at {v['targets'][:3]}"
        for v in page.evaluate(AXE_RUN, AXE_TAGS)
        if v["impact"] in ("serious", "critical")
    ]

    assert width <= PHONE, f"{width}px wide on a {PHONE}px screen"
    assert not findings, "\n".join(findings)

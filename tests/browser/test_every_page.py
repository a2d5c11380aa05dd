"""Every page of every role, as its users reach it: axe-core finds no serious or critical
issue, and no page is wider than a 320 px phone screen.

Pages are found as a person finds them: signed in as each demo user, following the links
on each page (one page per URL shape, so /kits/3 and /kits/4 count once), plus the sign-in
page and a live campaign's landing page. axe-core is the vendored copy in static/vendor
(served by the app itself, so the page's CSP allows it).
Run with `-s` to see the counts per impact (recorded in the issue's note).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from tcma.campaigns.models import LIVE, Campaign
from tcma.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveServer, sign_in

USERS = {
    "admin": "admin@northbeam.example",
    "marketer": "marketer@northbeam.example",
    "finance": "finance@northbeam.example",
    "partner_admin": "anna@brightpath-it.example",
    "partner_user": "ben@brightpath-it.example",
}
# Links that are no page: files, exports, media, the API, and share buttons (they count a
# click and leave for the social network: the test must not contact it).
SKIP = re.compile(
    r"(/download|/export|/share/|\.csv|\.pdf|\.zip|\.png|\.eml|/media/|/static/|/api/"
    r"|/preview\b|/file\b)"
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_RUN = """tags => axe
  .run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
                                     targets: v.nodes.map(n => n.target.join(', '))})))"""
MAX_PAGES = 80
PHONE = 320


def shape(path: str) -> str:
    """One key per kind of page: ids and codes become '#'."""
    parts = [
        "#" if re.fullmatch(r"\d+|[A-Za-z0-9_-]{8,}", p) and not p.isalpha() else p
        for p in path.split("/")
    ]
    return "/".join(parts)


def page_links(page: Page, base: str) -> Iterator[str]:
    for href in page.eval_on_selector_all(
        "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
    ):
        url = urljoin(page.url, href)
        parts = urlsplit(url)
        if url.startswith(base) and not SKIP.search(parts.path) and not href.startswith("#"):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def check(page: Page, live_server: LiveServer, path: str, report: dict) -> list[str]:
    """Load one page at 320 px and measure it, then run axe at desktop width; return its links."""
    # Loaded at phone width, as a phone loads it (charts size themselves for the first window).
    page.set_viewport_size({"width": PHONE, "height": 640})
    try:
        response = page.goto(live_server(path))
    except PlaywrightError as error:  # a link to a file: a download, no page
        if "Download is starting" in str(error):
            return []
        raise
    if response is None or "text/html" not in (response.headers.get("content-type") or ""):
        return []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE:
        report["wide"].append(f"{path}: {width}px")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.add_script_tag(url=live_server("/static/vendor/axe-core/axe.min.js"))
    # Only the violations come back: axe's full result (every pass, every node) costs more
    # to build and send than the checks themselves.
    violations = page.evaluate(AXE_RUN, AXE_TAGS)
    for violation in violations:
        impact = violation["impact"] or "minor"
        report["counts"][impact] += len(violation["targets"])
        if impact in ("serious", "critical"):
            report["bad"].append(
                f"{path}: {impact} {violation['id']} at {violation['targets'][:3]}"
            )
    report["pages"] += 1
    return list(page_links(page, live_server.url))


def crawl(page: Page, live_server: LiveServer, start: list[str]) -> dict:
    report: dict = {"counts": Counter(), "bad": [], "wide": [], "pages": 0}
    seen: set[str] = set()
    queue = list(start)
    while queue and report["pages"] < MAX_PAGES:
        path = queue.pop(0)
        key = shape(path.split("?")[0])
        if key in seen:
            continue
        seen.add(key)
        queue.extend(check(page, live_server, path, report))
    return report


def show(who: str, report: dict) -> None:
    counts = ", ".join(f"{k} {report['counts'][k]}" for k in ("critical", "serious", "moderate"))
    print(
        f"\n[{who}] {report['pages']} pages; axe: {counts}; wider than 320px: {len(report['wide'])}"
    )


@pytest.mark.parametrize("role", sorted(USERS))
def test_every_page_of_a_role_is_accessible_and_fits_a_phone(
    browser: Browser, live_server: LiveServer, role: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, live_server, USERS[role], DEMO_PASSWORD)
        page.get_by_role("heading", level=1).first.wait_for()
        report = crawl(page, live_server, ["/home"])
    finally:
        context.close()
    show(role, report)
    assert report["pages"] > 5
    assert not report["bad"] + report["wide"], "\n".join(report["bad"] + report["wide"])


def test_sign_in_and_landing_pages_are_accessible_and_fit_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        session = live_server.app.extensions["tcma.sessionmaker"]()
        code = session.scalar(select(Campaign.code).where(Campaign.status == LIVE))
        session.close()
    assert code, "the demo has a live campaign"
    context = browser.new_context()
    page = context.new_page()
    try:
        report = {"counts": Counter(), "bad": [], "wide": [], "pages": 0}
        for path in ("/login", f"/l/{code}", "/no-such-page"):
            check(page, live_server, path, report)
    finally:
        context.close()
    show("anonymous", report)
    assert report["pages"] == 3
    assert not report["bad"] + report["wide"], "\n".join(report["bad"] + report["wide"])

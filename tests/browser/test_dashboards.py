"""In a real browser: the charts draw (CSP allows no inline script), filters work by label,
and the dashboard fits a phone screen."""

from __future__ import annotations

from tcma.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveServer, sign_in

CHARTS = ("chart-funnel", "chart-trend", "chart-partners", "chart-kits")


def wait_for_chart(page, chart_id: str) -> None:
    """Chart.js has drawn a chart on the canvas (times out, and fails, if it never does)."""
    page.wait_for_function(
        "id => !!(window.Chart && window.Chart.getChart(document.getElementById(id)))",
        arg=chart_id,
        timeout=15_000,
    )


def test_vendor_dashboard_draws_its_charts_and_filters(page, live_server: LiveServer) -> None:
    errors: list[str] = []
    # A blocked inline script or a chart error would show here (the favicon 404 would not).
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    sign_in(page, live_server, "admin@northbeam.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Dashboard").first.click()
    page.get_by_role("heading", name="Program dashboard").wait_for()
    for chart in CHARTS:
        # The chart scripts are deferred: the heading can be there before they have run.
        wait_for_chart(page, chart)
    page.get_by_label("Period").select_option(label="All time")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("the beginning to today").wait_for()
    assert page.get_by_role(
        "img", name="Funnel: landing page views, leads, qualified leads, opportunities, won"
    ).is_visible()
    assert not errors, errors


def test_partner_dashboard_fits_a_phone(browser, live_server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    try:
        sign_in(phone, live_server, "ben@brightpath-it.example", DEMO_PASSWORD)
        phone.goto(live_server("/reports/"))
        phone.get_by_role("heading", name="What to do next").wait_for()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        wait_for_chart(phone, "chart-trend")
    finally:
        context.close()

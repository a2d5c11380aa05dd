"""Irreversible actions ask first, saying what will happen; only "Yes, ..." acts."""

from __future__ import annotations

from tcma.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveServer, sign_in


def test_archiving_a_kit_asks_first_and_says_what_happens(page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "marketer@northbeam.example", DEMO_PASSWORD)
    page.goto(live_server("/kits/"))
    page.get_by_role("table").get_by_role("link").first.click()
    name = page.get_by_role("heading", level=1).inner_text().rsplit(" ", 1)[0]
    ask = page.locator("summary", has_text=f"Archive {name}")
    question = page.get_by_role("group", name=f"Archive {name}: are you sure?")

    assert not question.is_visible()
    ask.click()
    assert question.is_visible()
    assert "no longer see" in question.inner_text()
    # Escape closes the question, nothing happened.
    page.keyboard.press("Escape")
    assert not question.is_visible()
    ask.click()
    # The kit page behind renders its previews: the machine may be slow, allow for it.
    question.get_by_role("button", name=f"Yes, archive {name}").click(timeout=60_000)
    page.get_by_text("archived: partners no longer see it").wait_for(timeout=60_000)

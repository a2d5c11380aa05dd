"""Pure launch rules: the campaign state machine, dates, and what the landing page shows."""

from __future__ import annotations

import datetime as dt

import pytest

from tcma.campaigns import launch_rules as rules
from tcma.campaigns.launch_rules import LaunchError

TODAY = dt.date(2026, 5, 4)
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        ("draft", "launch", "live"),
        ("live", "pause", "paused"),
        ("paused", "resume", "live"),
        ("live", "end", "ended"),
        ("paused", "end", "ended"),
        ("live", "reschedule", "live"),
    ],
)
def test_allowed_transitions(status, action, after):
    assert rules.next_status(status, action) == after


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "pause"),
        ("draft", "end"),
        ("live", "launch"),
        ("live", "resume"),
        ("paused", "pause"),
        ("ended", "resume"),
        ("ended", "launch"),
        ("ended", "reschedule"),
    ],
)
def test_refused_transitions(status, action):
    with pytest.raises(LaunchError):
        rules.next_status(status, action)


def test_dates_need_both_days_in_order_and_not_over():
    rules.check_dates(TODAY, TODAY, TODAY)
    rules.check_dates(TODAY - 9 * DAY, TODAY + DAY, TODAY)
    for start, end, field in (
        (None, TODAY, "starts_on"),
        (TODAY, None, "ends_on"),
        (TODAY, TODAY - DAY, "ends_on"),
        (TODAY - 5 * DAY, TODAY - DAY, "ends_on"),
        (TODAY, TODAY + 800 * DAY, "ends_on"),
    ):
        with pytest.raises(LaunchError) as caught:
            rules.check_dates(start, end, TODAY)
        assert caught.value.field == field


def test_consent_wording_is_required_and_bounded():
    assert rules.clean_consent_text("  I   agree. ") == "I agree."
    for bad in ("", "   ", "x" * 1001):
        with pytest.raises(LaunchError):
            rules.clean_consent_text(bad)
    assert "Brightpath" in rules.default_consent_text("Brightpath", "Northbeam")


@pytest.mark.parametrize(
    ("status", "start", "end", "state"),
    [
        ("draft", TODAY, TODAY, "hidden"),
        ("live", TODAY, TODAY, "open"),
        ("live", TODAY + DAY, TODAY + 9 * DAY, "not_started"),
        ("live", TODAY - 9 * DAY, TODAY - DAY, "over"),
        ("paused", TODAY, TODAY, "paused"),
        ("ended", TODAY, TODAY + DAY, "over"),
    ],
)
def test_what_the_landing_page_shows(status, start, end, state):
    assert rules.landing_state(status, start, end, TODAY) == state

"""Pure mailing rules: addresses, the greeting sandbox, schedules across time zones, tokens."""

from __future__ import annotations

import datetime as dt

import pytest

from tcma.mailings import rules
from tcma.mailings.rules import MailingError

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)


def test_addresses_are_normalised_and_bad_ones_refused() -> None:
    assert rules.normal_email("  Ana@Acme.Example ") == "ana@acme.example"
    for bad in ("ana", "ana@acme", "a b@acme.example", "ana@acme.example\r\nBcc: x@y.z", ""):
        with pytest.raises(MailingError):
            rules.normal_email(bad)


def test_greeting_merges_with_fallbacks_and_stays_in_the_sandbox() -> None:
    template = 'Hi {{ first_name or "there" }} at {{ company or "your team" }},'
    assert rules.render_greeting(template, {"first_name": "Ana"}) == "Hi Ana at your team,"
    assert rules.render_greeting(template, {}) == "Hi there at your team,"
    with pytest.raises(MailingError):
        rules.check_greeting("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(MailingError):
        rules.check_greeting("Hi {{ password }}")  # not a merge field
    # The HTML greeting escapes what a contact typed.
    assert "&lt;script&gt;" in rules.greeting_html("Hi <script>")


def test_schedule_is_the_local_time_in_the_chosen_zone() -> None:
    # 29 March 2026: London moves to summer time (UTC+1).
    moment = rules.schedule_time(dt.date(2026, 3, 30), dt.time(9, 30), "Europe/London", NOW)
    assert moment == dt.datetime(2026, 3, 30, 8, 30, tzinfo=dt.UTC)
    moment = rules.schedule_time(dt.date(2026, 3, 21), dt.time(9, 30), "America/New_York", NOW)
    assert moment == dt.datetime(2026, 3, 21, 13, 30, tzinfo=dt.UTC)
    with pytest.raises(MailingError, match="future"):
        rules.schedule_time(dt.date(2026, 3, 20), dt.time(11, 0), "UTC", NOW)
    with pytest.raises(MailingError):
        rules.schedule_time(dt.date(2026, 3, 21), dt.time(9, 0), "Mars/Olympus", NOW)


def test_retries_double_and_only_4xx_is_temporary() -> None:
    assert [rules.retry_delay(n) for n in range(1, 6)] == [60, 120, 240, 480, 960]
    assert rules.is_temporary(451) and not rules.is_temporary(550)


def test_unsubscribe_tokens_are_signed() -> None:
    token = rules.unsubscribe_token("secret", 42)
    assert rules.delivery_of_token("secret", token) == 42
    assert rules.delivery_of_token("other secret", token) is None
    assert rules.delivery_of_token("secret", "42") is None

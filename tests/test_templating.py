"""Dates read the same on every page: 5 Dec 2026, never 2026-12-05 or 05 Dec 2026."""

from __future__ import annotations

import datetime as dt

from tcma.templating import human_date, human_datetime


def test_dates_and_moments_read_as_people_write_them() -> None:
    moment = dt.datetime(2026, 12, 5, 9, 3, 7)
    assert human_date(dt.date(2026, 12, 5)) == "5 Dec 2026"
    assert human_date("2026-12-05") == "5 Dec 2026"
    assert human_datetime(moment) == "5 Dec 2026 09:03 UTC"
    assert human_datetime(moment, seconds=True) == "5 Dec 2026 09:03:07 UTC"
    assert human_datetime(None) == ""

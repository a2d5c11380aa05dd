"""Fund-expiry reminders: partners hear once per allocation that unspent MDF expires soon."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from flask import Flask

from tcma import jobs
from tcma.mdf import tasks as mdf_tasks
from tests.jobs.test_periodic import TODAY, _mails, _run_twice


def _budget(funds, ends_in_days: int):
    budget = funds.budget()
    budget.period_end = TODAY + dt.timedelta(days=ends_in_days)
    return budget


def _expiry_mails(outbox: Path) -> list[EmailMessage]:
    messages = [
        email.message_from_string(text, policy=email.policy.default) for text in _mails(outbox)
    ]
    return [m for m in messages if "of MDF expires on" in m["Subject"]]


def test_unspent_funds_expiring_soon_are_announced_once_to_the_partner_admins(
    app: Flask, funds, world, outbox: Path
) -> None:
    allocation = funds.allocation("10000", budget=_budget(funds, 12))
    funds.approved(allocation, "2500")  # committed: not "unspent"
    funds.session.commit()

    _run_twice(app, mdf_tasks.fund_expiry_reminders_job)
    _run_twice(app, mdf_tasks.fund_expiry_reminders_job)  # the next day's run, or a 2nd worker

    [reminder] = _expiry_mails(outbox)
    assert reminder["To"] == world.users["a_admin"].email
    assert reminder["Subject"].startswith("€7,500.00 of MDF expires on")
    body = reminder.get_body(preferencelist=("plain",)).get_content()
    assert "(12 days left)" in body and f"/mdf/requests/new?allocation={allocation.id}" in body


def test_no_reminder_for_far_off_ended_or_spent_allocations(
    app: Flask, funds, world, outbox: Path
) -> None:
    funds.allocation("10000", budget=_budget(funds, 90))  # beyond the 30 days
    funds.allocation("10000", partner=world.partner_b, budget=_budget(funds, -1))  # over
    spent = funds.allocation("2500", budget=_budget(funds, 5))
    funds.approved(spent, "2500")  # nothing left to spend
    funds.session.commit()
    _run_twice(app, mdf_tasks.fund_expiry_reminders_job)
    assert _expiry_mails(outbox) == []


def test_the_reminder_is_a_daily_periodic_job() -> None:
    spec = jobs.registered()["mdf.fund_expiry_reminders"]
    assert spec.schedule(dt.datetime(2027, 3, 1, 8, 5))
    assert not spec.schedule(dt.datetime(2027, 3, 1, 9, 5))

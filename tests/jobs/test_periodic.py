"""Periodic work: claim windows closing, claim reminders, the roll-up drift check.

Each is run twice, as two worker machines or a retry would: the second run has no effect.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, text

from tcma import jobs
from tcma.mdf import ledger, money
from tcma.mdf import tasks as mdf_tasks
from tcma.mdf.models import LedgerEntry
from tcma.pipeline.models import Lead
from tcma.reports import tasks as report_tasks
from tests.pipeline.support import add_lead, live_campaign

TODAY = dt.datetime.now(dt.UTC).date()


def _run_twice(app: Flask, spec: jobs.TaskSpec) -> None:
    with app.app_context():
        jobs.enqueue_now(spec)
        jobs.enqueue_now(spec)


def _mails(outbox: Path) -> list[str]:
    return [p.read_text() for p in sorted(outbox.glob("*.eml"))] if outbox.exists() else []


def test_a_closed_claim_window_releases_its_money_once(app: Flask, funds) -> None:
    allocation = funds.allocation("10000")
    request = funds.approved(allocation, "2000")
    request.claim_due_on = TODAY - dt.timedelta(days=1)
    funds.session.commit()
    assert ledger.balance(funds.session, allocation.id).available == Decimal("8000.00")

    _run_twice(app, mdf_tasks.release_expired_job)

    funds.session.expire_all()
    releases = funds.session.scalar(
        select(func.count()).where(
            LedgerEntry.kind == money.RELEASE, LedgerEntry.fund_request_id == request.id
        )
    )
    assert releases == 1
    assert ledger.balance(funds.session, allocation.id).available == Decimal("10000.00")


def test_partners_are_reminded_once_per_threshold_before_the_claim_window_closes(
    app: Flask, funds, outbox: Path
) -> None:
    request = funds.approved(funds.allocation("10000"), "2000")
    request.claim_due_on = TODAY + dt.timedelta(days=10)
    funds.session.commit()

    _run_twice(app, mdf_tasks.claim_reminders_job)
    reminders = [m for m in _mails(outbox) if "Claim your" in m]
    assert len(reminders) == 1
    assert "To: ben@brightpath.example" in reminders[0]
    assert "10 days left" in reminders[0]

    request.claim_due_on = TODAY + dt.timedelta(days=2)  # now within the last 3 days
    funds.session.commit()
    _run_twice(app, mdf_tasks.claim_reminders_job)
    reminders = [m for m in _mails(outbox) if "Claim your" in m]
    assert len(reminders) == 2 and "2 days left" in reminders[1]


def test_a_filed_claim_stops_the_reminders(app: Flask, funds, outbox: Path) -> None:
    request = funds.approved(funds.allocation("10000"), "2000")
    funds.submitted_claim(request, "1500")
    request.claim_due_on = TODAY + dt.timedelta(days=2)
    funds.session.commit()
    _run_twice(app, mdf_tasks.claim_reminders_job)
    assert not [m for m in _mails(outbox) if "Claim your" in m]


def test_rollup_check_reports_drift_without_changing_the_rollups(
    app: Flask, db_session, world, outbox: Path
) -> None:
    campaign = live_campaign(app, db_session, world.partner_a)
    add_lead(db_session, campaign)
    db_session.commit()
    with app.extensions["tcma.sessionmaker"]() as session:
        assert report_tasks.rollup_drift(session) == []

    # A bulk load that bypassed the triggers: a lead the roll-ups never counted.
    db_session.execute(text("UPDATE report_lead_months SET leads = leads + 5"))
    db_session.commit()
    _run_twice(app, report_tasks.check_rollups_job)

    alerts = [m for m in _mails(outbox) if "drifted" in m]
    assert len(alerts) == 1 and "To: admin@vendor.example" in alerts[0]
    assert "report_lead_months: 1 row(s) missing or wrong, 1 extra" in alerts[0]
    # The check changed nothing: the roll-up still holds the drifted count.
    leads = db_session.scalar(text("SELECT sum(leads) FROM report_lead_months"))
    assert leads == 6
    assert db_session.scalar(select(func.count()).select_from(Lead)) == 1

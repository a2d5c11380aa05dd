"""Reports jobs: a nightly check that the roll-up tables still match their source rows.

The check recomputes every roll-up with ``rollups.rebuild`` inside a savepoint, compares the
result with what the triggers kept, and rolls the savepoint back: nothing changes. Drift (a
bulk load that bypassed the app, a trigger dropped by hand) is logged and emailed to the
vendor admins once a day, with the command that repairs it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import db, jobs
from tcma.accounts import rules as account_rules
from tcma.accounts.models import User
from tcma.jobs import effects
from tcma.mail import queue_mail
from tcma.reports import rollups

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Drift:
    """One roll-up table whose rows differ from a rebuild: how many rows differ."""

    table: str
    missing: int  # rows a rebuild has that the table lacks or holds with other sums
    extra: int  # rows the table has that a rebuild does not


def _rows(session: Session, table: str) -> set[tuple]:
    return {tuple(row) for row in session.execute(select(db.Base.metadata.tables[table]))}


def rollup_drift(session: Session) -> list[Drift]:
    """Compare each roll-up table with a rebuild from the sources, changing nothing."""
    tables = list(dict.fromkeys(rollup.table for rollup in rollups.ROLLUPS))
    kept = {table: _rows(session, table) for table in tables}
    savepoint = session.begin_nested()
    try:
        rollups.rebuild(session.connection())
        rebuilt = {table: _rows(session, table) for table in tables}
    finally:
        savepoint.rollback()
    drift = []
    for table in tables:
        missing, extra = rebuilt[table] - kept[table], kept[table] - rebuilt[table]
        if missing or extra:
            drift.append(Drift(table, len(missing), len(extra)))
    return drift


@jobs.periodic(jobs.crontab(minute="30", hour="3"), name="reports.check_rollups")
def check_rollups_job(session: Session) -> list[Drift]:
    """Nightly: report roll-up drift to the log and, once a day, to the vendor admins."""
    drift = rollup_drift(session)
    if not drift:
        log.info("roll-ups match their sources")
        return drift
    lines = [f"{d.table}: {d.missing} row(s) missing or wrong, {d.extra} extra" for d in drift]
    log.error("roll-up drift: %s", "; ".join(lines))
    key = f"reports.rollup_drift:{db.utcnow().date()}"
    admins = list(
        session.scalars(
            select(User.email).where(User.role == account_rules.ADMIN, User.status == "active")
        )
    )
    if admins and effects.claim(session, key):
        queue_mail(
            session,
            admins,
            "Dashboard numbers drifted from their source data",
            "The nightly check found roll-up tables that no longer match the leads,\n"
            "opportunities, page views and MDF ledger they summarise:\n\n"
            + "\n".join(f"  - {line}" for line in lines)
            + "\n\nDashboards show the roll-ups, so they are off until rebuilt: run\n"
            "rollups.rebuild (see README, Dashboards and ROI) after checking what loaded data\n"
            "bypassed the app.\n",
            key=key,
        )
    return drift

"""Jobs that failed for good, where vendor admins see and retry them, and the sweep of jobs
whose worker died while running them.

A background job (an email, a webhook delivery) that fails after its last retry becomes a
*failed* job record with the reason, shown on the failed-jobs page and in ``tcma jobs list``;
retrying it runs the job once more under that record. A user-started job whose worker stopped
writing its heartbeat (killed, restarted, machine lost) would show "Running" forever: the
sweep fails it with a reason, so it can be retried.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import Flask, current_app
from huey import Huey
from huey.signals import SIGNAL_ERROR
from sqlalchemy import func, update
from sqlalchemy.orm import Session

from tcma import jobs
from tcma.db import utcnow
from tcma.jobs import records
from tcma.jobs.models import DONE, FAILED, RUNNING, JobRecord

log = logging.getLogger(__name__)

STALE_REASON = (
    "The worker running this job stopped before it finished (it was restarted or lost). "
    "Retry it to run it again."
)
RETRY_TASK = records.RETRY_FAILED_TASK


def sweep_stale(session: Session, now: dt.datetime, lease_seconds: int) -> int:
    """Fail running jobs whose heartbeat is older than the lease; returns how many."""
    cutoff = now - dt.timedelta(seconds=lease_seconds)
    last_sign = func.coalesce(JobRecord.heartbeat_at, JobRecord.started_at)
    result = session.execute(
        update(JobRecord)
        .where(JobRecord.status == RUNNING, last_sign < cutoff)
        .values(status=FAILED, error=STALE_REASON, finished_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@jobs.periodic(jobs.crontab(minute="*/5"), name="jobs.sweep_stale")
def sweep_stale_job(session: Session) -> int:
    """Every five minutes: fail the jobs whose worker died (idempotent: a second run finds none)."""
    lease = int(current_app.config["JOB_LEASE_SECONDS"])
    swept = sweep_stale(session, utcnow(), lease)
    if swept:
        log.warning("%s running job(s) had no heartbeat for %s s: marked failed", swept, lease)
    return swept


def _title(spec_name: str, args: tuple[Any, ...]) -> tuple[str, str]:
    spec = jobs.registered().get(spec_name)
    options = spec.options if spec is not None else {}
    if (describe := options.get("describe")) is not None:
        try:
            return options.get("kind", "job"), str(describe(*args))[:200]
        except Exception:  # noqa: BLE001 - a title is advice; never lose the record for it
            log.warning("cannot describe failed job %s", spec_name)
    return "job", f"Background job {spec_name}"[:200]


def record_final_failure(
    session: Session, spec_name: str, args: tuple[Any, ...], reason: str, attempts: int
) -> JobRecord:
    """Keep a job that failed for good as a failed record an admin can see and retry."""
    kind, title = _title(spec_name, args)
    record = JobRecord(
        task=spec_name,
        kind=kind,
        title=title,
        params={"args": list(args)},
        status=FAILED,
        error=reason[:2000],
        attempts=attempts,
        finished_at=utcnow(),
    )
    session.add(record)
    session.flush()
    return record


@jobs.task(RETRY_TASK)
def retry_failed(session: Session, record_id: int) -> None:
    """Run a failed background job once more, under its record (done, or failed again)."""
    record = session.get(JobRecord, record_id)
    if record is None or record.status == DONE:
        return
    spec = jobs.registered()[record.task]
    args = list((record.params or {}).get("args", []))
    attempts = record.attempts + 1
    session.rollback()
    records.set_state(record_id, status=RUNNING, started_at=utcnow(), attempts=attempts)
    try:
        spec.func(session, *args)
        session.commit()
    except Exception as exc:  # noqa: BLE001 - the reason goes on the record
        session.rollback()
        log.exception("retry of job record %s (%s) failed", record_id, record.task)
        records.set_state(record_id, status=FAILED, error=str(exc)[:2000], finished_at=utcnow())
        return
    records.set_state(record_id, status=DONE, finished_at=utcnow(), error=None)


def init_failure_records(app: Flask, huey: Huey) -> None:
    """Record every job that fails after its last retry (Huey's error signal)."""

    @huey.signal(SIGNAL_ERROR)
    def _on_error(signal: str, task: Any, exc: BaseException | None = None) -> None:
        if task.retries or task.name == RETRY_TASK or exc is None:
            return  # it will be tried again, or its record already says how it went
        if task.name in records.TRACKED_TASKS:
            return
        spec = jobs.registered().get(task.name)
        if spec is None or spec.schedule is not None:
            return  # periodic work runs again at its next time; a record per run would pile up
        attempts = 1 + spec.retries
        with app.app_context():
            factory = app.extensions["tcma.sessionmaker"]
            with factory() as session:
                record_final_failure(session, task.name, tuple(task.args), str(exc), attempts)
                session.commit()

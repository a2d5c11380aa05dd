"""Job records: user-started long work (exports, zips) that people can watch and retry.

Define the work with ``@tracked("name", kind="export")`` on ``fn(session, params, progress)``
returning ``(storage_key, file_name)``; start it with ``start(session, user, spec, title,
params)`` inside the request. The record is queued with the request's commit, becomes
*running* when a worker takes it (``progress(done, total)`` shows how far it got), then
*done* with its file, or *failed* with a reason. ``retry`` queues a failed one again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tcma import db, jobs
from tcma.db import utcnow
from tcma.jobs.models import DONE, FAILED, QUEUED, RUNNING, JobRecord
from tcma.storage import StorageError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
#: Errors whose message is shown to the person as the reason (others say "unexpected").
EXPLAINED_ERRORS: tuple[type[Exception], ...] = (StorageError,)


#: The job that runs a failed background job again (defined in tcma.jobs.failures).
RETRY_FAILED_TASK = "jobs.retry_failed"


class JobFailed(Exception):
    """Raise from a tracked job to fail it with this message as the reason."""


class NotRetryable(Exception):
    """Only failed jobs can be retried."""


def _factory() -> Callable[[], Session]:
    return current_app.extensions["tcma.sessionmaker"]


def set_state(record_id: int, **values: Any) -> None:
    """Update a record in a short transaction of its own, so watchers see it at once."""
    _write(_factory(), record_id, **values)


def _write(factory: Callable[[], Session], record_id: int, **values: Any) -> None:
    with factory() as session:
        session.execute(update(JobRecord).where(JobRecord.id == record_id).values(**values))
        session.commit()


@contextmanager
def _heartbeat(record_id: int) -> Iterator[None]:
    """Write the record's heartbeat every third of the lease while the work runs, so the
    sweep (tcma.jobs.failures) can tell a long job from one whose worker died."""
    factory, stop = _factory(), threading.Event()
    interval = max(1.0, current_app.config["JOB_LEASE_SECONDS"] / 3)

    def beat() -> None:
        while not stop.wait(interval):
            try:
                _write(factory, record_id, heartbeat_at=utcnow())
            except OperationalError:  # a busy database: the next beat will do
                log.warning("heartbeat of job %s not saved", record_id)

    thread = threading.Thread(target=beat, name=f"heartbeat-{record_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, (JobFailed, *EXPLAINED_ERRORS)):
        return str(exc) or exc.__class__.__name__
    return "An unexpected error stopped the job; it was logged for the administrators."


def tracked(name: str, kind: str) -> Callable[[Callable[..., tuple[str, str]]], jobs.TaskSpec]:
    """Declare tracked work ``fn(session, params, progress) -> (storage key, file name)``."""

    def decorate(func: Callable[..., tuple[str, str]]) -> jobs.TaskSpec:
        def run(session: Session, record_id: int) -> None:
            record = session.get(JobRecord, record_id)
            if record is None or record.status == DONE:
                return  # deleted, or a rerun of a job that finished: nothing to do twice
            attempts, params = record.attempts + 1, dict(record.params or {})
            session.rollback()  # no transaction held while the work starts
            now = utcnow()
            set_state(
                record_id,
                status=RUNNING,
                started_at=now,
                heartbeat_at=now,
                attempts=attempts,
                error=None,
            )

            def progress(done: int, total: int) -> None:
                try:
                    set_state(record_id, progress_done=done, progress_total=total)
                except OperationalError:  # progress is advice; never fail the work for it
                    log.warning("progress of job %s not saved", record_id)

            try:
                # The work reads through a reader session: on SQLite it takes no write lock
                # up front, so other writers (and its own progress) go on while it runs.
                with (
                    _heartbeat(record_id),
                    current_app.extensions["tcma.reader_sessionmaker"]() as reader,
                ):
                    key, filename = func(reader, params, progress)
                    reader.commit()
            except Exception as exc:
                session.rollback()
                log.exception("job %s (%s) failed", record_id, name)
                set_state(record_id, status=FAILED, error=_reason(exc), finished_at=utcnow())
                return
            # The end is written after the job's commit, in a transaction of its own: the
            # job's session only read while progress was being written beside it.
            done = {"status": DONE, "result_key": key, "result_name": filename}
            db.after_commit(session, lambda: set_state(record_id, **done, finished_at=utcnow()))
            db.after_rollback(
                session,
                lambda: set_state(record_id, status=FAILED, error=_reason(RuntimeError())),
            )

        run.__name__ = func.__name__
        run.__module__ = func.__module__
        spec = jobs.task(name)(run)
        _KINDS[spec.name] = kind
        return spec

    return decorate


_KINDS: dict[str, str] = {}
#: The jobs that keep their own record (a failure of theirs is already on it).
TRACKED_TASKS = _KINDS.keys()


def start(
    session: Session,
    user: Any,
    spec: jobs.TaskSpec,
    title: str,
    params: dict[str, Any],
) -> JobRecord:
    """Create a queued record for ``user`` and queue its job with the session's commit."""
    record = JobRecord(
        task=spec.name,
        kind=_KINDS.get(spec.name, "job"),
        title=title,
        params=params,
        user_id=user.id if user is not None else None,
        partner_id=getattr(user, "partner_id", None),
        status=QUEUED,
    )
    session.add(record)
    session.flush()
    jobs.enqueue(session, spec, record.id)
    return record


def retry(session: Session, record_id: int) -> JobRecord:
    """Queue a failed job again (with the session's commit)."""
    record = session.get(JobRecord, record_id)
    if record is None or record.status != FAILED:
        raise NotRetryable("Only a failed job can be retried.")
    record.status = QUEUED
    record.error = None
    record.progress_done = record.progress_total = 0
    record.finished_at = None
    session.flush()
    if record.task in _KINDS:
        jobs.enqueue(session, record.task, record.id)
    else:  # a background job that failed for good: one more run under its record
        jobs.enqueue(session, RETRY_FAILED_TASK, record.id)
    return record


def for_user(session: Session, user_id: int, limit: int = 50) -> list[JobRecord]:
    """A person's own job records, newest first."""
    stmt = select(JobRecord).where(JobRecord.user_id == user_id)
    return list(session.scalars(stmt.order_by(JobRecord.id.desc()).limit(limit)))


def listed(session: Session, status: str | None = None, limit: int = 100) -> list[JobRecord]:
    """Every job record (optionally in one state), newest first: for vendor admins and CLI."""
    stmt = select(JobRecord)
    if status:
        stmt = stmt.where(JobRecord.status == status)
    return list(session.scalars(stmt.order_by(JobRecord.id.desc()).limit(limit)))


def recent(session: Session, user_id: int, job_kind: str, /, **params: Any) -> list[JobRecord]:
    """A person's jobs of one kind from the last day whose params match, newest first."""
    since = utcnow() - dt.timedelta(days=1)
    return [
        item
        for item in for_user(session, user_id, limit=20)
        if item.kind == job_kind
        and item.created_at >= since
        and all((item.params or {}).get(k) == v for k, v in params.items())
    ][:3]


def active(session: Session, user_id: int, job_kind: str, /, **params: Any) -> JobRecord | None:
    """The person's job of this kind and params that is still queued or running, if any."""
    return next(
        (r for r in recent(session, user_id, job_kind, **params) if r.status in (QUEUED, RUNNING)),
        None,
    )

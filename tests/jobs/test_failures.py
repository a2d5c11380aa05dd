"""Jobs that fail: a worker that died mid-job, SMTP refusing then accepting, emails that
failed for good on the vendor admin's failed-jobs page (and retried from there)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, current_app
from sqlalchemy import func, select

from tcma import db, jobs, mail
from tcma.jobs import failures, records
from tcma.jobs.models import DONE, FAILED, RUNNING, JobEffect, JobRecord
from tests.conftest import build_world, login, make_test_app
from tests.jobs.support import Inbox, redis_or_skip, wait_for, worker_env, worker_process


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Refusing(Inbox):
    """An SMTP server that refuses the first ``refusals`` messages (451: try again later)."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals
        self.refused = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refused < self.refusals:
            self.refused += 1
            return "451 4.3.0 Mail server busy, try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp() -> Iterator[tuple[Refusing, int]]:
    handler, port = Refusing(refusals=1), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_a_job_whose_worker_died_is_failed_by_the_sweep_and_can_be_retried(
    app: Flask, db_session, world, as_a_user, as_admin
) -> None:
    long_ago = db.utcnow() - dt.timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 60)
    user = world.users["a_user"]

    def running(heartbeat: dt.datetime) -> JobRecord:
        record = JobRecord(
            task="pipeline.export_csv",
            kind="export",
            title="Leads export (Salesforce CSV)",
            params={"kind": "leads", "crm": "salesforce", "filter": {}, "token": "t"},
            user_id=user.id,
            partner_id=user.partner_id,
            status=RUNNING,
            attempts=1,
            started_at=long_ago,
            heartbeat_at=heartbeat,
        )
        db_session.add(record)
        return record

    dead, alive = running(long_ago), running(db.utcnow())
    db_session.commit()

    with app.app_context():
        session = db.session()
        assert failures.sweep_stale_job(session) == 1
        session.commit()
        assert failures.sweep_stale_job(session) == 0  # a second run finds nothing
    db_session.expire_all()
    assert db_session.get(JobRecord, alive.id).status == RUNNING
    swept = db_session.get(JobRecord, dead.id)
    assert swept.status == FAILED and swept.error == failures.STALE_REASON
    page = as_a_user.get(f"/jobs/{dead.id}").get_data(as_text=True)
    assert "Failed" in page and "worker running this job stopped" in page
    assert "worker running this job stopped" in as_admin.get("/jobs/failed").get_data(as_text=True)

    assert as_admin.post(f"/jobs/{dead.id}/retry").status_code == 302
    db_session.expire_all()
    retried = db_session.get(JobRecord, dead.id)
    assert retried.status == DONE and retried.attempts == 2 and retried.heartbeat_at > long_ago


def test_the_sweep_runs_every_five_minutes() -> None:
    spec = failures.sweep_stale_job
    assert spec.schedule is not None and spec.name == "jobs.sweep_stale"
    assert spec.schedule(dt.datetime(2027, 1, 4, 10, 5)) and spec.schedule(
        dt.datetime(2027, 1, 4, 10, 0)
    )
    assert not spec.schedule(dt.datetime(2027, 1, 4, 10, 7))


@pytest.mark.parametrize("broker", ["sqlite", "redis"])
def test_smtp_refusing_once_then_accepting_delivers_the_email_once_through_a_worker(
    database_url: str, tmp_path: Path, smtp, broker: str, redis_name: str
) -> None:
    handler, port = smtp
    queue = f"sqlite:///{tmp_path}/queue.sqlite3" if broker == "sqlite" else redis_or_skip()
    app = make_test_app(
        database_url,
        tmp_path,
        QUEUE_URL=queue,
        QUEUE_NAME=redis_name,
        SMTP_URL=f"smtp://127.0.0.1:{port}",
    )
    with app.app_context():
        session = db.session()
        mail.queue_mail(session, "ben@brightpath.example", "Your claim was paid", "Paid.", key="k1")
        session.commit()
    # The web app queued the job with its default delay (30 s); the worker's own setting (1 s)
    # decides when it retries, so the email arrives well before the default would allow.
    env = worker_env(app.config, TCMA_MAIL_RETRY_DELAY="1")
    with worker_process(env, "--workers", "1", cwd=tmp_path):
        wait_for(lambda: handler.envelopes, timeout=20, what="the email after a 1 s retry")
        # Give a wrongly repeated delivery the time of two more retries to show up.
        wait_for(lambda: handler.refused == 1 and not _pending(app), timeout=30, what="idle queue")
    assert handler.refused == 1
    assert [m["Subject"] for m in handler.messages()] == ["Your claim was paid"]
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(JobEffect)) == 1
        assert session.scalars(select(JobRecord)).all() == []  # not a failure: nothing to show
    app.extensions["tcma.engine"].dispose()


def _pending(app: Flask) -> int:
    queue = jobs.get_queue(app)
    return queue.pending_count() + queue.scheduled_count()


def test_an_email_that_failed_for_good_is_shown_to_vendor_admins_and_retried_once(
    database_url: str, tmp_path: Path, smtp
) -> None:
    handler, port = smtp
    handler.refusals = 1 + mail.MAIL_RETRIES  # every try of the job is refused
    app = make_test_app(
        database_url, tmp_path, SMTP_URL=f"smtp://127.0.0.1:{port}", MAIL_RETRY_DELAY=0
    )
    with app.extensions["tcma.sessionmaker"]() as writer:
        world = build_world(writer)
        writer.commit()
    # Checks read through a reader session: it takes no write lock the app would wait for.
    session = app.extensions["tcma.reader_sessionmaker"]()
    with app.app_context():
        request_session = db.session()
        mail.queue_mail(
            request_session, "ben@brightpath.example", "Your claim was paid", "Paid.", key="k2"
        )
        request_session.commit()
    assert handler.refused == 1 + mail.MAIL_RETRIES and handler.envelopes == []

    [record] = session.scalars(select(JobRecord)).all()
    session.rollback()
    assert (record.status, record.kind, record.attempts) == (FAILED, "email", 7)
    assert record.title == "Email to ben@brightpath.example: Your claim was paid"
    assert "451" in record.error
    admin = login(app.test_client(), world.users["admin"])
    page = admin.get("/jobs/failed").get_data(as_text=True)
    assert "Email to ben@brightpath.example: Your claim was paid" in page and "451" in page
    partner = login(app.test_client(), world.users["a_admin"])
    assert partner.get("/jobs/failed").status_code == 403
    assert partner.get(f"/jobs/{record.id}").status_code == 404

    handler.refusals = 0  # the mail server is back
    assert admin.post(f"/jobs/{record.id}/retry").status_code == 302
    assert [m["Subject"] for m in handler.messages()] == ["Your claim was paid"]
    session.expire_all()
    assert session.get(JobRecord, record.id).status == DONE
    session.rollback()
    assert "No failed jobs" in admin.get("/jobs/failed").get_data(as_text=True)
    admin.post(f"/jobs/{record.id}/retry")  # a second click: nothing is sent twice
    assert len(handler.envelopes) == 1
    session.close()
    app.extensions["tcma.engine"].dispose()


@records.tracked("tests.heartbeat_probe", kind="export")
def heartbeat_probe(session, params: dict, progress) -> tuple[str, str]:
    """Works until its record's heartbeat has moved on from its start (a long job, alive)."""
    factory = current_app.extensions["tcma.reader_sessionmaker"]

    def beat_seen() -> bool:
        with factory() as reader:
            record = reader.get(JobRecord, params["record_id"])
            return record.heartbeat_at > record.started_at

    wait_for(beat_seen, timeout=20, what="a heartbeat while the job runs")
    return "", "probe.txt"


def test_a_running_job_writes_its_heartbeat_so_the_sweep_leaves_it_alone(
    database_url: str, tmp_path: Path
) -> None:
    app = make_test_app(database_url, tmp_path, JOB_LEASE_SECONDS=3)  # a beat every second
    with app.extensions["tcma.sessionmaker"]() as writer:
        world = build_world(writer)
        writer.commit()
        user = world.users["a_user"]
        with app.test_request_context():
            record = records.start(writer, user, heartbeat_probe, "Probe", {})
            record.params = {"record_id": record.id}
            writer.commit()  # the job runs now (immediate queue) and waits for its heartbeat
    with app.extensions["tcma.reader_sessionmaker"]() as reader:
        record = reader.get(JobRecord, record.id)
        assert record.status == DONE and record.heartbeat_at > record.started_at
    app.extensions["tcma.engine"].dispose()

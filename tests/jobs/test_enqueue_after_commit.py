"""A job queued in a transaction starts only if the transaction commits; emails alike."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tcma import db, jobs
from tcma.mail import queue_mail
from tests.conftest import make_test_app

RAN: list[str] = []


@jobs.task("tests.record_run")
def record_run(session, label: str) -> None:
    RAN.append(label)


def test_committed_transaction_runs_its_job(app: Flask) -> None:
    RAN.clear()
    with app.app_context():
        session = db.session()
        jobs.enqueue(session, record_run, "committed")
        assert RAN == []  # not before the commit
        session.commit()
    assert RAN == ["committed"]


def test_rolled_back_transaction_starts_no_job(app: Flask) -> None:
    RAN.clear()
    with app.app_context():
        session = db.session()
        jobs.enqueue(session, record_run, "rolled back")
        session.rollback()
        session.commit()
    assert RAN == []


def test_rolled_back_transaction_sends_no_email(app: Flask, outbox: Path) -> None:
    with app.app_context():
        session = db.session()
        queue_mail(session, "partner@example.com", "Your claim was approved", "Approved.")
        session.rollback()
    assert not outbox.exists() or list(outbox.iterdir()) == []


def test_committed_transaction_sends_its_email_once(app: Flask, outbox: Path) -> None:
    with app.app_context():
        session = db.session()
        key = queue_mail(session, "partner@example.com", "Your claim was approved", "Approved.")
        session.commit()
        # The same job delivered again (a retry after the send) has no second effect.
        jobs.enqueue_now(
            "mail.send", key, ["partner@example.com"], "Your claim was approved", "Approved."
        )
    messages = list(outbox.iterdir())
    assert len(messages) == 1
    assert "Subject: Your claim was approved" in messages[0].read_text()


def test_sqlite_queue_holds_the_job_only_after_commit(database_url: str, tmp_path: Path) -> None:
    app = make_test_app(database_url, tmp_path, QUEUE_URL="")
    queue = jobs.get_queue(app)
    assert Path(app.instance_path, "queue.sqlite3").exists()
    with app.app_context():
        session = db.session()
        jobs.enqueue(session, record_run, "x")
        session.rollback()
        assert queue.pending_count() == 0
        jobs.enqueue(session, record_run, "y")
        session.commit()
        assert queue.pending_count() == 1
    app.extensions["tcma.engine"].dispose()

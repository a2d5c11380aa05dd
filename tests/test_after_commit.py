"""Side effects registered on a session run after its commit and never after a rollback."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from tcma.db import after_commit, after_rollback


def _session() -> Session:
    return Session(create_engine("sqlite://"))


def test_actions_run_after_commit_only() -> None:
    ran: list[str] = []
    with _session() as session:
        session.execute(text("SELECT 1"))
        after_commit(session, lambda: ran.append("email"))
        after_rollback(session, lambda: ran.append("remove file"))
        assert ran == []
        session.commit()
    assert ran == ["email"]


def test_rolled_back_transaction_runs_no_commit_action() -> None:
    ran: list[str] = []
    with _session() as session:
        session.execute(text("SELECT 1"))
        after_commit(session, lambda: ran.append("email"))
        after_rollback(session, lambda: ran.append("remove file"))
        session.rollback()
        session.commit()  # a later, empty commit must not resurrect the dropped email
    assert ran == ["remove file"]


def test_savepoint_release_waits_for_the_outer_commit() -> None:
    ran: list[str] = []
    with _session() as session:
        with session.begin_nested():
            after_commit(session, lambda: ran.append("job"))
        assert ran == []
        session.commit()
    assert ran == ["job"]


def test_failing_action_does_not_stop_the_others() -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("smtp down")

    with _session() as session:
        after_commit(session, broken)
        after_commit(session, lambda: ran.append("second"))
        session.commit()
    assert ran == ["second"]


def test_action_registered_before_any_sql_is_dropped_by_rollback() -> None:
    ran: list[str] = []
    with _session() as session:
        after_commit(session, lambda: ran.append("job"))
        session.rollback()
        session.commit()
    assert ran == []

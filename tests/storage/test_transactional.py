"""Files written in a transaction go away with its rollback; deletes wait for its commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tcma.storage import LocalStorage, delete_after_commit, put_in_transaction
from tests.faults import commit_fails


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files", lambda *args: "")


@pytest.fixture
def session(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with Session(engine) as db_session:
        db_session.execute(text("SELECT 1"))
        yield db_session
    engine.dispose()


def test_a_new_file_is_removed_when_the_commit_fails(session, storage) -> None:
    put_in_transaction(session, storage, "proofs/new.pdf", b"%PDF")
    assert storage.read("proofs/new.pdf") == b"%PDF"  # written before the commit
    with commit_fails(session.get_bind()), pytest.raises(OperationalError):
        session.commit()
    session.rollback()
    assert not storage.exists("proofs/new.pdf")


def test_a_new_file_stays_after_a_commit(session, storage) -> None:
    put_in_transaction(session, storage, "proofs/new.pdf", b"%PDF")
    session.commit()
    session.rollback()  # a later rollback is another transaction's
    assert storage.read("proofs/new.pdf") == b"%PDF"


def test_a_replaced_file_gets_its_old_content_back_on_rollback(session, storage) -> None:
    storage.put("drafts/page.html", b"<p>before</p>")
    put_in_transaction(session, storage, "drafts/page.html", b"<p>one</p>", replaces=True)
    put_in_transaction(session, storage, "drafts/page.html", b"<p>two</p>", replaces=True)
    assert storage.read("drafts/page.html") == b"<p>two</p>"
    session.rollback()
    assert storage.read("drafts/page.html") == b"<p>before</p>"


def test_a_file_written_twice_in_a_transaction_is_still_removed(session, storage) -> None:
    put_in_transaction(session, storage, "drafts/new.html", b"one")
    put_in_transaction(session, storage, "drafts/new.html", b"two", replaces=True)
    session.rollback()
    assert storage.list_keys("drafts/") == []


def test_a_content_addressed_file_others_use_survives_a_rollback(session, storage) -> None:
    storage.put("logos/abc.png", b"png")  # committed earlier by another brand version
    put_in_transaction(session, storage, "logos/abc.png", b"png", content_addressed=True)
    put_in_transaction(session, storage, "logos/def.png", b"other", content_addressed=True)
    session.rollback()
    assert storage.list_keys("logos/") == ["logos/abc.png"]


def test_deletes_wait_for_the_commit_and_never_run_after_a_failed_one(session, storage) -> None:
    storage.put("proofs/a.pdf", b"a")
    storage.put("proofs/b.pdf", b"b")
    delete_after_commit(session, storage, ["proofs/a.pdf", "proofs/b.pdf"])
    assert storage.list_keys("proofs/") == ["proofs/a.pdf", "proofs/b.pdf"]
    with commit_fails(session.get_bind()), pytest.raises(OperationalError):
        session.commit()
    session.rollback()
    session.commit()
    assert storage.list_keys("proofs/") == ["proofs/a.pdf", "proofs/b.pdf"]

    delete_after_commit(session, storage, "proofs/a.pdf")
    session.commit()
    assert storage.list_keys("proofs/") == ["proofs/b.pdf"]

"""On SQLite a transaction that may write takes the write lock when it begins; readers do not."""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from tcma import db
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite locking (PostgreSQL has row locks)")


def _other_writer_can_begin(database_url: str) -> bool:
    engine = db.make_engine(database_url, busy_timeout=0.2)
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except exc.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        engine.dispose()


def test_a_writer_holds_the_write_lock_from_its_first_read(app, database_url):
    with app.extensions["tcma.sessionmaker"]() as writer:
        writer.execute(text("SELECT count(*) FROM users"))  # only a read so far
        assert not _other_writer_can_begin(database_url)
    assert _other_writer_can_begin(database_url)


def test_a_reader_does_not_hold_the_lock_until_it_writes(app, database_url, world):
    with app.extensions["tcma.reader_sessionmaker"]() as reader:
        reader.execute(text("SELECT count(*) FROM users"))
        assert _other_writer_can_begin(database_url)
        reader.execute(text("UPDATE users SET name = name"))
        assert not _other_writer_can_begin(database_url)
        reader.rollback()


@pytest.mark.parametrize(
    ("method", "path", "reads_only"),
    [
        ("GET", "/mdf/requests", True),
        ("HEAD", "/mdf/requests", True),
        ("POST", "/mdf/requests/new", False),
        ("POST", "/campaigns/new/preview/email", True),  # a live preview renders, never writes
    ],
)
def test_requests_get_the_session_their_method_needs(app, method, path, reads_only):
    with app.test_request_context(path, method=method):
        app.preprocess_request()
        options = db.session().get_bind().get_execution_options()
        begins = options.get(db.BEGIN_OPTION, db.BEGIN_IMMEDIATE)
        assert begins == (db.BEGIN_ON_FIRST_WRITE if reads_only else db.BEGIN_IMMEDIATE)


def test_jobs_and_commands_may_write_so_they_take_the_lock(app):
    with app.app_context():
        options = db.session().get_bind().get_execution_options()
        assert options.get(db.BEGIN_OPTION, db.BEGIN_IMMEDIATE) == db.BEGIN_IMMEDIATE

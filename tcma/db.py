"""Database engine, one session per request, the declarative Base and the Money type.

Money is stored as integer minor units (cents) so that sums done in SQL are exact on
SQLite too, and comes back as Decimal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import (
    BigInteger,
    DateTime,
    MetaData,
    bindparam,
    create_engine,
    event,
    exc,
    func,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")
log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Timezone-aware now, the only clock models use."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use tcma.db.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Money(TypeDecorator):
    """Decimal in Python, integer cents in SQL: exact sums on every database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Any) -> int | None:
        if value is None:
            return None
        amount = Decimal(value)
        cents = amount * 100
        if cents != cents.to_integral_value():
            raise ValueError(f"{value} has more than two decimals")
        return int(cents)

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


# How a transaction begins on SQLite. SQLite's FOR UPDATE does not exist, so the money rules
# (no approval, claim or payment below zero) need another way to serialise writers: every
# transaction that may write takes the database's write lock when it begins (BEGIN IMMEDIATE;
# SQLAlchemy's pysqlite recipe: pysqlite's own BEGIN is switched off and we emit ours), so
# its reads already see every earlier writer's commit and no later writer can slip in
# between its check and its write. Writers wait for each other up to the busy timeout.
# GET/HEAD requests only read (a landing page view adds one counter upsert): taking the write
# lock for them would queue every page behind every write, so they run as pysqlite does by
# default: each read sees the latest commit, and a write takes the lock when it happens.
BEGIN_OPTION = "tcma_sqlite_begin"
BEGIN_IMMEDIATE = "immediate"
BEGIN_ON_FIRST_WRITE = "on_first_write"


def _sqlite_connect(busy_timeout: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None  # we say when a transaction begins
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    return on_connect


def _sqlite_begin(conn: Connection) -> None:
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is None:
        raise RuntimeError("the SQLite connection is closed")
    options = conn.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return  # each statement is its own transaction (a landing page's one read): no lock
    if options.get(BEGIN_OPTION) == BEGIN_ON_FIRST_WRITE:
        dbapi_connection.isolation_level = ""  # pysqlite's BEGIN before the first write
    else:
        dbapi_connection.isolation_level = None
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, busy_timeout: float = 30.0, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL, a busy timeout and BEGIN IMMEDIATE."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect(busy_timeout))
        event.listen(engine, "begin", _sqlite_begin)
    else:
        _ping_idle_connections(engine)
    return engine


def reader_engine(engine: Engine) -> Engine:
    """The same engine (and pool) for work that only reads: on SQLite it takes no lock up front."""
    return engine.execution_options(**{BEGIN_OPTION: BEGIN_ON_FIRST_WRITE})


#: A pooled connection unused this long is pinged before it is handed out (a database restart
#: or an idle timeout may have closed it); busy connections skip that round trip, which
#: pool_pre_ping would spend on every request.
PING_AFTER_IDLE_SECONDS = 10.0
_IDLE_SINCE = "tcma.idle_since"


def _ping_idle_connections(engine: Engine) -> None:
    def fresh(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means: use another connection
            # The pool drops this connection and checks out (or opens) another one.
            raise exc.DisconnectionError(str(error)) from error

    event.listen(engine, "connect", fresh)
    event.listen(engine, "checkin", fresh)
    event.listen(engine, "checkout", checkout)


def init_db(app: Flask) -> None:
    """Bind an engine and session factories to the app; close the session after each request."""
    engine = make_engine(app.config["DATABASE_URL"], app.config.get("SQLITE_BUSY_TIMEOUT", 30.0))
    app.extensions["tcma.engine"] = engine
    app.extensions["tcma.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.extensions["tcma.reader_sessionmaker"] = sessionmaker(
        bind=reader_engine(engine), expire_on_commit=False
    )
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["tcma.engine"]


def reads_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a POST view that never writes (a live preview): it need not wait for the write lock."""
    view.reads_only = True  # type: ignore[attr-defined]
    return view


def _request_reads_only() -> bool:
    if not has_request_context():
        return False
    if request.method in ("GET", "HEAD"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "reads_only", False))


def session() -> Session:
    """The session of the current request (or CLI command, or job), created on first use.

    GET and HEAD requests (and views marked ``reads_only``) get a reader session; everything
    else may write and so, on SQLite, begins with the write lock (see BEGIN_OPTION above).
    """
    if "db_session" not in g:
        factory = "tcma.reader_sessionmaker" if _request_reads_only() else "tcma.sessionmaker"
        g.db_session = current_app.extensions[factory]()
    return g.db_session


def commit_if_open() -> None:
    """Commit the request's session if it began a transaction or holds unsaved changes.

    A request that read nothing, or only from caches, sends no COMMIT and runs no hooks.
    """
    db_session = g.get("db_session")
    if db_session is not None and (
        db_session.in_transaction() or db_session.new or db_session.dirty or db_session.deleted
    ):
        db_session.commit()


def rollback_if_open() -> None:
    """Roll back the request's session if one was opened."""
    if "db_session" in g:
        g.db_session.rollback()


def _close_session(exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        # close() alone would end an open transaction without the after-rollback actions
        # (removing files written for it), so anything left uncommitted is rolled back.
        if exc is not None or db_session.in_transaction():
            db_session.rollback()
        db_session.close()


# Side effects that must follow the transaction: emails, jobs, webhooks and storage deletes
# run after the outermost commit; cleanups of files written during the transaction run after a
# rollback. Both lists are dropped once either happens, so nothing runs twice.
def lock_for_transaction(db_session: Session, name: str) -> None:
    """Hold a lock on ``name`` until the transaction ends: writers of the same name queue.

    For rows that do not exist yet (``FOR UPDATE`` has nothing to lock): PostgreSQL takes a
    transaction-scoped advisory lock; SQLite needs none, its writers already hold the
    database's write lock from their BEGIN IMMEDIATE. A lock taken within an earlier
    statement of this transaction (see lock_column) is not asked for again.
    """
    if db_session.get_bind().dialect.name != "postgresql":
        return
    if name in transaction_memo(db_session).get(_LOCKS, ()):
        return
    db_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(name)})


def lock_column(db_session: Session, name: str) -> tuple[Any, dict[str, int]]:
    """(column, parameters) that take lock_for_transaction's lock inside another SELECT
    (one round trip fewer); (None, {}) where no lock is needed. Call locked_by_column(name)
    once that SELECT has returned its row."""
    if db_session.get_bind().dialect.name != "postgresql":
        return None, {}
    column = func.pg_advisory_xact_lock(bindparam("tcma_lock_key", type_=BigInteger))
    return column, {"tcma_lock_key": _lock_key(name)}


def locked_by_column(db_session: Session, name: str) -> None:
    """Note that a SELECT with lock_column(name) returned a row: the lock is held."""
    locks = transaction_memo(db_session).setdefault(_LOCKS, set())
    locks.add(name)


def _lock_key(name: str) -> int:
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_LOCKS = "locks"
_MEMO = "tcma.transaction_memo"


def transaction_memo(db_session: Session) -> dict[Any, Any]:
    """Facts learnt within the session's current transaction, forgotten when it ends."""
    transaction = db_session.get_transaction()
    memo = db_session.info.get(_MEMO)
    if memo is None or memo[0] is not transaction:
        memo = db_session.info[_MEMO] = (transaction, {})
    return memo[1]


_AFTER_COMMIT = "tcma.after_commit"
_AFTER_ROLLBACK = "tcma.after_rollback"


def _in_transaction(db_session: Session) -> None:
    # An action registered before any SQL belongs to the transaction that begins now (no
    # connection yet), so a rollback drops it instead of a later commit running it.
    if not db_session.in_transaction():
        db_session.begin()


def after_commit(db_session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once ``db_session``'s transaction has committed; never if it rolls back."""
    _in_transaction(db_session)
    db_session.info.setdefault(_AFTER_COMMIT, []).append(action)


def after_rollback(db_session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` if ``db_session``'s transaction rolls back (e.g. remove a written file)."""
    _in_transaction(db_session)
    db_session.info.setdefault(_AFTER_ROLLBACK, []).append(action)


def _run_actions(actions: list[Callable[[], None]], when: str) -> None:
    for action in actions:
        try:
            action()
        except Exception:  # one failed side effect must not stop the others
            log.exception("%s action %r failed", when, action)


@event.listens_for(Session, "after_commit")
def _on_commit(db_session: Session) -> None:
    if db_session.in_nested_transaction():
        return
    db_session.info.pop(_AFTER_ROLLBACK, None)
    _run_actions(db_session.info.pop(_AFTER_COMMIT, []), "after-commit")


@event.listens_for(Session, "after_soft_rollback")
def _on_rollback(db_session: Session, previous_transaction: Any) -> None:
    if previous_transaction.nested:
        return
    db_session.info.pop(_AFTER_COMMIT, None)
    _run_actions(db_session.info.pop(_AFTER_ROLLBACK, []), "after-rollback")

"""Database engine, one session per request, the declarative Base and the Money type.

Money is stored as integer minor units (cents) so that sums done in SQL are exact on
SQLite too, and comes back as Decimal.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import BigInteger, DateTime, MetaData, create_engine, event, exc
from sqlalchemy.engine import Engine
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


def to_money(value: Decimal | int | str) -> Decimal:
    """Quantize to cents; refuses floats, which cannot hold money exactly."""
    if isinstance(value, float):
        raise TypeError("money must be Decimal, int or str, never float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


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


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        _ping_idle_connections(engine)
    return engine


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
    """Bind an engine and a session factory to the app; close the session after each request."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["tcma.engine"] = engine
    app.extensions["tcma.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["tcma.engine"]


def session() -> Session:
    """The session of the current request (or CLI command), created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["tcma.sessionmaker"]()
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
        if exc is not None:
            db_session.rollback()
        db_session.close()


# Side effects that must follow the transaction: emails, jobs, webhooks and storage deletes
# run after the outermost commit; cleanups of files written during the transaction run after a
# rollback. Both lists are dropped once either happens, so nothing runs twice.
_AFTER_COMMIT = "tcma.after_commit"
_AFTER_ROLLBACK = "tcma.after_rollback"


def after_commit(db_session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once ``db_session``'s transaction has committed; never if it rolls back."""
    db_session.info.setdefault(_AFTER_COMMIT, []).append(action)


def after_rollback(db_session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` if ``db_session``'s transaction rolls back (e.g. remove a written file)."""
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

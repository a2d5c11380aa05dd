"""Shared fixtures: an app on a fresh database per test, demo-like data, signed-in clients.

The database is SQLite (a copy of a template made once per run) unless
TCMA_TEST_DATABASE_URL points at PostgreSQL, as CI does for its second run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import utils as login_utils
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

import tcma.models  # noqa: F401 - every table on Base.metadata
from tcma import create_app
from tcma.accounts import rules, services
from tcma.accounts.models import Partner, Tier, User
from tcma.db import Base, make_engine, reader_engine

TEST_PASSWORD = "blue-harbour-lantern-42"
WORLD_SEEDED = "tcma_world_seeded"


def _database_per_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (test_gw0, ...)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _share_url_builders() -> None:
    """Every test builds a new app, and werkzeug compiles two URL-builder functions per rule
    each time (~60% of create_app). The compiled code depends only on the rule's parts (the
    converters are looked up on the rule when a URL is built), so identical rules share it."""
    original = Rule._compile_builder
    compiled: dict[tuple[Any, ...], Any] = {}

    def compile_builder(self: Rule, append_unknown: bool = True) -> Any:
        if self.defaults:  # defaults are folded into the code: compile as werkzeug does
            return original(self, append_unknown)
        key = (tuple(self._trace), append_unknown)
        if key not in compiled:
            compiled[key] = original(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = compile_builder  # type: ignore[method-assign]


_share_url_builders()

PG_URL = _database_per_worker(os.environ.get("TCMA_TEST_DATABASE_URL", ""))

# One scrypt hash for every test user: hashing is deliberately slow, and tests make many users.
_PASSWORD_HASH = services.hash_password(TEST_PASSWORD)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="PostgreSQL suite: set TCMA_TEST_DATABASE_URL to run it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tcma.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with reader_engine(engine).connect() as conn:  # a checkpoint runs outside a transaction
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_world_template(sqlite_template: Path) -> Path:
    """The empty template plus build_world's data: most tests start from it (users are slow)."""
    path = sqlite_template.with_name("world.sqlite3")
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        build_world(session)
    with reader_engine(engine).connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    engine = make_engine(PG_URL)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    Base.metadata.create_all(engine)
    engine.dispose()
    yield PG_URL


def _truncate_pg(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        url = request.getfixturevalue("pg_schema")
        yield url
        _truncate_pg(url)
    else:
        # A test that asks for the world starts from a copy that already holds it.
        seeded = "world" in request.fixturenames
        setattr(request.node, WORLD_SEEDED, seeded)
        template = request.getfixturevalue("sqlite_world_template" if seeded else "sqlite_template")
        target = tmp_path / "tcma.sqlite3"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"


def make_test_app(database_url: str, tmp_path: Path, **overrides: object) -> Flask:
    """An app on the given database with storage and mail in the test's folder."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "STORAGE_URL": f"file://{tmp_path / 'storage'}",
        "SMTP_URL": "",
        # Jobs run in-process right after the commit; tests of the queue itself use a real one.
        "QUEUE_URL": "immediate",
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://tcma.test",
    }
    config.update(overrides)
    app = create_app(config)
    return app


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = make_test_app(database_url, tmp_path)
    yield application
    application.extensions["tcma.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the test database for setting up data and checking results.

    It is not the request's session and pushes no app context, so requests made by test
    clients run exactly as they do in production (their own context and session).
    """
    # A reader session, as GET requests have: on SQLite it takes the write lock only when it
    # writes, so a test that looked something up does not block the requests it makes next.
    session = app.extensions["tcma.reader_sessionmaker"]()
    yield session
    session.close()


@dataclass
class World:
    """Tiers, two partner companies and one user per role, as the demo has."""

    tiers: dict[str, Tier] = field(default_factory=dict)
    partner_a: Partner | None = None
    partner_b: Partner | None = None
    users: dict[str, User] = field(default_factory=dict)


def _add_user(session: Session, email: str, role: str, partner: Partner | None, name: str) -> User:
    user = services.invite_user(session, None, email, role, partner.id if partner else None, name)
    user.password_hash = _PASSWORD_HASH
    user.status = "active"
    return user


# key, email, role, partner ("a", "b" or None), name
WORLD_USERS = (
    ("admin", "admin@vendor.example", rules.ADMIN, None, "Ada Admin"),
    ("marketer", "marketer@vendor.example", rules.MARKETER, None, "Mo Marketer"),
    ("finance", "finance@vendor.example", rules.FINANCE, None, "Fin Ance"),
    ("marketer2", "marketer2@vendor.example", rules.MARKETER, None, "Max Second"),
    ("finance2", "finance2@vendor.example", rules.FINANCE, None, "Fay Second"),
    ("a_admin", "anna@brightpath.example", rules.PARTNER_ADMIN, "a", "Anna A-Admin"),
    ("a_user", "ben@brightpath.example", rules.PARTNER_USER, "a", "Ben A-User"),
    ("b_admin", "carla@cobalt.example", rules.PARTNER_ADMIN, "b", "Carla B-Admin"),
    ("b_user", "dev@cobalt.example", rules.PARTNER_USER, "b", "Dev B-User"),
)
PARTNER_A, PARTNER_B = "Brightpath IT", "Cobalt Systems Group"


def build_world(session: Session) -> World:
    """Create the standard test data and commit it."""
    world = World()
    for name, rank in (("platinum", 3), ("gold", 2), ("registered", 1)):
        world.tiers[name] = services.create_tier(session, None, name, rank)
    world.partner_a = services.create_partner(
        session, None, PARTNER_A, world.tiers["gold"].id, "EMEA", "https://brightpath.example"
    )
    world.partner_b = services.create_partner(
        session, None, PARTNER_B, world.tiers["platinum"].id, "NA", ""
    )
    partners = {"a": world.partner_a, "b": world.partner_b}
    for key, email, role, partner, name in WORLD_USERS:
        world.users[key] = _add_user(session, email, role, partners.get(partner or ""), name)
    session.commit()
    return world


def load_world(session: Session) -> World:
    """The World that build_world made earlier in this database (the SQLite world template)."""
    world = World(tiers={tier.name: tier for tier in session.scalars(select(Tier))})
    partners = {p.name: p for p in session.scalars(select(Partner))}
    world.partner_a, world.partner_b = partners[PARTNER_A], partners[PARTNER_B]
    users = {user.email: user for user in session.scalars(select(User))}
    world.users = {key: users[email] for key, email, *_ in WORLD_USERS}
    return world


@pytest.fixture
def world(request: pytest.FixtureRequest, db_session: Session) -> World:
    if getattr(request.node, WORLD_SEEDED, False):
        return load_world(db_session)
    return build_world(db_session)


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Sign a test client in as user without the cost of a password check."""
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = login_utils._create_identifier()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess["_id"] = identifier
    return client


@pytest.fixture
def login_as(app: Flask, world: World):
    """login_as("a_user") → a new client signed in as that world user."""

    def make(key: str) -> FlaskClient:
        return login(app.test_client(), world.users[key])

    return make


@pytest.fixture
def as_admin(login_as) -> FlaskClient:
    return login_as("admin")


@pytest.fixture
def as_marketer(login_as) -> FlaskClient:
    return login_as("marketer")


@pytest.fixture
def as_finance(login_as) -> FlaskClient:
    return login_as("finance")


@pytest.fixture
def as_a_admin(login_as) -> FlaskClient:
    return login_as("a_admin")


@pytest.fixture
def as_a_user(login_as) -> FlaskClient:
    return login_as("a_user")


@pytest.fixture
def as_b_admin(login_as) -> FlaskClient:
    return login_as("b_admin")


@pytest.fixture
def as_b_user(login_as) -> FlaskClient:
    return login_as("b_user")


@pytest.fixture
def outbox(app: Flask) -> Path:
    """The folder where the default mailer writes .eml files."""
    return Path(app.instance_path) / "mail"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Say plainly which suites did not run on this machine, and why."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        if reason.endswith(")") or "suite:" in reason:
            reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        terminalreporter.section("suites skipped on this machine")
        for reason, count in sorted(reasons.items()):
            terminalreporter.write_line(f"{count:4d} tests skipped — {reason}")

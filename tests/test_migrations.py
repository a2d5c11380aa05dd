"""Migrations build exactly the schema the models and the trigger installer build, and undo it.

Runs on SQLite, and on PostgreSQL when TCMA_TEST_DATABASE_URL is set. Every comparison is
general (whatever tables, indexes and triggers exist), so it holds for every later migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Engine

import tcma.models  # noqa: F401 - registers every table on Base.metadata
from tcma import migrate
from tcma.db import Base, make_engine
from tests.conftest import PG_URL


@pytest.fixture
def empty_database(tmp_path) -> Iterator[tuple[str, Engine]]:
    """An empty database: a new SQLite file, or the PostgreSQL test database wiped clean."""
    url = PG_URL or f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    engine = make_engine(url)
    _wipe(engine)
    try:
        yield url, engine
    finally:
        if PG_URL:
            # Later tests in this process expect the schema the session fixture created.
            _wipe(engine)
            Base.metadata.create_all(engine)
        engine.dispose()


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
            return
        # Every table there is (the migrations' too), dropped in foreign-key order.
        tables = MetaData()
        tables.reflect(conn)
        tables.drop_all(conn)


def snapshot(engine: Engine) -> dict[str, Any]:
    """Everything a schema is made of, as read back from the database itself."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        tables[name] = {
            # By name: a column a later migration adds comes last, wherever the model has it.
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(name)
            ),
            "primary key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign keys": sorted(
                (str(fk["name"]), tuple(fk["constrained_columns"]), fk["referred_table"])
                + (tuple(fk["referred_columns"]), str(fk.get("options")))
                for fk in inspector.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (str(i["name"]), tuple(map(str, i["column_names"])), bool(i["unique"]))
                + (_options(i.get("dialect_options", {})),)
                for i in inspector.get_indexes(name)
            ),
            "unique": sorted(
                (str(u["name"]), tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(name)
            ),
            "checks": sorted(
                (str(c["name"]), " ".join(c["sqltext"].split()))
                for c in inspector.get_check_constraints(name)
            ),
        }
    return {"tables": tables, **_triggers(engine)}


def _options(options: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    # Partial indexes: their WHERE clause as text, spaces folded.
    return tuple(sorted((key, " ".join(str(value).split())) for key, value in options.items()))


def _triggers(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            triggers = conn.exec_driver_sql(
                "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal ORDER BY 1, 2"
            ).all()
            functions = conn.exec_driver_sql(
                "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public' ORDER BY 1"
            ).all()
            return {
                "triggers": [tuple(t) for t in triggers],
                "functions": [tuple(f) for f in functions],
            }
        triggers = conn.exec_driver_sql(
            "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY 1, 2"
        ).all()
        return {"triggers": [tuple(t) for t in triggers], "functions": []}


def _model_schema(engine: Engine) -> dict[str, Any]:
    Base.metadata.create_all(engine)  # the trigger installer runs on create_all
    try:
        return snapshot(engine)
    finally:
        _wipe(engine)


def test_migrated_database_matches_the_models_and_the_trigger_installer(empty_database) -> None:
    url, engine = empty_database
    expected = _model_schema(engine)
    assert expected["tables"] and expected["triggers"]

    migrate.upgrade(url)

    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == [], f"models and migrations disagree: {diff}"
    migrated = snapshot(engine)
    assert sorted(migrated["tables"]) == sorted(expected["tables"])
    for table, shape in expected["tables"].items():
        assert migrated["tables"][table] == shape, f"table {table} differs"
    assert migrated["triggers"] == expected["triggers"]
    assert migrated["functions"] == expected["functions"]


def test_upgrade_downgrade_upgrade_on_an_empty_database(empty_database) -> None:
    url, engine = empty_database
    config = migrate.alembic_config(url)

    migrate.upgrade(url)
    first = snapshot(engine)
    assert first["tables"] and first["triggers"]

    command.downgrade(config, "base")
    emptied = snapshot(engine)
    assert emptied == {"tables": {}, "triggers": [], "functions": []}

    migrate.upgrade(url)
    assert snapshot(engine) == first

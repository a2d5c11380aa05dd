"""Triggers that keep the monthly roll-ups exact, and a rebuild from the source tables.

Each source row contributes fixed amounts to one or two roll-up rows; an insert adds its
contribution, a delete subtracts it, an update does both. The same SQL, generated per
dialect, runs as triggers (PostgreSQL: PL/pgSQL; SQLite: trigger bodies) and, summed with
GROUP BY, rebuilds the roll-ups from scratch (after a bulk load or in a migration).
"""

# Every SQL string here is built from the fixed names and codes below, never from input.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.engine import Connection

from tcma.db import Base
from tcma.reports.sources import (
    ALLOCATION_KINDS,
    CLOSED_WON,
    COMMITMENT_KINDS,
    OPEN_STAGES,
    PAY,
    QUALIFIED_STATUSES,
)


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def month(dialect: str, column: str, is_date: bool = False) -> str:
    """SQL for the first day of the UTC month of a timestamp (or date) column."""
    if dialect == "postgresql":
        source = column if is_date else f"({column} AT TIME ZONE 'UTC')"
        return f"date_trunc('month', {source})::date"
    return f"date({column}, 'start of month')"


@dataclass(frozen=True)
class Part:
    """One contribution of a source row: key and value expressions, and when it applies."""

    keys: tuple[str, ...]
    values: tuple[str, ...]
    when: str = "1 = 1"


@dataclass(frozen=True)
class Rollup:
    """A roll-up table fed by one source table (a table may be fed by several)."""

    table: str
    source: str
    key_columns: tuple[str, ...]
    sum_columns: tuple[str, ...]
    watched: tuple[str, ...]
    parts: Callable[[str, str], list[Part]]  # (dialect, source row name) -> contributions

    @property
    def name(self) -> str:
        return f"{self.table}_{self.source}"


def _kit(row: str) -> str:
    # A campaign's kit never changes: looking it up when the row is written is enough.
    return f"coalesce((SELECT kit_id FROM campaigns WHERE campaigns.id = {row}.campaign_id), 0)"


def _qualified(row: str) -> str:
    return f"CASE WHEN {row}.status IN ({_listed(QUALIFIED_STATUSES)}) THEN 1 ELSE 0 END"


def _leads(by_kit: bool) -> Callable[[str, str], list[Part]]:
    def parts(dialect: str, row: str) -> list[Part]:
        where = (
            (_kit(row), "''")
            if by_kit
            else (f"{row}.partner_id", f"coalesce({row}.campaign_id, 0)")
        )
        return [Part((month(dialect, f"{row}.created_at"), *where), ("1", _qualified(row)))]

    return parts


def _views(by_kit: bool) -> Callable[[str, str], list[Part]]:
    def parts(dialect: str, row: str) -> list[Part]:
        where = (_kit(row), "''") if by_kit else (f"{row}.campaign_id",)
        return [Part((month(dialect, f"{row}.day", True), *where), (f"{row}.views",))]

    return parts


def _deals(by_kit: bool) -> Callable[[str, str], list[Part]]:
    def parts(dialect: str, row: str) -> list[Part]:
        where = (_kit(row),) if by_kit else (f"{row}.partner_id", f"coalesce({row}.campaign_id, 0)")
        keys = (*where, f"{row}.currency")
        is_open = f"CASE WHEN {row}.stage IN ({_listed(OPEN_STAGES)}) THEN {row}.amount ELSE 0 END"
        return [
            Part(
                (month(dialect, f"{row}.created_at"), *keys),
                ("1", f"{row}.amount", is_open, "0", "0"),
            ),
            Part(
                (month(dialect, f"{row}.closed_on", True), *keys),
                ("0", "0", "0", "1", f"{row}.amount"),
                f"{row}.stage = '{CLOSED_WON}' AND {row}.closed_on IS NOT NULL",
            ),
        ]

    return parts


def _ledger(dialect: str, row: str) -> list[Part]:
    budget = (
        f"(SELECT budget_id FROM mdf_allocations WHERE mdf_allocations.id = {row}.allocation_id)"
    )
    kit = (
        f"coalesce((SELECT campaigns.kit_id FROM mdf_fund_requests JOIN campaigns "
        f"ON campaigns.id = mdf_fund_requests.campaign_id "
        f"WHERE mdf_fund_requests.id = {row}.fund_request_id), 0)"
    )
    kind, amount = f"{row}.kind", f"{row}.amount"
    return [
        Part(
            (month(dialect, f"{row}.at"), budget, kit),
            (
                f"CASE WHEN {kind} IN ({_listed(ALLOCATION_KINDS)}) THEN {amount} ELSE 0 END",
                # Approvals commit, releases give back, payments turn commitments into paid money.
                f"CASE WHEN {kind} IN ({_listed(COMMITMENT_KINDS)}) THEN {amount} "
                f"WHEN {kind} = '{PAY}' THEN -{amount} ELSE 0 END",
                f"CASE WHEN {kind} = '{PAY}' THEN {amount} ELSE 0 END",
            ),
        )
    ]


LEAD_COLUMNS = ("created_at", "partner_id", "campaign_id", "status")
DEAL_COLUMNS = (
    "created_at",
    "partner_id",
    "campaign_id",
    "currency",
    "amount",
    "stage",
    "closed_on",
)
DEAL_SUMS = ("created", "new_pipeline", "open_pipeline", "won", "won_revenue")
VIEW_COLUMNS = ("day", "campaign_id", "views")
ROLLUPS = (
    Rollup(
        "report_lead_months",
        "leads",
        ("month", "partner_id", "campaign_id"),
        ("leads", "qualified"),
        LEAD_COLUMNS,
        _leads(by_kit=False),
    ),
    Rollup(
        "report_kit_months",
        "leads",
        ("month", "kit_id", "currency"),
        ("leads", "qualified"),
        LEAD_COLUMNS,
        _leads(by_kit=True),
    ),
    Rollup(
        "report_opportunity_months",
        "opportunities",
        ("month", "partner_id", "campaign_id", "currency"),
        DEAL_SUMS,
        DEAL_COLUMNS,
        _deals(by_kit=False),
    ),
    Rollup(
        "report_kit_months",
        "opportunities",
        ("month", "kit_id", "currency"),
        DEAL_SUMS,
        DEAL_COLUMNS,
        _deals(by_kit=True),
    ),
    Rollup(
        "report_view_months",
        "page_view_days",
        ("month", "campaign_id"),
        ("views",),
        VIEW_COLUMNS,
        _views(by_kit=False),
    ),
    Rollup(
        "report_kit_months",
        "page_view_days",
        ("month", "kit_id", "currency"),
        ("views",),
        VIEW_COLUMNS,
        _views(by_kit=True),
    ),
    Rollup(
        "report_fund_months",
        "mdf_ledger_entries",
        ("month", "budget_id", "kit_id"),
        ("allocated", "committed", "paid"),
        ("allocation_id", "kind", "amount", "fund_request_id", "at"),
        _ledger,
    ),
)


def _upsert(dialect: str, rollup: Rollup, values: str, tail: str) -> str:
    columns = ", ".join((*rollup.key_columns, *rollup.sum_columns))
    target = f"{rollup.table}." if dialect == "postgresql" else ""
    updates = ", ".join(f"{c} = {target}{c} + excluded.{c}" for c in rollup.sum_columns)
    # SQLite parses INSERT ... SELECT ... ON CONFLICT only with a WHERE (or GROUP BY) before it.
    return (
        f"INSERT INTO {rollup.table} ({columns}) SELECT {values} {tail} "
        f"ON CONFLICT ({', '.join(rollup.key_columns)}) DO UPDATE SET {updates}"
    )


def _row_upserts(dialect: str, rollup: Rollup, row: str, sign: str) -> str:
    return "\n".join(
        _upsert(
            dialect,
            rollup,
            ", ".join((*part.keys, *(f"{sign} * ({v})" for v in part.values))),
            f"WHERE {part.when}",
        )
        + ";"
        for part in rollup.parts(dialect, row)
    )


def _changed(dialect: str, columns: tuple[str, ...]) -> str:
    operator = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {operator} NEW.{c}" for c in columns)


def trigger_sql(dialect: str) -> list[str]:
    """The statements that (re)create every roll-up trigger on this dialect."""
    statements = []
    for rollup in ROLLUPS:
        name, source = rollup.name, rollup.source
        add = _row_upserts(dialect, rollup, "NEW", "1")
        remove = _row_upserts(dialect, rollup, "OLD", "-1")
        watched = ", ".join(rollup.watched)
        if dialect == "postgresql":
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\nIF TG_OP <> 'INSERT' THEN\n{remove}\nEND IF;\n"
                f"IF TG_OP <> 'DELETE' THEN\n{add}\nEND IF;\nRETURN NULL;\nEND $$",
                f"DROP TRIGGER IF EXISTS {name} ON {source}",
                f"CREATE TRIGGER {name} AFTER INSERT OR DELETE ON {source} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()",
                f"DROP TRIGGER IF EXISTS {name}_update ON {source}",
                f"CREATE TRIGGER {name}_update AFTER UPDATE OF {watched} ON {source} "
                f"FOR EACH ROW WHEN ({_changed(dialect, rollup.watched)}) "
                f"EXECUTE FUNCTION {name}()",
            ]
            continue
        for suffix, timing, body in (
            ("insert", "INSERT", add),
            ("delete", "DELETE", remove),
            ("update", f"UPDATE OF {watched}", f"{remove}\n{add}"),
        ):
            when = f" WHEN {_changed(dialect, rollup.watched)}" if suffix == "update" else ""
            statements += [
                f"DROP TRIGGER IF EXISTS {name}_{suffix}",
                f"CREATE TRIGGER {name}_{suffix} AFTER {timing} ON {source} "
                f"FOR EACH ROW{when} BEGIN\n{body}\nEND",
            ]
    return statements


def rebuild_sql(dialect: str) -> list[str]:
    """Statements that recompute every roll-up from the source tables (GROUP BY each source)."""
    statements = [
        f"DELETE FROM {table}" for table in dict.fromkeys(rollup.table for rollup in ROLLUPS)
    ]
    for rollup in ROLLUPS:
        keys = ", ".join(f"k{i}" for i in range(len(rollup.key_columns)))
        sums = ", ".join(f"sum(v{i})" for i in range(len(rollup.sum_columns)))
        selects = []
        for part in rollup.parts(dialect, rollup.source):
            columns = [
                *(f"{k} AS k{i}" for i, k in enumerate(part.keys)),
                *(f"{v} AS v{i}" for i, v in enumerate(part.values)),
            ]
            selects.append(f"SELECT {', '.join(columns)} FROM {rollup.source} WHERE {part.when}")
        # Several sources feed one table: each adds to what the others wrote.
        statements.append(
            _upsert(
                dialect,
                rollup,
                f"{keys}, {sums}",
                f"FROM ({' UNION ALL '.join(selects)}) AS contributions "
                f"WHERE 1 = 1 GROUP BY {keys}",
            )
        )
    return statements


def install(connection: Connection) -> None:
    """Create (or replace) the roll-up triggers on this connection's database."""
    for statement in trigger_sql(connection.dialect.name):
        connection.exec_driver_sql(statement)


def rebuild(connection: Connection) -> None:
    """Recompute every roll-up from the source tables (inside the caller's transaction)."""
    for statement in rebuild_sql(connection.dialect.name):
        connection.exec_driver_sql(statement)


@event.listens_for(Base.metadata, "after_create")
def _install_after_create_all(target: object, connection: Connection, **kw: object) -> None:
    # create_all (tests, the bench) gets the triggers too; migrations call install() themselves.
    install(connection)

"""Give the dashboard data set what list pages show: people on the leads, deal names, and one
allocation with a 50,000-entry ledger. Idempotent; run by bench/lists.py on its database."""

# Every SQL string here is built from fixed names and numbers, never from input.
# ruff: noqa: S608

from __future__ import annotations

from sqlalchemy.engine import Engine

FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Ken",
    "Frances",
    "Niklaus",
    "Radia",
    "Linus",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Allen",
    "Wirth",
]
COMPANIES = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
]
LEDGER_ALLOCATION, LEDGER_ENTRIES = 1, 50_000
TRIGRAM = (
    ("leads", "first_name"),
    ("leads", "last_name"),
    ("leads", "email"),
    ("leads", "company"),
    ("opportunities", "name"),
    ("opportunities", "account"),
)


def _array(words: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{w}'" for w in words) + "]"


def add_people(engine: Engine) -> bool:
    """Names, emails and companies on every lead, distinct deal names; False if done already."""
    with engine.begin() as conn:
        if conn.exec_driver_sql("SELECT email FROM leads WHERE id = 1").scalar():
            return False
        conn.exec_driver_sql("SET session_replication_role = replica")
        conn.exec_driver_sql("SET maintenance_work_mem = '256MB'")
        for table, column in TRIGRAM:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
        first, last, company = _array(FIRST), _array(LAST), _array(COMPANIES)
        conn.exec_driver_sql(
            f"UPDATE leads SET first_name = ({first})[1 + mod(id, 12)], "
            f"last_name = ({last})[1 + mod(id / 12, 10)], "
            f"company = ({company})[1 + mod(id / 7, 10)] || ' ' || mod(id, 997), "
            f"email = lower(({first})[1 + mod(id, 12)]) || '.' || id || '@' "
            f"|| lower(({company})[1 + mod(id / 7, 10)]) || '.example'"
        )
        conn.exec_driver_sql(
            f"UPDATE opportunities SET "
            f"account = ({company})[1 + mod(id, 10)] || ' ' || mod(id, 997), "
            f"name = ({company})[1 + mod(id, 10)] || ' renewal ' || id"
        )
        for table, column in TRIGRAM:
            conn.exec_driver_sql(
                f"CREATE INDEX ix_{table}_{column}_trgm ON {table} "
                f"USING gin ({column} gin_trgm_ops)"
            )
    return True


def add_ledger(engine: Engine) -> bool:
    """50,000 adjustments (+1/-1, so the balance stays) on one allocation; False if there."""
    with engine.begin() as conn:
        count = conn.exec_driver_sql(
            f"SELECT count(*) FROM mdf_ledger_entries WHERE allocation_id = {LEDGER_ALLOCATION}"
        ).scalar()
        if count >= LEDGER_ENTRIES:
            return False
        conn.exec_driver_sql("SET session_replication_role = replica")
        conn.exec_driver_sql(
            "INSERT INTO mdf_ledger_entries (allocation_id, kind, amount, at, comment) "
            f"SELECT {LEDGER_ALLOCATION}, 'adjust', "
            "CASE WHEN mod(n, 2) = 0 THEN 100 ELSE -100 END, "
            "now() - n * interval '10 minutes', 'bench entry ' || n "
            f"FROM generate_series(1, {LEDGER_ENTRIES - count}) AS n"
        )
    return True

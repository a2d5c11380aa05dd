"""List pages and CSV export at program scale, on PostgreSQL, against their raw SQL.

Uses the database bench_scale, or --database NAME (create it first: `createdb -h 127.0.0.1
-U postgres bench_scale`); seeds it once (bench/dashboard_seed.py: 1,000 partners, 1,000,000 leads,
100,000 opportunities, 10,000 fund requests and claims; then bench/lists_seed.py: people on
the leads and a 50,000-entry ledger on allocation 1) and a 10k-lead copy in schema small10k.
For each page: the median over --runs requests through the Flask test client, signed in;
the median of the very statements that request ran, run directly on a DBAPI cursor; their
ratio; the statements per request at 1M and at 10k leads (they must be equal).
With --export: the streamed CSV of every lead vs a plain csv.writer over the same SELECT.
Prints figures and ratios; asserts nothing about time.

Run: .venv/bin/python bench/lists.py [--runs N] [--export] [--only leads]
"""

# Every SQL string here is built from fixed names and numbers, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tcma.models  # noqa: E402,F401 - every table on Base.metadata
from bench import dashboard_seed  # noqa: E402
from bench.dashboard import login, run_page  # noqa: E402
from bench.lists_seed import LEDGER_ALLOCATION, add_ledger, add_people  # noqa: E402
from tcma import create_app  # noqa: E402
from tcma.accounts.models import User  # noqa: E402
from tcma.db import Base, make_engine  # noqa: E402
from tcma.pagination import NEXT, encode_cursor  # noqa: E402
from tcma.pipeline.export import leads_export_statement  # noqa: E402
from tcma.pipeline.listing import ListFilter  # noqa: E402

DATABASE, SMALL = "bench_scale", "small10k"
DEEP_SQL = {
    "leads": "SELECT created_at, id FROM leads WHERE erased_at IS NULL "
    "ORDER BY created_at DESC, id DESC OFFSET 750000 LIMIT 1",
    "opportunities": "SELECT created_at, id FROM opportunities "
    "ORDER BY created_at DESC, id DESC OFFSET 75000 LIMIT 1",
    "requests": "SELECT id FROM mdf_fund_requests ORDER BY id DESC OFFSET 9000 LIMIT 1",
    "claims": "SELECT id FROM mdf_claims ORDER BY id DESC OFFSET 9000 LIMIT 1",
    "payments": "SELECT paid_on, id FROM mdf_payments ORDER BY paid_on DESC, id DESC "
    "OFFSET (SELECT count(*) * 9 / 10 FROM mdf_payments) LIMIT 1",
    "ledger": f"SELECT at, id FROM mdf_ledger_entries WHERE allocation_id = {LEDGER_ALLOCATION} "
    "ORDER BY at DESC, id DESC OFFSET 40000 LIMIT 1",
}


def _url(server_url: str, schema: str | None = None) -> str:
    url = make_url(server_url).set(database=DATABASE)  # main() may rebind DATABASE
    if schema:
        url = url.update_query_dict({"options": f"-csearch_path={schema},public"})
    return url.render_as_string(hide_password=False)


def _seed(engine: Engine, small: bool) -> None:
    if small:
        dashboard_seed.LEADS, dashboard_seed.OPPORTUNITIES = 10_000, 1_000
    with engine.begin() as conn:
        # No checkfirst: public's tables are visible on the small schema's search path.
        Base.metadata.create_all(conn, checkfirst=False)
    started = time.perf_counter()
    counts = dashboard_seed.seed(engine, dt.datetime.now(dt.UTC))
    print(f"seeded in {time.perf_counter() - started:.0f} s: leads {counts['leads']:,}")


def prepare(server_url: str) -> tuple[str, str]:
    """Seed bench_scale (1M) and its schema small10k (10k) unless done; return both URLs."""
    big, small = _url(server_url), _url(server_url, SMALL)
    engine = make_engine(big)
    with engine.begin() as conn:
        seeded = conn.execute(text("SELECT to_regclass('public.leads')")).scalar()
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SMALL}"))
    if not seeded:
        _seed(engine, small=False)
    else:  # tables and indexes added since the seed are built once
        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            # Lead columns that came after the seed (migration 0003); no table rewrite.
            conn.execute(
                text(
                    "ALTER TABLE leads ADD COLUMN IF NOT EXISTS submissions integer "
                    "NOT NULL DEFAULT 1, ADD COLUMN IF NOT EXISTS last_submitted_at timestamptz"
                )
            )
            for table in Base.metadata.sorted_tables:
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
    filled = add_people(engine) | add_ledger(engine)
    small_engine = make_engine(small)
    with small_engine.connect() as conn:
        small_seeded = conn.execute(text(f"SELECT to_regclass('{SMALL}.leads')")).scalar()
    if not small_seeded:
        _seed(small_engine, small=True)
        add_people(small_engine)
        # The seed set the (public) sequences from the small tables: set them back.
        with engine.begin() as conn:
            for table in ("leads", "opportunities", "mdf_ledger_entries"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('public.{table}', 'id'), "
                        f"(SELECT max(id) FROM public.{table}))"
                    )
                )
    for each, fresh in ((engine, filled), (small_engine, not small_seeded)):
        if fresh:
            with each.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        each.dispose()
    return big, small


def _cursor(engine: Engine, name: str) -> str:
    with engine.connect() as conn:
        row = conn.execute(text(DEEP_SQL[name])).one()
    values = tuple(v.astimezone(dt.UTC) if isinstance(v, dt.datetime) else v for v in row)
    return encode_cursor(NEXT, values)


def pages(engine: Engine) -> list[tuple[str, str, str, str]]:
    """(list, label, who, url) of every page measured."""
    c = {name: _cursor(engine, name) for name in DEEP_SQL}
    emea = "tier=2&region=EMEA"
    return [
        ("leads", "first page", "admin", "/pipeline/leads"),
        ("leads", "deep page (~750,000th)", "admin", f"/pipeline/leads?cursor={c['leads']}"),
        ("leads", "text search 'Globex 42'", "admin", "/pipeline/leads?q=Globex+42"),
        ("leads", "text search 'hopper'", "admin", "/pipeline/leads?q=hopper"),
        ("leads", "dashboard link: tier, region, kit", "admin", f"/pipeline/leads?{emea}&kit=3"),
        ("leads", "a partner's first page", "partner", "/pipeline/leads"),
        ("opportunities", "first page", "admin", "/pipeline/opportunities"),
        (
            "opportunities",
            "deep page (~75,000th)",
            "admin",
            f"/pipeline/opportunities?cursor={c['opportunities']}",
        ),
        (
            "opportunities",
            "text search 'renewal 4242'",
            "admin",
            "/pipeline/opportunities?q=renewal+4242",
        ),
        (
            "opportunities",
            "dashboard link: tier, region",
            "admin",
            f"/pipeline/opportunities?{emea}",
        ),
        ("requests", "first page", "admin", "/mdf/requests"),
        ("requests", "deep page (~9,000th)", "admin", f"/mdf/requests?cursor={c['requests']}"),
        ("requests", "dashboard link: tier, region", "admin", f"/mdf/requests?{emea}"),
        ("requests", "status filter", "admin", "/mdf/requests?status=submitted"),
        ("claims", "first page", "admin", "/mdf/claims"),
        ("claims", "deep page (~9,000th)", "admin", f"/mdf/claims?cursor={c['claims']}"),
        ("claims", "dashboard link: tier, region", "admin", f"/mdf/claims?{emea}"),
        ("payments", "first page", "admin", "/mdf/payments"),
        ("payments", "deep page (90 %)", "admin", f"/mdf/payments?cursor={c['payments']}"),
        ("ledger", "50,000 entries, first page", "admin", f"/mdf/allocations/{LEDGER_ALLOCATION}"),
        (
            "ledger",
            "50,000 entries, deep page",
            "admin",
            f"/mdf/allocations/{LEDGER_ALLOCATION}?cursor={c['ledger']}",
        ),
        ("budget", "allocations of budget 1, first page", "admin", "/mdf/budgets/1"),
        ("overview", "pipeline overview (vendor)", "admin", "/pipeline/overview"),
        (
            "overview",
            "overview, a period not on month edges",
            "admin",
            "/pipeline/overview?from=2026-01-15&to=2026-06-20",
        ),
    ]


def _app(url: str, tmp: str, **extra: Any) -> Any:
    return create_app(
        {
            **extra,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": tmp,
            "STORAGE_URL": f"file://{tmp}/storage",
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
        }
    )


def _clients(app: Any) -> dict[str, Any]:
    session = app.extensions["tcma.sessionmaker"]()
    clients = {
        "admin": login(app.test_client(), session.get(User, 1)),
        "partner": login(app.test_client(), session.get(User, 2)),
    }
    session.close()
    return clients


def bench_pages(big: str, small: str, runs: int, only: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, small_app = _app(big, tmp), _app(small, tmp)
        clients, small_clients = _clients(app), _clients(small_app)
        measured = [
            p for p in pages(app.extensions["tcma.engine"]) if not only or p[0] in only.split(",")
        ]
        head = f"{'list':14} {'page':38} {'median':>9} {'raw SQL':>9} {'ratio':>6}"
        print(f"{head} {'stmts 1M':>8} {'10k':>4}")
        for name, label, who, url in measured:
            page, sql, statements = run_page(app, clients[who], url, runs)
            small_url = url.split("cursor=")[0].rstrip("?&")
            _, _, small_statements = run_page(small_app, small_clients[who], small_url, 1)
            print(
                f"{name:14} {label:38} {page:7.1f}ms {sql:7.1f}ms {page / sql:5.2f}x "
                f"{statements:8d} {small_statements:4d}"
                + ("" if statements == small_statements else "  (counts differ)")
            )
        for each in (app, small_app):
            each.extensions["tcma.engine"].dispose()


class _Sink:
    """A file object that counts and drops what is written."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, chunk: str) -> int:
        self.chars += len(chunk)
        return len(chunk)


def bench_export(big: str) -> None:
    """The leads CSV streamed over HTTP (test client) vs csv.writer over the same SELECT."""
    engine = make_engine(big)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM leads WHERE erased_at IS NULL")).scalar()
    stmt = leads_export_statement(ListFilter())
    sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
    with tempfile.TemporaryDirectory() as tmp:
        # Streamed in the request (the threshold lifted, as an operator may set it).
        app = _app(big, tmp, EXPORT_STREAM_MAX_ROWS=10**9)
        client = _clients(app)["admin"]
        started = time.perf_counter()
        response = client.get("/pipeline/leads.csv", buffered=False)
        lines = sum(chunk.count(b"\n") for chunk in response.response)
        streamed = time.perf_counter() - started
        app.extensions["tcma.engine"].dispose()
    job = _background_export(big)
    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        cursor = raw.driver_connection.cursor(name="bench_export")  # server-side, like ours
        cursor.itersize = 5000
        cursor.execute(sql)
        writer = csv.writer(_Sink())
        plain_rows = 0
        for row in cursor:
            writer.writerow(row)
            plain_rows += 1
        plain = time.perf_counter() - started
        raw.rollback()
    finally:
        raw.close()
    engine.dispose()
    print(
        f"export of {total:,} leads: streamed CSV {streamed:.1f} s ({lines - 1:,} rows), "
        f"plain csv.writer over the same SELECT {plain:.1f} s ({plain_rows:,} rows), "
        f"ratio {streamed / plain:.2f}x; rows == database: {lines - 1 == total}"
    )
    seconds, status, done, of, rows, updates = job
    print(
        f"background export (the link above the threshold, run in-process): {seconds:.1f} s, "
        f"{status}, progress {done:,}/{of:,} in {updates} updates, file rows {rows:,}; "
        f"rows == database: {rows == total}"
    )


def _background_export(big: str) -> tuple[float, str, int, int, int, int]:
    """GET the export link at the default threshold: it starts the job (run at once here)."""
    from sqlalchemy import event

    from tcma.jobs.models import JobRecord
    from tcma.storage import get_storage

    with tempfile.TemporaryDirectory() as tmp:
        app = _app(big, tmp, QUEUE_URL="immediate")
        client = _clients(app)["admin"]
        updates: list[int] = []
        event.listen(
            app.extensions["tcma.engine"],
            "before_cursor_execute",
            lambda *a: updates.append(1) if "progress_done" in a[2] else None,
        )
        started = time.perf_counter()
        response = client.get("/pipeline/leads.csv")
        seconds = time.perf_counter() - started
        record_id = int(response.headers["Location"].rsplit("/", 1)[1])
        with app.app_context():
            session = app.extensions["tcma.sessionmaker"]()
            record = session.get(JobRecord, record_id)
            assert record is not None
            with get_storage().open(record.result_key) as file:
                rows = sum(1 for _ in file) - 1
            found = (record.status, record.progress_done, record.progress_total)
            session.close()
        app.extensions["tcma.engine"].dispose()
    return seconds, found[0], found[1], found[2], rows, len(updates)


def main() -> int:
    global DATABASE  # noqa: PLW0603 - one database per run, named on the command line
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--server-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--database", default=DATABASE, help="database to seed and measure")
    parser.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", help="one list: leads, opportunities, requests, ...")
    parser.add_argument("--export", action="store_true", help="run the export benchmark too")
    parser.add_argument("--no-pages", action="store_true", help="skip the list pages")
    args = parser.parse_args()
    DATABASE = args.database
    big, small = prepare(args.server_url)
    if args.seed_only:
        return 0
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    if not args.no_pages:
        bench_pages(big, small, args.runs, args.only)
    if args.export:
        bench_export(big)
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Dashboard benchmark: each dashboard's median time at program scale, against its raw SQL.

Creates (or, with --reuse, keeps) the PostgreSQL database tcma_dash_bench next to the server
of --server-url, seeds it by COPY (see dashboard_seed.py: 1,000 partners, 5,000 campaigns,
1,000,000 leads, 100,000 opportunities, 10,000 fund requests and claims), then for each page:
  page  median time of a request through the Flask test client, signed in (vendor admin,
        partner user, marketer for the kit page)
  sql   median time of running the very statements that request ran, captured with a
        before_cursor_execute listener, directly on a DBAPI cursor (fetching every row);
        page and sql runs alternate, so both see the same load on the machine
Targets: page < 300 ms, page / sql <= 1.5.

Run: .venv/bin/python bench/dashboard.py [--runs N] [--reuse]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_login import utils as login_utils  # noqa: E402

import tcma.models  # noqa: E402,F401 - every table on Base.metadata
from bench.dashboard_seed import seed  # noqa: E402
from tcma import create_app  # noqa: E402
from tcma.accounts.models import User  # noqa: E402
from tcma.db import Base, make_engine  # noqa: E402

DATABASE = "tcma_dash_bench"
TARGET_MS, TARGET_RATIO = 300.0, 1.5
PAGES = (
    ("vendor dashboard, last 12 months", "admin", "/reports/"),
    ("vendor dashboard, all time", "admin", "/reports/?period=all"),
    ("vendor dashboard, one tier", "admin", "/reports/?tier=2"),
    ("vendor dashboard, one tier and region", "admin", "/reports/?tier=2&region=EMEA"),
    ("vendor dashboard, one partner", "admin", "/reports/?partner=17"),
    ("vendor dashboard, one kit", "admin", "/reports/?kit=3"),
    ("partner dashboard", "partner", "/reports/"),
    ("kit performance", "admin", "/reports/kits"),
)


def prepare(server_url: str, reuse: bool) -> str:
    """Create the bench database (unless reusing it) and return its URL."""
    url = make_url(server_url).set(database=DATABASE)
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DATABASE})
        if exists and reuse:
            admin.dispose()
            return url.render_as_string(hide_password=False)
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    full = url.render_as_string(hide_password=False)
    engine = make_engine(full)
    # Migrations cover only the foundation so far: the schema comes from the models.
    Base.metadata.create_all(engine)
    started = time.perf_counter()
    counts = seed(engine, dt.datetime.now(dt.UTC))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(
        f"seeded in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{table} {count:,}" for table, count in counts.items())
    )
    return full


def login(client: Any, user: User) -> Any:
    """Sign a test client in without a password check (as the tests do)."""
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = login_utils._create_identifier()
    with client.session_transaction() as sess:
        sess.update({"_user_id": user.get_id(), "_fresh": True, "_id": identifier})
    return client


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run_page(app: Any, client: Any, url: str, runs: int) -> tuple[float, float, int]:
    """(page median ms, raw SQL median ms, statements per request)."""
    engine = app.extensions["tcma.engine"]
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        captured.append((statement, params))

    for _ in range(2):
        assert client.get(url).status_code == 200, url
    event.listen(engine, "before_cursor_execute", capture)
    client.get(url)
    event.remove(engine, "before_cursor_execute", capture)
    page, sql = [], []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Interleaved, so that both see the same load on the machine.
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            page.append(time.perf_counter() - start)
            assert response.status_code == 200
            start = time.perf_counter()
            for statement, params in captured:
                cursor.execute(statement, params)
                cursor.fetchall()
            sql.append(time.perf_counter() - start)
            raw.rollback()
    finally:
        raw.close()
    return median_ms(page), median_ms(sql), len(captured)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--server-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()
    url = prepare(args.server_url, args.reuse)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": tmp,
                "STORAGE_URL": f"file://{tmp}/storage",
                "TESTING": True,
                "RATELIMIT_ENABLED": False,
            }
        )
        session = app.extensions["tcma.sessionmaker"]()
        clients = {
            "admin": login(app.test_client(), session.get(User, 1)),
            "partner": login(app.test_client(), session.get(User, 2)),
        }
        session.close()
        failed = False
        print(f"{'page':40} {'median':>9} {'raw SQL':>9} {'ratio':>6} {'stmts':>6}")
        for label, who, page_url in PAGES:
            page, sql, statements = run_page(app, clients[who], page_url, args.runs)
            ok = page < TARGET_MS and page <= TARGET_RATIO * sql
            failed |= not ok
            print(
                f"{label:40} {page:7.1f}ms {sql:7.1f}ms {page / sql:5.2f}x {statements:6d}"
                f"  {'ok' if ok else 'MISSED'}"
            )
        app.extensions["tcma.engine"].dispose()
    print(f"targets: median < {TARGET_MS:.0f} ms and within {TARGET_RATIO}x the raw SQL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

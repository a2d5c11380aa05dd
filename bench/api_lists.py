"""API list endpoints at program scale (1,000,000 leads) on PostgreSQL, against their raw SQL.

Reuses bench/lists.py's data set (bench/dashboard_seed.py + bench/lists_seed.py: 1,000
partners, 1,000,000 leads, 100,000 opportunities, 10,000 fund requests and claims) in its own
database (default tcma_api_bench, created if missing) and its 10k-lead copy in schema
small10k. For each endpoint: the median over --runs requests with a bearer token through the
Flask test client; the median of the very statements that request ran, run directly on a
DBAPI cursor; their ratio; the statements per request at 1M and at 10k leads (they must be
equal: keyset pages cost the same at any depth and size). Prints figures; asserts nothing.

Run: .venv/bin/python bench/api_lists.py [--runs N] [--database NAME]
"""

# Every SQL string here is built from fixed names and numbers, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import lists  # noqa: E402
from bench.dashboard import run_page  # noqa: E402
from tcma.accounts.models import User  # noqa: E402
from tcma.api import rules as token_rules  # noqa: E402
from tcma.api import services as token_services  # noqa: E402
from tcma.api.pagination import encode_cursor  # noqa: E402

#: The id about 75 % down each list (newest first), for a deep page.
DEEP_ID = {
    "leads": "SELECT id FROM leads ORDER BY id DESC OFFSET 750000 LIMIT 1",
    "opportunities": "SELECT id FROM opportunities ORDER BY id DESC OFFSET 75000 LIMIT 1",
    "requests": "SELECT id FROM mdf_fund_requests ORDER BY id DESC OFFSET 9000 LIMIT 1",
    "claims": "SELECT id FROM mdf_claims ORDER BY id DESC OFFSET 9000 LIMIT 1",
}


def _create_database(server_url: str, name: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def endpoints(engine: Engine) -> list[tuple[str, str, str, str]]:
    """(list, label, who, url) of every endpoint measured."""
    with engine.connect() as conn:
        deep = {
            name: encode_cursor(conn.execute(text(sql)).scalar()) for name, sql in DEEP_ID.items()
        }
    return [
        ("leads", "first page", "admin", "/api/v1/leads"),
        ("leads", "deep page (~750,000th)", "admin", f"/api/v1/leads?cursor={deep['leads']}"),
        ("leads", "limit=200", "admin", "/api/v1/leads?limit=200"),
        ("leads", "status=qualified", "admin", "/api/v1/leads?status=qualified"),
        (
            "leads",
            "updated_since (sync)",
            "admin",
            "/api/v1/leads?updated_since=2026-01-01T00:00:00Z",
        ),
        ("leads", "text search 'hopper'", "admin", "/api/v1/leads?q=hopper"),
        ("leads", "a partner's first page", "partner", "/api/v1/leads"),
        ("opportunities", "first page", "admin", "/api/v1/opportunities"),
        (
            "opportunities",
            "deep page (~75,000th)",
            "admin",
            f"/api/v1/opportunities?cursor={deep['opportunities']}",
        ),
        ("opportunities", "stage=closed_won", "admin", "/api/v1/opportunities?stage=closed_won"),
        ("campaigns", "first page", "admin", "/api/v1/campaigns"),
        ("campaigns", "a partner's first page", "partner", "/api/v1/campaigns"),
        ("fund-requests", "first page", "admin", "/api/v1/fund-requests"),
        (
            "fund-requests",
            "deep page (~9,000th)",
            "admin",
            f"/api/v1/fund-requests?cursor={deep['requests']}",
        ),
        ("claims", "first page", "admin", "/api/v1/claims"),
        ("claims", "deep page (~9,000th)", "admin", f"/api/v1/claims?cursor={deep['claims']}"),
        ("payments", "first page", "admin", "/api/v1/payments"),
        ("allocations", "first page", "admin", "/api/v1/allocations"),
    ]


def _clients(app: Any) -> dict[str, Any]:
    """A test client per user that sends a fresh personal token with every scope it may hold."""
    session = app.extensions["tcma.sessionmaker"]()
    clients = {}
    for who, user_id in (("admin", 1), ("partner", 2)):
        user = session.get(User, user_id)
        new = token_services.create_token(
            session,
            user,
            name="bench",
            scopes=list(token_rules.scopes_for_role(user.role)),
        )
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {new.secret}"
        clients[who] = client
    session.commit()
    session.close()
    return clients


def bench(big: str, small: str, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, small_app = lists._app(big, tmp), lists._app(small, tmp)
        clients, small_clients = _clients(app), _clients(small_app)
        head = f"{'list':14} {'request':26} {'median':>9} {'raw SQL':>9} {'ratio':>6}"
        print(f"{head} {'stmts 1M':>8} {'10k':>4} {'< 100 ms':>8}")
        medians = []
        for name, label, who, url in endpoints(app.extensions["tcma.engine"]):
            page, sql, statements = run_page(app, clients[who], url, runs)
            small_url = url.split("cursor=")[0].rstrip("?&")
            _, _, small_statements = run_page(small_app, small_clients[who], small_url, 1)
            medians.append(page)
            print(
                f"{name:14} {label:26} {page:7.1f}ms {sql:7.1f}ms {page / sql:5.2f}x "
                f"{statements:8d} {small_statements:4d} {'yes' if page < 100 else 'NO':>8}"
                + ("" if statements == small_statements else "  (counts differ)")
            )
        print(f"slowest median {max(medians):.1f} ms over {len(medians)} requests")
        for each in (app, small_app):
            each.extensions["tcma.engine"].dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--server-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--database", default="tcma_api_bench")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    _create_database(args.server_url, args.database)
    lists.DATABASE = args.database  # bench/lists.py seeds and names the database it prepares
    big, small = lists.prepare(args.server_url)
    print(f"database {make_url(big).database}; load average {os.getloadavg()[0]:.2f}")
    bench(big, small, args.runs)
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

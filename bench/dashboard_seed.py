"""Seed a PostgreSQL database with a large partner program, by COPY, for bench/dashboard.py.

1,000 partners, 5,000 campaigns, 1,000,000 leads, 100,000 opportunities, 10,000 fund
requests and 10,000 claims, with page views, downloads, budgets, allocations and the ledger,
spread over the last two years. Deterministic (seeded random).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.engine import Engine

from tcma.db import Base
from tcma.reports import rollups

PARTNERS, CAMPAIGNS, LEADS, OPPORTUNITIES, REQUESTS, CLAIMS = (
    1_000,
    5_000,
    1_000_000,
    100_000,
    10_000,
    10_000,
)
KITS, VERSIONS_PER_KIT, DOWNLOADS = 24, 2, 50_000
TIERS = (("platinum", 3), ("gold", 2), ("registered", 1))
REGIONS = ("NA", "LATAM", "EMEA", "APAC")
LEAD_STATUSES = (
    ("new", 30),
    ("working", 20),
    ("qualified", 20),
    ("disqualified", 15),
    ("converted", 15),
)
STAGES = (
    ("prospecting", 15),
    ("qualification", 15),
    ("proposal", 12),
    ("negotiation", 8),
    ("closed_won", 30),
    ("closed_lost", 20),
)
DAYS = 730
# Partners past this id get an allocation but never start a campaign (the idle ones).
ACTIVE_PARTNERS = 900


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...], n: int) -> list[str]:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices], k=n)


def _copy(cursor: Any, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


class Seeder:
    """Generates the rows, table by table, and keeps what later tables refer to."""

    def __init__(self, now: dt.datetime) -> None:
        self.rng = random.Random(7)
        self.now = now
        self.start = now - dt.timedelta(days=DAYS)
        self.campaigns: list[tuple[int, int, int, dt.datetime]] = []  # id, partner, kit, created
        self.allocations: dict[int, list[int]] = {}
        self.quarters: list[tuple[dt.date, dt.date]] = []

    def at(self, low: dt.datetime, span_days: float) -> dt.datetime:
        # Spread over the span, or over what is left of it before now.
        room = min(span_days * 86400, (self.now - low).total_seconds() - 60)
        return low + dt.timedelta(seconds=self.rng.random() * max(room, 0))

    def accounts(self, cursor: Any) -> None:
        _copy(
            cursor,
            "tiers",
            ("id", "name", "rank", "description"),
            ((i, name, rank, "") for i, (name, rank) in enumerate(TIERS, 1)),
        )
        _copy(
            cursor,
            "partners",
            ("id", "name", "tier_id", "region", "website", "status", "created_at"),
            (
                (
                    i,
                    f"Partner {i:04d}",
                    self.rng.randint(1, 3),
                    REGIONS[i % 4],
                    "",
                    "active",
                    self.start,
                )
                for i in range(1, PARTNERS + 1)
            ),
        )
        _copy(
            cursor,
            "users",
            ("id", "email", "name", "role", "partner_id", "status", "created_at"),
            [
                (1, "admin@bench.example", "Bench Admin", "admin", None, "active", self.start),
                (
                    2,
                    "user@partner0001.example",
                    "Bench Partner",
                    "partner_user",
                    1,
                    "active",
                    self.start,
                ),
            ],
        )

    def kits(self, cursor: Any) -> None:
        _copy(
            cursor,
            "kits",
            (
                "id",
                "slug",
                "name",
                "summary",
                "objective",
                "audience",
                "tags",
                "tiers",
                "regions",
                "status",
                "created_at",
                "updated_at",
            ),
            (
                (
                    k,
                    f"kit-{k}",
                    f"Kit {k:02d}",
                    "",
                    "lead_generation",
                    "",
                    "",
                    "",
                    "",
                    "active",
                    self.start,
                    self.start,
                )
                for k in range(1, KITS + 1)
            ),
        )
        _copy(
            cursor,
            "kit_versions",
            (
                "id",
                "kit_id",
                "number",
                "status",
                "change_note",
                "manifest",
                "files",
                "storage_prefix",
                "created_at",
            ),
            (
                (k * 10 + v, k, v, "published", "", "{}", "{}", "", self.start)
                for k in range(1, KITS + 1)
                for v in range(1, VERSIONS_PER_KIT + 1)
            ),
        )

    def campaign_rows(self) -> Iterator[tuple]:
        for cid in range(1, CAMPAIGNS + 1):
            partner = self.rng.randint(1, ACTIVE_PARTNERS)
            kit = self.rng.randint(1, KITS)
            created = self.at(self.start, DAYS - 14)
            launched = created + dt.timedelta(days=1) if self.rng.random() < 0.7 else None
            self.campaigns.append((cid, partner, kit, created))
            yield (
                cid,
                partner,
                kit,
                kit * 10 + self.rng.randint(1, VERSIONS_PER_KIT),
                f"Campaign {cid}",
                f"code{cid:08d}",
                "live" if launched else "draft",
                "{}",
                created,
                created,
                launched,
            )

    def pipeline(self, cursor: Any) -> None:
        _copy(
            cursor,
            "campaigns",
            (
                "id",
                "partner_id",
                "kit_id",
                "kit_version_id",
                "name",
                "code",
                "status",
                "field_values",
                "created_at",
                "updated_at",
                "launched_at",
            ),
            self.campaign_rows(),
        )
        statuses = _weighted(self.rng, LEAD_STATUSES, LEADS)

        def leads() -> Iterator[tuple]:
            for lid in range(1, LEADS + 1):
                cid, partner, _, created = self.campaigns[self.rng.randrange(CAMPAIGNS)]
                moment = self.at(created, 120)
                yield (
                    lid,
                    partner,
                    cid,
                    statuses[lid - 1],
                    "landing_page",
                    False,
                    moment,
                    moment + dt.timedelta(days=self.rng.random() * 10),
                )

        _copy(
            cursor,
            "leads",
            (
                "id",
                "partner_id",
                "campaign_id",
                "status",
                "source",
                "consent",
                "created_at",
                "updated_at",
            ),
            leads(),
        )
        stages = _weighted(self.rng, STAGES, OPPORTUNITIES)

        def deals() -> Iterator[tuple]:
            for oid in range(1, OPPORTUNITIES + 1):
                cid, partner, _, created = self.campaigns[self.rng.randrange(CAMPAIGNS)]
                moment = self.at(created, 150)
                stage = stages[oid - 1]
                closed = self.at(moment, 90).date() if stage.startswith("closed") else None
                cents = self.rng.randint(1_000, 200_000) * 100
                yield (
                    oid,
                    partner,
                    cid,
                    "Account",
                    f"Deal {oid}",
                    cents,
                    "EUR" if oid % 20 == 0 else "USD",
                    stage,
                    closed,
                    "lead",
                    moment,
                    moment,
                )

        _copy(
            cursor,
            "opportunities",
            (
                "id",
                "partner_id",
                "campaign_id",
                "account",
                "name",
                "amount",
                "currency",
                "stage",
                "closed_on",
                "source",
                "created_at",
                "updated_at",
            ),
            deals(),
        )

        def views() -> Iterator[tuple]:
            for cid, _, _, created in self.campaigns:
                for offset in range(0, 60, 2):
                    day = created.date() + dt.timedelta(days=offset)
                    if day <= self.now.date():
                        yield cid, day, self.rng.randint(5, 120)

        _copy(cursor, "page_view_days", ("campaign_id", "day", "views"), views())

        def downloads() -> Iterator[tuple]:
            for did in range(1, DOWNLOADS + 1):
                cid, partner, kit, created = self.campaigns[self.rng.randrange(CAMPAIGNS)]
                yield did, cid, partner, kit, "*", "zip", self.at(created, 30)

        _copy(
            cursor,
            "asset_downloads",
            ("id", "campaign_id", "partner_id", "kit_id", "asset_key", "target", "downloaded_at"),
            downloads(),
        )

    def funds(self, cursor: Any) -> None:
        quarters = []
        first = self.start.date().replace(day=1)
        for q in range(9):
            month = first.month - 1 + q * 3
            begin = dt.date(first.year + month // 12, month % 12 + 1, 1)
            end_month = month + 3
            end = dt.date(first.year + end_month // 12, end_month % 12 + 1, 1) - dt.timedelta(1)
            quarters.append((q + 1, f"Q{q + 1} MDF", begin, end, 5_000_000_00, "USD", self.start))
        _copy(
            cursor,
            "mdf_budgets",
            ("id", "name", "period_start", "period_end", "amount", "currency", "created_at"),
            quarters,
        )
        self.quarters = [(begin, end) for _, _, begin, end, *_ in quarters]
        allocations, ledger = [], []
        aid = 0
        for budget in quarters:
            for partner in range(1, PARTNERS + 1):
                aid += 1
                cents = self.rng.randint(20, 80) * 100_00
                allocations.append((aid, budget[0], partner, cents, self.start))
                ledger.append(
                    (
                        len(ledger) + 1,
                        aid,
                        "allocate",
                        cents,
                        None,
                        None,
                        dt.datetime.combine(budget[2], dt.time(9), dt.UTC),
                        "",
                    )
                )
                self.allocations.setdefault(partner, []).append(aid)
        _copy(
            cursor,
            "mdf_allocations",
            ("id", "budget_id", "partner_id", "amount", "created_at"),
            allocations,
        )
        requests, claims, payments = self._requests(ledger)
        _copy(
            cursor,
            "mdf_fund_requests",
            (
                "id",
                "partner_id",
                "allocation_id",
                "activity_type",
                "title",
                "description",
                "start_date",
                "end_date",
                "total_cost",
                "requested_amount",
                "approved_amount",
                "share_percent",
                "expected_leads",
                "expected_pipeline",
                "campaign_id",
                "status",
                "submission",
                "claim_due_on",
                "decision_comment",
                "created_at",
                "decided_at",
            ),
            requests,
        )
        _copy(
            cursor,
            "mdf_claims",
            (
                "id",
                "fund_request_id",
                "partner_id",
                "actual_cost",
                "claimed_amount",
                "approved_amount",
                "notes",
                "status",
                "decision_comment",
                "created_at",
            ),
            claims,
        )
        _copy(
            cursor,
            "mdf_payments",
            ("id", "claim_id", "paid_on", "method", "reference", "amount", "recorded_at"),
            payments,
        )
        _copy(
            cursor,
            "mdf_ledger_entries",
            (
                "id",
                "allocation_id",
                "kind",
                "amount",
                "fund_request_id",
                "claim_id",
                "at",
                "comment",
            ),
            ledger,
        )

    def _requests(self, ledger: list[tuple]) -> tuple[list, list, list]:
        requests, claims, payments = [], [], []
        for rid in range(1, REQUESTS + 1):
            cid, partner, _, created = self.campaigns[self.rng.randrange(CAMPAIGNS)]
            # The partner's allocation of the quarter the activity starts in.
            quarter = next(
                (
                    i
                    for i, (begin, end) in enumerate(self.quarters)
                    if begin <= created.date() <= end
                ),
                len(self.quarters) - 1,
            )
            allocation = self.allocations[partner][quarter]
            approved = self.rng.randint(5, 40) * 100_00
            status = "approved" if rid % 10 else "submitted"
            start = created.date()
            requests.append(
                (
                    rid,
                    partner,
                    allocation,
                    "webinar",
                    f"Request {rid}",
                    "",
                    start,
                    start + dt.timedelta(days=30),
                    approved * 2,
                    approved,
                    approved if status == "approved" else None,
                    50,
                    0,
                    0,
                    cid,
                    status,
                    1,
                    start + dt.timedelta(days=90),
                    "",
                    created,
                    created,
                )
            )
            if status == "approved":
                ledger.append(
                    (len(ledger) + 1, allocation, "commit", approved, rid, None, created, "")
                )
                # Two claims on some requests, so there are as many claims as requests.
                parts = [approved // 2, approved - approved // 2] if rid % 10 < 2 else [approved]
                for amount in parts:
                    claim_id = len(claims) + 1
                    paid = self.rng.random() < 0.7
                    claims.append(
                        (
                            claim_id,
                            rid,
                            partner,
                            amount * 2,
                            amount,
                            amount,
                            "",
                            "paid" if paid else "approved",
                            "",
                            created,
                        )
                    )
                    moment = self.at(created, 60)
                    ledger.append(
                        (
                            len(ledger) + 1,
                            allocation,
                            "claim_approve",
                            amount,
                            rid,
                            claim_id,
                            moment,
                            "",
                        )
                    )
                    if paid:
                        payments.append(
                            (
                                len(payments) + 1,
                                claim_id,
                                moment.date(),
                                "bank_transfer",
                                f"BT{claim_id}",
                                amount,
                                moment,
                            )
                        )
                        ledger.append(
                            (len(ledger) + 1, allocation, "pay", amount, rid, claim_id, moment, "")
                        )
        return requests, claims, payments


def seed(engine: Engine, now: dt.datetime) -> dict[str, int]:
    """Fill the (empty) schema, then rebuild the roll-ups; returns row counts per table."""
    seeder = Seeder(now)
    bulky = [
        Base.metadata.tables[name]
        for name in ("leads", "opportunities", "page_view_days", "asset_downloads")
    ]
    with engine.begin() as conn:
        # Secondary indexes are built once after the load, much faster than row by row.
        for table in bulky:
            for index in table.indexes:
                index.drop(conn)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Replica mode skips triggers (the roll-ups are rebuilt in one pass below) and FK checks.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        seeder.accounts(cursor)
        seeder.kits(cursor)
        seeder.pipeline(cursor)
        seeder.funds(cursor)
        cursor.execute(
            "SELECT 'SELECT setval(' || quote_literal(pg_get_serial_sequence(c.table_name, "
            "c.column_name)) || ', (SELECT coalesce(max(' || c.column_name || '), 1) FROM ' "
            "|| c.table_name || '))' FROM information_schema.columns c "
            "WHERE c.column_default LIKE 'nextval%' AND c.table_schema = 'public'"
        )
        for (statement,) in cursor.fetchall():
            cursor.execute(statement)
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.exec_driver_sql("SET maintenance_work_mem = '256MB'")
        for table in bulky:
            for index in table.indexes:
                index.create(conn)
        rollups.rebuild(conn)
    counts = {}
    with engine.connect() as conn:
        for table in (
            "partners",
            "campaigns",
            "leads",
            "opportunities",
            "mdf_fund_requests",
            "mdf_claims",
            "mdf_ledger_entries",
            "page_view_days",
            "asset_downloads",
            "report_lead_months",
            "report_opportunity_months",
        ):
            counts[table] = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608 - fixed names
    return counts

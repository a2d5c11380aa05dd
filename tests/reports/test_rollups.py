"""The monthly roll-ups stay exactly what a GROUP BY over the source tables says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tcma.db import Base
from tcma.mdf.models import LedgerEntry
from tcma.pipeline.models import Lead, Opportunity, PageViewDay
from tcma.reports import rollups
from tcma.reports.models import LeadMonth
from tests.reports.support import at

ROLLUP_TABLES = [
    table for name, table in Base.metadata.tables.items() if name.startswith("report_")
]


def _snapshot(session: Session) -> dict[str, set[tuple]]:
    """Every roll-up row that is not all zeros (a row emptied by moves stays as zeros)."""
    found = {}
    for table in ROLLUP_TABLES:
        columns = list(table.columns)
        rows = session.execute(select(*columns)).all()
        found[table.name] = {
            tuple(row)
            for row in rows
            if any(row[i] for i, c in enumerate(columns) if not c.primary_key)
        }
    return found


def _rebuilt(session: Session) -> dict[str, set[tuple]]:
    rollups.rebuild(session.connection())
    return _snapshot(session)


def test_roll_ups_follow_inserts_updates_and_deletes(program, db_session: Session) -> None:
    by_trigger = _snapshot(db_session)
    assert by_trigger == _rebuilt(db_session)
    assert (dt.date(2025, 1, 1), program.a, program.ca1, 2, 1) in by_trigger["report_lead_months"]

    lead = db_session.scalars(select(Lead).where(Lead.status == "new")).first()
    lead.status = "qualified"
    lead.created_at = at(2025, 6, 30, 23)  # moves month too
    db_session.execute(
        update(Lead)
        .where(Lead.campaign_id == program.ca1, Lead.status == "disqualified")
        .values(campaign_id=None)
    )
    db_session.add(
        Lead(
            partner_id=program.b,
            status="new",
            created_at=at(
                2025,
                2,
                28,
                23,
            ),
            updated_at=at(2025, 2, 28, 23),
        )
    )
    deal = db_session.scalars(select(Opportunity).where(Opportunity.stage == "proposal")).one()
    deal.stage, deal.closed_on, deal.amount = "closed_won", dt.date(2025, 6, 2), Decimal("5500")
    won = db_session.scalars(select(Opportunity).where(Opportunity.currency == "EUR")).one()
    won.stage, won.closed_on = "negotiation", None
    db_session.execute(delete(Opportunity).where(Opportunity.stage == "closed_lost"))
    db_session.execute(update(PageViewDay).where(PageViewDay.views == 50).values(views=75))
    db_session.add(PageViewDay(campaign_id=program.ca1, day=dt.date(2025, 3, 31), views=9))
    first = db_session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "pay")).first()
    db_session.add(
        LedgerEntry(
            allocation_id=first.allocation_id,
            kind="release",
            amount=Decimal("-500"),
            fund_request_id=first.fund_request_id,
            at=at(2025, 6, 1),
        )
    )
    db_session.flush()

    by_trigger = _snapshot(db_session)
    assert by_trigger == _rebuilt(db_session)
    assert (dt.date(2025, 2, 1), program.ca1, 75) in by_trigger["report_view_months"]
    kit_rows = by_trigger["report_kit_months"]
    assert (dt.date(2025, 1, 1), program.k1, "", 1, 1, 100, 0, 0, 0, 0, 0) in kit_rows
    funds = by_trigger["report_fund_months"]
    assert (dt.date(2025, 6, 1), program.h1, program.k1, 0, -50000, 0) in funds
    db_session.rollback()


def test_month_is_the_utc_month(db_session: Session, world) -> None:
    late = dt.datetime(2025, 1, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    db_session.add(
        Lead(partner_id=world.partner_a.id, status="new", created_at=late, updated_at=late)
    )
    db_session.flush()
    months = db_session.scalars(select(LeadMonth.month)).all()
    assert months == [dt.date(2025, 2, 1)]  # 04:30 UTC on 1 February
    db_session.rollback()

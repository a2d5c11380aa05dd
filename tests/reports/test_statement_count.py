"""Dashboards cost a fixed number of SQL statements, however many partners and campaigns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tcma.accounts import services as account_services
from tcma.mdf.models import Budget
from tests.conftest import World
from tests.reports import support
from tests.reports.support import PERIOD, at


def _grow(session: Session, world: World, partners: int) -> None:
    """`partners` more partners, each with two campaigns, leads, deals and paid MDF."""
    kit, (version,) = support._kit(session, f"kit-{partners}", f"Kit {partners}", 1)
    budget = Budget(
        name="H1",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 6, 30),
        amount=Decimal("1000000"),
        currency="USD",
    )
    session.add(budget)
    session.flush()
    for n in range(partners):
        partner = account_services.create_partner(
            session, None, f"Partner {partners}-{n:03d}", world.tiers["gold"].id, "EMEA", ""
        )
        allocation = support._allocation(session, budget, partner.id, "1000")
        for c in range(2):
            campaign = support._campaign(
                session, partner.id, version, f"C{n}-{c}", at(2025, 1 + c, 3), at(2025, 1 + c, 4)
            )
            support._lead(session, partner.id, campaign, at(2025, 2 + c, 5), "qualified")
            support._deal(
                session,
                partner.id,
                campaign,
                "900",
                "closed_won",
                at(2025, 3, 1),
                dt.date(2025, 4, 1),
            )
        request = support._request(
            session, allocation, campaign, "400", dt.date(2025, 9, 1), at(2025, 2, 1)
        )
        support._paid_claim(session, request, "300", dt.date(2025, 5, 1))
    session.commit()


@contextmanager
def _counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    engine = app.extensions["tcma.engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements(app: Flask, client: FlaskClient, url: str) -> int:
    client.get(url, query_string=PERIOD)  # warm: the first request may load more
    with _counting(app) as statements:
        assert client.get(url, query_string=PERIOD).status_code == 200
    return len(statements)


def _counts(
    app: Flask, login_as, world: World, db_session: Session, partners: int
) -> dict[str, int]:
    _grow(db_session, world, partners)
    return {
        url: _statements(app, login_as(who), url)
        for who, url in (
            ("admin", "/reports/"),
            ("marketer", "/reports/kits"),
            ("a_user", "/reports/"),
            ("admin", "/reports/export/partners.csv"),
        )
    }


def test_statements_per_page_do_not_grow_with_partners(
    app: Flask, login_as, world: World, db_session: Session
) -> None:
    few = _counts(app, login_as, world, db_session, 2)
    many = _counts(app, login_as, world, db_session, 18)  # 20 partners with activity now
    assert few == many
    assert all(count <= 16 for count in many.values()), many

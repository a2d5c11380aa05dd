"""Keyset pages: every row exactly once across page boundaries, ties and rows added meanwhile."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.pagination import capped_count, decode_cursor, encode_cursor, keyset
from tcma.pipeline.models import Lead
from tests.conftest import World

MOMENT = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
ORDER = (Lead.created_at, Lead.id)


def _leads(session: Session, partner_id: int, moments: list[dt.datetime]) -> list[int]:
    rows = [
        Lead(partner_id=partner_id, email=f"p{i}-{m:%H%M%S}@example.com", created_at=m)
        for i, m in enumerate(moments)
    ]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]


def _walk_forward(session: Session, per_page: int = 7) -> tuple[list[int], list[str | None]]:
    seen: list[int] = []
    cursors: list[str | None] = [None]
    cursor = None
    while True:
        page = keyset(session, select(Lead), ORDER, cursor, per_page=per_page)
        seen += [lead.id for lead in page.items]
        if not page.has_next:
            return seen, cursors
        cursor = page.next_cursor
        cursors.append(cursor)


def _expected(session: Session) -> list[int]:
    rows = session.execute(select(Lead.id).order_by(Lead.created_at.desc(), Lead.id.desc()))
    return [row.id for row in rows]


def test_every_row_once_in_order_when_many_share_the_sort_key(db_session, world: World) -> None:
    # 20 leads in the same second (ties across several page boundaries), 10 apart.
    moments = [MOMENT] * 20 + [MOMENT - dt.timedelta(minutes=i) for i in range(1, 11)]
    _leads(db_session, world.partner_a.id, moments)
    seen, _ = _walk_forward(db_session)
    assert seen == _expected(db_session)
    assert len(seen) == len(set(seen)) == 30


def test_previous_pages_give_back_the_same_rows(db_session, world: World) -> None:
    _leads(db_session, world.partner_a.id, [MOMENT] * 12 + [MOMENT - dt.timedelta(hours=1)] * 9)
    forward = []
    pages = []
    cursor = None
    while True:
        page = keyset(db_session, select(Lead), ORDER, cursor, per_page=5)
        pages.append([lead.id for lead in page.items])
        forward += pages[-1]
        if not page.has_next:
            break
        cursor = page.next_cursor
    # Walk back from the last page with the previous links.
    back = [pages[-1]]
    while page.has_prev:
        page = keyset(db_session, select(Lead), ORDER, page.prev_cursor, per_page=5)
        back.append([lead.id for lead in page.items])
    assert list(reversed(back)) == pages
    assert not page.has_prev and page.has_next


def test_rows_added_meanwhile_neither_repeat_nor_hide_rows(db_session, world: World) -> None:
    original = _leads(db_session, world.partner_a.id, [MOMENT] * 9 + [MOMENT - dt.timedelta(1)] * 9)
    first = keyset(db_session, select(Lead), ORDER, None, per_page=6)
    seen = [lead.id for lead in first.items]
    # New leads arrive (newer, and in the very second of the rows being paged) between clicks.
    _leads(db_session, world.partner_a.id, [MOMENT + dt.timedelta(1)] * 4 + [MOMENT] * 4)
    cursor = first.next_cursor
    while cursor:
        page = keyset(db_session, select(Lead), ORDER, cursor, per_page=6)
        seen += [lead.id for lead in page.items]
        cursor = page.next_cursor
    assert len(seen) == len(set(seen))
    assert set(original) <= set(seen)


def test_a_malformed_or_foreign_cursor_means_the_first_page(db_session, world: World) -> None:
    _leads(db_session, world.partner_a.id, [MOMENT] * 3)
    first = keyset(db_session, select(Lead), ORDER, None, per_page=2)
    for junk in ("x", "!!!", encode_cursor("sideways", (1, 2)), encode_cursor("next", (1,))):
        page = keyset(db_session, select(Lead), ORDER, junk, per_page=2)
        assert [lead.id for lead in page.items] == [lead.id for lead in first.items]
    assert decode_cursor(encode_cursor("next", (MOMENT, 5)), 2) == ("next", (MOMENT, 5))


def test_a_forged_cursor_with_a_number_too_big_for_the_column_means_the_first_page(
    db_session, world: World
) -> None:
    # On PostgreSQL an id past 2**31 would make the query fail ("integer out of range").
    _leads(db_session, world.partner_a.id, [MOMENT] * 3)
    first = keyset(db_session, select(Lead), ORDER, None, per_page=2)
    for huge in (2**31, -(2**31) - 1, 2**70):
        page = keyset(db_session, select(Lead), ORDER, encode_cursor("next", (MOMENT, huge)))
        assert [lead.id for lead in page.items][:2] == [lead.id for lead in first.items]


def test_counts_stop_at_the_cap(db_session, world: World) -> None:
    _leads(db_session, world.partner_a.id, [MOMENT] * 12)
    assert capped_count(db_session, select(Lead), cap=10) == (10, True)
    assert capped_count(db_session, select(Lead), cap=12) == (12, False)
    page = keyset(db_session, select(Lead), ORDER, None, per_page=5)
    assert (page.total, page.more, page.total_text) == (12, False, "12")

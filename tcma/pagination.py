"""Pagination of select() statements for list pages: numbered pages and keyset (cursor) pages.

Numbered pages (``paginate``) suit short lists. Lists that grow with the program (leads,
opportunities, fund requests, claims, payments, the ledger) use ``keyset``: a page starts
after the sort key of the row before it, so page 40,000 costs what page 1 costs (one index
range read) and rows added meanwhile never shift a row onto two pages or off all of them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    TypeDecorator,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, lazyload
from sqlalchemy.orm.interfaces import ORMOption

#: Counting stops here: "more than 10,000" is what a person needs to know past it.
COUNT_CAP = 10_000
NEXT, PREV = "next", "prev"


@dataclass(frozen=True)
class Page:
    """One page of results and what the pager needs to draw itself."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw: str | None) -> int:
    """A page number from the query string; anything odd means page 1."""
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def paginate(session: Session, stmt: Select, page: int, per_page: int = 25) -> Page:
    """Run stmt for one page and count all its rows."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, page=page, per_page=per_page, total=total)


@dataclass(frozen=True)
class KeysetPage:
    """One keyset page: its rows, the cursors of its neighbours and a capped count."""

    items: list[Any]
    per_page: int
    next_cursor: str | None
    prev_cursor: str | None
    #: Rows the list holds, counted up to COUNT_CAP; ``more`` says the count stopped there.
    total: int
    more: bool = False

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_prev(self) -> bool:
        return self.prev_cursor is not None

    @property
    def total_text(self) -> str:
        """'1,234' or 'more than 10,000'."""
        return f"more than {self.total:,}" if self.more else f"{self.total:,}"


def _encode_value(value: Any) -> list[Any]:
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, int):
        return ["i", value]
    return ["s", str(value)]


def _decode_value(pair: Any) -> Any:
    kind, raw = pair
    if kind == "t":
        value = dt.datetime.fromisoformat(raw)
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if kind == "d":
        return dt.date.fromisoformat(raw)
    if kind == "i" and isinstance(raw, int):
        return raw
    if kind == "s":
        return str(raw)
    raise ValueError(kind)


def encode_cursor(direction: str, values: tuple[Any, ...]) -> str:
    """An opaque, URL-safe cursor: which way to go and the sort key to start from."""
    payload = json.dumps([direction, [_encode_value(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(raw: str | None, width: int) -> tuple[str, tuple[Any, ...]] | None:
    """(direction, sort key) of a cursor, or None for a missing or malformed one (page 1)."""
    if not raw or len(raw) > 400:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        direction, pairs = payload
        values = tuple(_decode_value(pair) for pair in pairs)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if direction not in (NEXT, PREV) or len(values) != width:
        return None
    return direction, values


def _fits(value: Any, column: Any) -> bool:
    """Whether a cursor value can be compared with ``column`` in SQL without overflowing."""
    if not isinstance(value, int):
        return True
    limit = 2**63 if isinstance(column.type, BigInteger) else 2**31
    if isinstance(column.type, TypeDecorator) and isinstance(column.type.impl_instance, BigInteger):
        limit = 2**63
    return -limit <= value < limit


def capped_count(session: Session, stmt: Select, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(rows, more): counts at most cap + 1 rows of stmt, so a million-row list costs no more."""
    inner = stmt.order_by(None).options(lazyload("*")).limit(cap + 1).subquery()
    found = session.scalar(select(func.count()).select_from(inner)) or 0
    return (cap, True) if found > cap else (found, False)


def keyset(
    session: Session,
    stmt: Select,
    order: tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...],
    cursor: str | None,
    *,
    descending: bool = True,
    per_page: int = 25,
    loaders: tuple[ORMOption, ...] = (),
    count: bool = True,
    key_of: Callable[[Any], tuple[Any, ...]] | None = None,
) -> KeysetPage:
    """One page of stmt in the order of ``order`` (a unique key: end it with the id).

    ``stmt`` selects one ORM entity with its filters and no ORDER BY; ``loaders`` load
    related rows for the rows shown only (selectinload); any eager loads the model declares
    are switched off for the page query so the database reads only the page's rows.
    ``key_of`` gives a row's sort key when ``order`` holds columns of a joined table.
    """
    decoded = decode_cursor(cursor, len(order))
    if decoded and not all(_fits(v, c) for v, c in zip(decoded[1], order, strict=True)):
        decoded = None  # a forged cursor whose number the column cannot hold: page 1
    direction, after = decoded if decoded else (NEXT, None)
    backwards = direction == PREV
    # Walking backwards reverses the order, then the page is flipped back.
    walk_desc = descending != backwards
    key = tuple_(*order)
    page_stmt = stmt
    if after is not None:
        bound = tuple_(*(literal(v, type_=c.type) for v, c in zip(after, order, strict=True)))
        page_stmt = page_stmt.where(key < bound if walk_desc else key > bound)
    page_stmt = (
        page_stmt.order_by(*(c.desc() if walk_desc else c.asc() for c in order))
        .limit(per_page + 1)
        .options(lazyload("*"), *loaders)
    )
    rows = list(session.scalars(page_stmt).unique())
    extra = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()

    def own_key(item: Any) -> tuple[Any, ...]:
        return tuple(getattr(item, str(c.key)) for c in order)

    key_of = key_of or own_key

    has_next = (extra if not backwards else True) and bool(rows)
    has_prev = (after is not None if not backwards else extra) and bool(rows)
    next_cursor = encode_cursor(NEXT, key_of(rows[-1])) if has_next else None
    prev_cursor = encode_cursor(PREV, key_of(rows[0])) if has_prev else None
    total, more = capped_count(session, stmt) if count else (len(rows), False)
    return KeysetPage(rows, per_page, next_cursor, prev_cursor, total, more)

"""Cursor pagination for API lists: keyset on the id (newest first), an opaque cursor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from tcma.api.errors import ApiProblem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


#: A cursor is opaque to clients; it is "c" and the last id in hex, and every string that
#: matches this pattern is a valid cursor (so the schema says exactly what is accepted).
CURSOR_PATTERN = r"^c[0-9a-f]{1,15}$"

#: Ids are 32-bit integers on PostgreSQL: a larger cursor means "from the newest row".
_MAX_ID = 2**31 - 1


def encode_cursor(last_id: int) -> str:
    """An opaque cursor that resumes after ``last_id``."""
    return f"c{last_id:x}"


def decode_cursor(cursor: str) -> int:
    """The id a cursor resumes after; a 400 problem for anything not made by encode_cursor."""
    if not re.match(CURSOR_PATTERN, cursor):
        raise ApiProblem(
            400,
            detail="This cursor is not valid; use next_cursor from a list answer.",
            errors=[{"location": "query", "field": "cursor", "message": "Not a valid cursor."}],
        )
    return min(int(cursor[1:], 16), _MAX_ID)


@dataclass(frozen=True)
class CursorPage:
    """One page of a list and the cursor of the next one (None on the last page)."""

    items: list[Any]
    next_cursor: str | None


def keyset_page(
    session: Session, stmt: Select, id_column: Any, cursor: str | None, limit: int
) -> CursorPage:
    """Run ``stmt`` for the page after ``cursor``: ``id < cursor``, newest first, limit + 1."""
    if cursor:
        stmt = stmt.where(id_column < decode_cursor(cursor))
    rows = list(session.scalars(stmt.order_by(None).order_by(id_column.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return CursorPage(rows, encode_cursor(rows[-1].id) if more and rows else None)

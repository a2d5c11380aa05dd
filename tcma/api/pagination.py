"""Cursor pagination for API lists: keyset on the id (newest first), an opaque cursor."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from tcma.api.errors import ApiProblem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(last_id: int) -> str:
    """An opaque cursor that resumes after ``last_id``."""
    raw = json.dumps({"after": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id a cursor resumes after; a 400 problem for anything not made by encode_cursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        last_id = value["after"]
        if not isinstance(last_id, int) or isinstance(last_id, bool) or last_id < 1:
            raise ValueError
        return last_id
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiProblem(
            400,
            detail="This cursor is not valid; use next_cursor from a list answer.",
            errors=[{"location": "query", "field": "cursor", "message": "Not a valid cursor."}],
        ) from exc


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

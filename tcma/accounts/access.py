"""Authorisation helpers that every view uses: a role decorator and tenant-scoped getters."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy.orm import Session

from tcma.accounts import rules
from tcma.extensions import login_manager

T = TypeVar("T")


def roles_required(*roles: str) -> Callable:
    """Anonymous users go to the sign-in page; signed-in users without the role get 403."""
    unknown = set(roles) - set(rules.ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def current_partner_id() -> int | None:
    """The signed-in user's partner, or None for vendor staff."""
    if not current_user.is_authenticated:
        return None
    return current_user.partner_id


def get_scoped_or_404(
    session: Session, model: type[T], object_id: int, partner_attr: str = "partner_id"
) -> T:
    """Load an object; another partner's object answers 404, as if it did not exist."""
    obj = session.get(model, object_id)
    if obj is None:
        abort(404)
    partner_id = current_partner_id()
    if partner_id is not None and getattr(obj, partner_attr) != partner_id:
        abort(404)
    return obj


def scope_to_partner(stmt: Select, partner_column: Any) -> Select:
    """Limit a query to the current partner's rows; vendor staff see everything."""
    partner_id = current_partner_id()
    if partner_id is None:
        return stmt
    return stmt.where(partner_column == partner_id)


#: Ids are 32-bit on every database tcma runs on; a larger number names nothing.
_MAX_ID = 2**31 - 1


def filter_id_or_404(raw: str | None, visible: Callable[[int], bool]) -> int | None:
    """An id from a list filter (``?campaign=7``): None when blank, 404 unless ``visible``.

    A filter naming another partner's object (or none at all) answers as its page would:
    as if it did not exist, never as an empty list that confirms or hints at anything.
    """
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    # isascii: str.isdigit() also accepts "²", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or int(raw) > _MAX_ID or not visible(int(raw)):
        abort(404)
    return int(raw)


def scoped_exists(
    session: Session, model: type, object_id: int, partner_attr: str | None = "partner_id"
) -> bool:
    """Whether the object exists and the signed-in user's partner (if any) owns it.

    ``partner_attr=None`` is for vendor-wide objects (tiers, budgets): existing is enough.
    """
    obj = session.get(model, object_id)
    if obj is None:
        return False
    partner_id = current_partner_id()
    return partner_attr is None or partner_id is None or getattr(obj, partner_attr) == partner_id

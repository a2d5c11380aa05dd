"""The append-only MDF ledger: posting entries, row locks, and balances summed in SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, case, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from tcma.accounts.models import Partner, Tier
from tcma.db import Money
from tcma.mdf import money
from tcma.mdf.models import Allocation, Budget, LedgerEntry
from tcma.mdf.money import ZERO, Balance
from tcma.mdf.rules import TransitionError

T = TypeVar("T")


def lock(session: Session, model: type[T], object_id: int) -> T:
    """Load a row FOR UPDATE (PostgreSQL) and refresh it: later checks see committed state."""
    session.flush()
    cached = session.identity_map.get(identity_key(model, object_id))
    if cached is not None:
        # Collections (a request's claims, approvals) must be reloaded after the lock too.
        session.expire(cached)
    stmt = (
        select(model)
        .where(model.id == object_id)  # type: ignore[attr-defined]
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )
    return session.execute(stmt).unique().scalar_one()


def lock_with_allocation(session: Session, model: type[T], object_id: int) -> tuple[Allocation, T]:
    """Lock a request or claim's allocation, then the object itself (the lock order everywhere).

    The allocation is found before the locks are taken; a request moved to another allocation
    in between is refused rather than checked against the wrong balance.
    """
    obj = session.get_one(model, object_id)
    request: Any = getattr(obj, "fund_request", obj)  # a claim's request, or the request
    allocation = lock(session, Allocation, request.allocation_id)
    locked = lock(session, model, object_id)
    locked_request: Any = getattr(locked, "fund_request", locked)
    if locked_request.allocation_id != allocation.id:
        raise TransitionError("This fund request changed meanwhile; reload the page and try again.")
    return allocation, locked


def post(
    session: Session,
    allocation: Allocation,
    kind: str,
    amount: Decimal,
    *,
    actor_id: int | None,
    fund_request_id: int | None = None,
    claim_id: int | None = None,
    comment: str = "",
) -> LedgerEntry:
    """Append one entry; allocation changes also move the allocation's amount column."""
    if kind not in money.LEDGER_KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")
    entry = LedgerEntry(
        allocation_id=allocation.id,
        kind=kind,
        amount=amount,
        fund_request_id=fund_request_id,
        claim_id=claim_id,
        actor_id=actor_id,
        comment=comment,
    )
    session.add(entry)
    if kind in money.ALLOCATION_KINDS:
        allocation.amount = allocation.amount + amount
    session.flush()
    return entry


def _sum_where(condition: ColumnElement[bool], value: Any) -> ColumnElement[Decimal]:
    # Money is integer cents in SQL, so these sums are exact on SQLite as on PostgreSQL.
    summed = func.coalesce(func.sum(case((condition, value), else_=0)), 0)
    return type_coerce(summed, Money)


def _committed_sum() -> ColumnElement[Decimal]:
    # Commitments grow with approvals, shrink with releases, and turn into paid money.
    kind, amount = LedgerEntry.kind, LedgerEntry.amount
    summed = func.sum(
        case((kind.in_(money.COMMITMENT_KINDS), amount), (kind == money.PAY, -amount), else_=0)
    )
    return type_coerce(func.coalesce(summed, 0), Money)


def _bucket_columns() -> list[ColumnElement[Decimal]]:
    kind, amount = LedgerEntry.kind, LedgerEntry.amount
    return [
        _sum_where(kind.in_(money.ALLOCATION_KINDS), amount).label("allocated"),
        _committed_sum().label("committed"),
        _sum_where(kind == money.CLAIM_APPROVE, amount).label("claimed"),
        _sum_where(kind == money.PAY, amount).label("paid"),
    ]


def _balance(row: Any) -> Balance:
    return Balance(
        allocated=row.allocated, committed=row.committed, claimed=row.claimed, paid=row.paid
    )


def balance(session: Session, allocation_id: int) -> Balance:
    """One allocation's balance, summed from its ledger."""
    row = session.execute(
        select(*_bucket_columns()).where(LedgerEntry.allocation_id == allocation_id)
    ).one()
    return _balance(row)


def balances(session: Session, allocation_ids: list[int]) -> dict[int, Balance]:
    """Balances of several allocations in one query; allocations without entries are zero."""
    result = {allocation_id: Balance() for allocation_id in allocation_ids}
    if not allocation_ids:
        return result
    rows = session.execute(
        select(LedgerEntry.allocation_id, *_bucket_columns())
        .where(LedgerEntry.allocation_id.in_(allocation_ids))
        .group_by(LedgerEntry.allocation_id)
    )
    for row in rows:
        result[row.allocation_id] = _balance(row)
    return result


def balances_by(
    session: Session, group: str, currency: str | None = None, budget_id: int | None = None
) -> list[tuple[str, str, Balance]]:
    """Balances summed per budget, tier or partner: (label, currency, balance) rows."""
    key = {"budget": Budget.name, "tier": Tier.name, "partner": Partner.name}[group]
    stmt = (
        select(key.label("label"), Budget.currency, *_bucket_columns())
        .select_from(LedgerEntry)
        .join(Allocation, LedgerEntry.allocation_id == Allocation.id)
        .join(Budget, Allocation.budget_id == Budget.id)
        .join(Partner, Allocation.partner_id == Partner.id)
        .join(Tier, Partner.tier_id == Tier.id)
        .group_by(key, Budget.currency)
        .order_by(Budget.currency, key)
    )
    if currency:
        stmt = stmt.where(Budget.currency == currency)
    if budget_id:
        stmt = stmt.where(Budget.id == budget_id)
    return [(row.label, row.currency, _balance(row)) for row in session.execute(stmt)]


def allocated_from_budget(session: Session, budget_id: int) -> Decimal:
    """The sum of every allocation of a budget, as the ledger says."""
    stmt = (
        select(_sum_where(LedgerEntry.kind.in_(money.ALLOCATION_KINDS), LedgerEntry.amount))
        .join(Allocation, LedgerEntry.allocation_id == Allocation.id)
        .where(Allocation.budget_id == budget_id)
    )
    return session.scalar(stmt) or ZERO


def request_sums(session: Session, fund_request_id: int) -> tuple[Decimal, Decimal]:
    """(still committed, released so far) for one fund request."""
    kind, amount = LedgerEntry.kind, LedgerEntry.amount
    row = session.execute(
        select(
            _committed_sum(),
            _sum_where(kind == money.RELEASE, -amount),
        ).where(LedgerEntry.fund_request_id == fund_request_id)
    ).one()
    return row[0], row[1]


def entries_statement(allocation_id: int) -> Select:
    """An allocation's ledger entries, unordered (the page orders by LEDGER_ORDER)."""
    return select(LedgerEntry).where(LedgerEntry.allocation_id == allocation_id)


#: The order of the ledger page (newest first on the page); the id breaks ties.
LEDGER_ORDER = (LedgerEntry.at, LedgerEntry.id)


def entries(session: Session, allocation_id: int) -> list[LedgerEntry]:
    """An allocation's ledger, oldest first."""
    stmt = (
        select(LedgerEntry)
        .where(LedgerEntry.allocation_id == allocation_id)
        .order_by(LedgerEntry.at, LedgerEntry.id)
    )
    return list(session.scalars(stmt))

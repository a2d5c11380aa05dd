"""MDF use cases for finance: program settings, budgets and allocations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.accounts.models import Partner, User
from tcma.db import utcnow
from tcma.mdf import ledger, limits, money
from tcma.mdf.models import Allocation, Budget, ProgramSettings, TierRule
from tcma.mdf.rules import MdfError

SETTINGS_ID = 1


def _actor_id(actor: User | None) -> int | None:
    return actor.id if actor is not None else None


def get_settings(session: Session) -> ProgramSettings:
    """The program settings, created with defaults on first use."""
    settings = session.get(ProgramSettings, SETTINGS_ID)
    if settings is None:
        settings = ProgramSettings(id=SETTINGS_ID)
        session.add(settings)
        session.flush()
    return settings


def tier_shares(session: Session) -> dict[int, int]:
    """Co-op share per tier id, for tiers that have their own rule."""
    return {rule.tier_id: rule.share_percent for rule in session.scalars(select(TierRule))}


def share_for_partner(session: Session, partner: Partner) -> int:
    """The co-op share that applies to a partner: its tier's, or the program default."""
    rule = session.scalar(select(TierRule).where(TierRule.tier_id == partner.tier_id))
    return rule.share_percent if rule is not None else get_settings(session).default_share_percent


def update_settings(
    session: Session,
    actor: User,
    *,
    four_eyes_threshold: Decimal | None,
    claim_window_days: int,
    default_share_percent: int,
    shares: dict[int, int],
) -> ProgramSettings:
    """Change the four-eyes threshold, claim window and co-op shares."""
    if claim_window_days < 0 or claim_window_days > 3650:
        raise MdfError("The claim window is between 0 and 3650 days.", field="claim_window_days")
    for percent in (default_share_percent, *shares.values()):
        if not 0 <= percent <= 100:
            raise MdfError("A co-op share is between 0 and 100 %.")
    settings = get_settings(session)
    settings.four_eyes_threshold = four_eyes_threshold
    settings.claim_window_days = claim_window_days
    settings.default_share_percent = default_share_percent
    settings.updated_at = utcnow()
    settings.updated_by_id = _actor_id(actor)
    existing = {rule.tier_id: rule for rule in session.scalars(select(TierRule))}
    for tier_id, percent in shares.items():
        rule = existing.get(tier_id) or TierRule(tier_id=tier_id)
        rule.share_percent = percent
        session.add(rule)
    session.flush()
    audit.record(
        session,
        actor_id=_actor_id(actor),
        action="mdf.settings_updated",
        object_type="mdf_settings",
        object_id=settings.id,
        amount=four_eyes_threshold,
        data={
            "claim_window_days": claim_window_days,
            "default_share_percent": default_share_percent,
            "tier_shares": {str(k): v for k, v in shares.items()},
        },
    )
    return settings


def _check_budget_fields(name: str, start: dt.date, end: dt.date, currency: str) -> None:
    if not name.strip():
        raise MdfError("Give the budget a name.", field="name")
    if currency not in money.CURRENCIES:
        raise MdfError("Choose a currency from the list.", field="currency")
    limits.check_period(start, end)


def create_budget(
    session: Session,
    actor: User,
    *,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    amount: Decimal,
    currency: str,
) -> Budget:
    """Create a budget for a period, in one currency."""
    _check_budget_fields(name, period_start, period_end, currency)
    budget = Budget(
        name=name.strip(),
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        currency=currency,
        created_by_id=_actor_id(actor),
    )
    session.add(budget)
    session.flush()
    audit.record(
        session,
        actor_id=_actor_id(actor),
        action="mdf.budget_created",
        object_type="budget",
        object_id=budget.id,
        to_state="open",
        amount=amount,
        currency=currency,
    )
    return budget


def update_budget(
    session: Session,
    actor: User,
    budget_id: int,
    *,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    amount: Decimal,
) -> Budget:
    """Rename, re-date or resize a budget; it never shrinks below what is allocated."""
    budget = ledger.lock(session, Budget, budget_id)
    _check_budget_fields(name, period_start, period_end, budget.currency)
    limits.ensure_budget_amount(
        amount, ledger.allocated_from_budget(session, budget.id), budget.currency
    )
    old_amount = budget.amount
    budget.name, budget.period_start, budget.period_end = name.strip(), period_start, period_end
    budget.amount = amount
    session.flush()
    audit.record(
        session,
        actor_id=_actor_id(actor),
        action="mdf.budget_updated",
        object_type="budget",
        object_id=budget.id,
        from_state=str(old_amount),
        to_state=str(amount),
        amount=amount - old_amount,
        currency=budget.currency,
    )
    return budget


def _allocation_for(session: Session, budget: Budget, partner_id: int) -> Allocation:
    allocation = session.scalar(
        select(Allocation).where(
            Allocation.budget_id == budget.id, Allocation.partner_id == partner_id
        )
    )
    if allocation is None:
        partner = session.get(Partner, partner_id)
        if partner is None:
            raise MdfError("Choose a partner from the list.", field="partner_id")
        if not partner.is_active:
            raise MdfError(f"{partner.name} is suspended; it cannot receive funds.")
        allocation = Allocation(budget_id=budget.id, partner_id=partner_id, amount=Decimal(0))
        session.add(allocation)
        session.flush()
    return allocation


def _post_allocation_change(
    session: Session,
    actor: User | None,
    allocation: Allocation,
    kind: str,
    delta: Decimal,
    comment: str,
) -> None:
    old_amount = allocation.amount
    ledger.post(session, allocation, kind, delta, actor_id=_actor_id(actor), comment=comment)
    audit.record(
        session,
        actor_id=_actor_id(actor),
        action=f"mdf.allocation_{kind}",
        object_type="allocation",
        object_id=allocation.id,
        partner_id=allocation.partner_id,
        from_state=str(old_amount),
        to_state=str(allocation.amount),
        amount=delta,
        currency=allocation.budget.currency,
        comment=comment or None,
    )


def allocate(
    session: Session,
    actor: User,
    budget_id: int,
    partner_id: int,
    amount: Decimal,
    comment: str = "",
) -> Allocation:
    """Give a partner (more) money from a budget; allocations never exceed the budget."""
    budget = ledger.lock(session, Budget, budget_id)
    if amount <= 0:
        raise MdfError("The amount must be more than zero.", field="amount")
    room_used = ledger.allocated_from_budget(session, budget.id)
    limits.ensure_budget_room(budget.amount, room_used, amount, budget.currency)
    allocation = _allocation_for(session, budget, partner_id)
    allocation = ledger.lock(session, Allocation, allocation.id)
    _post_allocation_change(session, actor, allocation, money.ALLOCATE, amount, comment)
    return allocation


def set_allocation(
    session: Session, actor: User, allocation_id: int, new_amount: Decimal, comment: str = ""
) -> Allocation:
    """Raise or lower an allocation; never below what is committed and paid from it."""
    budget_id = session.get_one(Allocation, allocation_id).budget_id
    budget = ledger.lock(session, Budget, budget_id)
    allocation = ledger.lock(session, Allocation, allocation_id)
    current = ledger.balance(session, allocation.id)
    limits.ensure_can_set_allocation(current, new_amount, budget.currency)
    delta = new_amount - current.allocated
    if delta == 0:
        return allocation
    if delta > 0:
        used = ledger.allocated_from_budget(session, budget.id)
        limits.ensure_budget_room(budget.amount, used, delta, budget.currency)
    _post_allocation_change(session, actor, allocation, money.ADJUST, delta, comment)
    return allocation


def move_allocation(
    session: Session,
    actor: User,
    allocation_id: int,
    to_partner_id: int,
    amount: Decimal,
    comment: str = "",
) -> Allocation:
    """Move available money from one partner's allocation to another's in the same budget."""
    budget_id = session.get_one(Allocation, allocation_id).budget_id
    budget = ledger.lock(session, Budget, budget_id)
    source = ledger.lock(session, Allocation, allocation_id)
    if source.partner_id == to_partner_id:
        raise MdfError("Choose a different partner to move the money to.", field="to_partner_id")
    target = ledger.lock(session, Allocation, _allocation_for(session, budget, to_partner_id).id)
    limits.ensure_can_move(ledger.balance(session, source.id), amount, budget.currency)
    note = comment or f"moved to {target.partner.name}"
    _post_allocation_change(session, actor, source, money.MOVE, -amount, note)
    note = comment or f"moved from {source.partner.name}"
    _post_allocation_change(session, actor, target, money.MOVE, amount, note)
    return target


def bulk_allocate_by_tier(
    session: Session, actor: User, budget_id: int, mode: str, values: dict[int, Decimal]
) -> dict[int, Decimal]:
    """Allocate to every active partner of the chosen tiers: a fixed amount or a tier's share."""
    budget = ledger.lock(session, Budget, budget_id)
    partners = session.scalars(
        select(Partner).where(Partner.status == "active").order_by(Partner.name)
    )
    by_tier: dict[int, list[int]] = {}
    for partner in partners:
        by_tier.setdefault(partner.tier_id, []).append(partner.id)
    amounts = limits.tier_amounts(budget.amount, mode, values, by_tier)
    if not amounts:
        raise MdfError("No active partner is in the tiers you gave an amount to.")
    total = sum(amounts.values(), money.ZERO)
    used = ledger.allocated_from_budget(session, budget.id)
    limits.ensure_budget_room(budget.amount, used, total, budget.currency)
    for partner_id, amount in amounts.items():
        allocation = ledger.lock(
            session, Allocation, _allocation_for(session, budget, partner_id).id
        )
        how = "fixed amount" if mode == "fixed" else "share of the budget"
        comment = f"bulk by tier: {allocation.partner.tier.name}, {how}"
        _post_allocation_change(session, actor, allocation, money.ALLOCATE, amount, comment)
    return amounts

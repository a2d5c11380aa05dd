"""Finance's budgets and allocations on the test database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tcma.audit import AuditEvent, timeline
from tcma.mdf import budget_services, ledger
from tcma.mdf.models import Allocation, LedgerEntry
from tcma.mdf.rules import InsufficientFunds, LimitExceeded, MdfError

D = Decimal


def test_allocations_never_exceed_the_budget(funds, world):
    budget = funds.budget("1000")
    funds.allocation("600", budget=budget)
    with pytest.raises(InsufficientFunds) as refused:
        funds.allocation("400.01", partner=world.partner_b, budget=budget)
    assert "€400.00 unallocated" in refused.value.message
    funds.allocation("400", partner=world.partner_b, budget=budget)
    assert ledger.allocated_from_budget(funds.session, budget.id) == D("1000.00")


def test_allocating_twice_raises_the_same_allocation(funds):
    budget = funds.budget()
    first = funds.allocation("100", budget=budget)
    second = funds.allocation("50", budget=budget)
    assert first.id == second.id
    assert second.amount == D("150.00")
    assert ledger.balance(funds.session, first.id).allocated == D("150.00")


def test_allocation_can_be_lowered_only_down_to_what_is_committed(funds):
    allocation = funds.allocation("5000")
    funds.approved(allocation, "2000")
    with pytest.raises(InsufficientFunds) as refused:
        budget_services.set_allocation(
            funds.session, funds.user("finance"), allocation.id, D("1999.99")
        )
    assert "€2,000.00" in refused.value.message
    budget_services.set_allocation(funds.session, funds.user("finance"), allocation.id, D("2000"))
    balance = ledger.balance(funds.session, allocation.id)
    assert (balance.allocated, balance.available) == (D("2000.00"), D("0.00"))


def test_raising_an_allocation_needs_room_in_the_budget(funds):
    budget = funds.budget("1000")
    allocation = funds.allocation("900", budget=budget)
    with pytest.raises(InsufficientFunds):
        budget_services.set_allocation(
            funds.session, funds.user("finance"), allocation.id, D("1000.01")
        )
    budget_services.set_allocation(funds.session, funds.user("finance"), allocation.id, D("1000"))
    assert allocation.amount == D("1000.00")


def test_moving_money_between_partners(funds, world):
    budget = funds.budget("10000")
    source = funds.allocation("3000", budget=budget)
    funds.approved(source, "1000")
    with pytest.raises(InsufficientFunds):
        budget_services.move_allocation(
            funds.session, funds.user("finance"), source.id, world.partner_b.id, D("2000.01")
        )
    target = budget_services.move_allocation(
        funds.session, funds.user("finance"), source.id, world.partner_b.id, D("2000")
    )
    assert target.partner_id == world.partner_b.id
    assert ledger.balance(funds.session, source.id).available == D("0.00")
    assert ledger.balance(funds.session, target.id).allocated == D("2000.00")
    assert ledger.allocated_from_budget(funds.session, budget.id) == D("3000.00")
    with pytest.raises(MdfError):
        budget_services.move_allocation(
            funds.session, funds.user("finance"), target.id, world.partner_b.id, D("1")
        )


def test_bulk_allocation_gives_each_partner_of_a_tier_a_fixed_amount(funds, world):
    budget = funds.budget("10000")
    amounts = budget_services.bulk_allocate_by_tier(
        funds.session,
        funds.user("finance"),
        budget.id,
        "fixed",
        {world.tiers["gold"].id: D("2500"), world.tiers["platinum"].id: D("4000")},
    )
    assert amounts == {world.partner_a.id: D("2500"), world.partner_b.id: D("4000")}
    assert ledger.allocated_from_budget(funds.session, budget.id) == D("6500.00")


def test_bulk_allocation_by_share_splits_the_tier_share(funds, world):
    budget = funds.budget("10000")
    budget_services.bulk_allocate_by_tier(
        funds.session,
        funds.user("finance"),
        budget.id,
        "share",
        {world.tiers["platinum"].id: D("60")},
    )
    allocations = funds.session.scalars(select(Allocation).where(Allocation.budget_id == budget.id))
    assert {(a.partner_id, a.amount) for a in allocations} == {(world.partner_b.id, D("6000.00"))}


def test_bulk_allocation_is_all_or_nothing(funds, world):
    budget = funds.budget("5000")
    with pytest.raises(InsufficientFunds):
        budget_services.bulk_allocate_by_tier(
            funds.session,
            funds.user("finance"),
            budget.id,
            "fixed",
            {world.tiers["gold"].id: D("2500"), world.tiers["platinum"].id: D("2500.01")},
        )
    assert funds.session.scalars(select(LedgerEntry)).all() == []


def test_budget_cannot_shrink_below_its_allocations(funds):
    budget = funds.budget("1000")
    funds.allocation("800", budget=budget)
    kwargs = dict(name="FY", period_start=budget.period_start, period_end=budget.period_end)
    with pytest.raises(LimitExceeded):
        budget_services.update_budget(
            funds.session, funds.user("finance"), budget.id, amount=D("799"), **kwargs
        )
    budget_services.update_budget(
        funds.session, funds.user("finance"), budget.id, amount=D("800"), **kwargs
    )
    assert budget.amount == D("800.00")


def test_suspended_partners_get_no_money(funds, world):
    world.partner_b.status = "suspended"
    with pytest.raises(MdfError):
        funds.allocation("100", partner=world.partner_b)


def test_every_allocation_change_is_audited_with_from_and_to(funds):
    allocation = funds.allocation("1000")
    budget_services.set_allocation(
        funds.session, funds.user("finance"), allocation.id, D("1200"), "Q3 top-up"
    )
    events = timeline(funds.session, "allocation", allocation.id)
    assert [(e.action, e.from_state, e.to_state, e.amount) for e in events] == [
        ("mdf.allocation_allocate", "0.00", "1000.00", D("1000.00")),
        ("mdf.allocation_adjust", "1000.00", "1200.00", D("200.00")),
    ]
    assert events[1].comment == "Q3 top-up"
    assert events[1].actor_id == funds.user("finance").id


def test_settings_set_tier_shares_and_four_eyes(funds, world):
    budget_services.update_settings(
        funds.session,
        funds.user("finance"),
        four_eyes_threshold=D("5000"),
        claim_window_days=30,
        default_share_percent=40,
        shares={world.tiers["gold"].id: 75},
    )
    assert budget_services.share_for_partner(funds.session, world.partner_a) == 75
    assert budget_services.share_for_partner(funds.session, world.partner_b) == 40
    assert funds.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "mdf.settings_updated")
    )
    with pytest.raises(MdfError):
        budget_services.update_settings(
            funds.session,
            funds.user("finance"),
            four_eyes_threshold=None,
            claim_window_days=30,
            default_share_percent=101,
            shares={},
        )

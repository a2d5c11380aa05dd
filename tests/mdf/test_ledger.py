"""The ledger: exact SQL sums, append-only entries, and reconciliation with budgets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from tcma.mdf import budget_services, claim_services, ledger
from tcma.mdf.models import Allocation, Budget, Claim, FundRequest, LedgerEntry, Payment
from tcma.mdf.money import ZERO, fold

D = Decimal


def test_sql_sums_of_cents_are_exact(funds):
    allocation = funds.allocation("0.10")
    budget_services.set_allocation(funds.session, funds.user("finance"), allocation.id, D("0.30"))
    entries = [(e.kind, e.amount) for e in ledger.entries(funds.session, allocation.id)]
    assert entries == [("allocate", D("0.10")), ("adjust", D("0.20"))]
    assert ledger.balance(funds.session, allocation.id).allocated == D("0.30")
    stored = funds.session.execute(
        text("SELECT SUM(amount) FROM mdf_ledger_entries WHERE allocation_id = :id"),
        {"id": allocation.id},
    ).scalar_one()
    assert int(stored) == 30  # integer cents in SQL, not floating point


def test_a_thousand_cents_sum_to_ten(funds):
    budget = funds.budget("100")
    allocation = funds.allocation("0.01", budget=budget)
    for _ in range(999):
        ledger.post(funds.session, allocation, "adjust", D("0.01"), actor_id=None)
    assert ledger.balance(funds.session, allocation.id).allocated == D("10.00")
    assert ledger.allocated_from_budget(funds.session, budget.id) == D("10.00")


def test_ledger_entries_are_append_only(funds):
    allocation = funds.allocation("100")
    funds.session.commit()
    entry = ledger.entries(funds.session, allocation.id)[0]
    entry.amount = D("1000")
    with pytest.raises(RuntimeError, match="append-only"):
        funds.session.flush()
    funds.session.rollback()
    entry = funds.session.get(LedgerEntry, entry.id)
    funds.session.delete(entry)
    with pytest.raises(RuntimeError, match="append-only"):
        funds.session.flush()
    funds.session.rollback()


def reconcile(session) -> None:
    """Every figure the product shows agrees with the ledger and with the documents."""
    for allocation in session.scalars(select(Allocation)):
        rows = [(e.kind, e.amount) for e in ledger.entries(session, allocation.id)]
        balance = ledger.balance(session, allocation.id)
        assert balance == fold(rows), "SQL sums and the pure fold disagree"
        assert balance.problems() == []
        assert allocation.amount == balance.allocated
        requests = session.scalars(
            select(FundRequest).where(FundRequest.allocation_id == allocation.id)
        ).all()
        claims = [c for r in requests for c in r.claims]
        paid = sum((p.amount for c in claims if (p := c.payment) is not None), ZERO)
        assert balance.paid == paid
        approved_claims = [c for c in claims if c.status in ("approved", "paid")]
        assert balance.claimed == sum((c.approved_amount for c in approved_claims), ZERO)
        committed = ZERO
        for request in requests:
            request_committed, released = ledger.request_sums(session, request.id)
            committed += request_committed
            if request.status == "approved":
                paid_here = sum((c.payment.amount for c in request.claims if c.payment), ZERO)
                assert request_committed == request.approved_amount - released - paid_here
                assert claim_services.unclaimed(session, request) >= 0
        assert balance.committed == committed
    for budget in session.scalars(select(Budget)):
        allocated = sum((a.amount for a in budget.allocations), ZERO)
        assert allocated == ledger.allocated_from_budget(session, budget.id) <= budget.amount
    assert session.scalar(select(func.count(Payment.id))) == session.scalar(
        select(func.count(Claim.id)).where(Claim.status == "paid")
    )


def test_ledger_reconciles_with_budgets_allocations_and_documents(funds, world):
    budget = funds.budget("20000")
    a = funds.allocation("8000", budget=budget)
    b = funds.allocation("6000", partner=world.partner_b, budget=budget)
    first = funds.approved(a, "2000")
    funds.paid_claim(first, "1200")
    funds.approved_claim(first, "500", amount="400")
    second = funds.approved(a, "1000")
    budget_services.move_allocation(
        funds.session, funds.user("finance"), a.id, world.partner_b.id, D("2500")
    )
    budget_services.set_allocation(funds.session, funds.user("finance"), b.id, D("9000"))
    funds.submitted(a, "300")
    assert second.status == "approved"
    reconcile(funds.session)
    by_budget = ledger.balances_by(funds.session, "budget")
    assert [(label, cur) for label, cur, _ in by_budget] == [("FY budget", "EUR")]
    total = by_budget[0][2]
    parts = ledger.balances(funds.session, [a.id, b.id])
    assert total.allocated == parts[a.id].allocated + parts[b.id].allocated == D("14500.00")
    assert total.paid == D("1200.00") and total.claimed == D("1600.00")
    by_tier = {label: bal for label, _, bal in ledger.balances_by(funds.session, "tier")}
    assert by_tier["gold"].allocated == D("5500.00")
    assert by_tier["platinum"].allocated == D("9000.00")

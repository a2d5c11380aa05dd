"""Pure money limits: typed amounts, co-op caps, budget room and allocation balance guards."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from tcma import amounts
from tcma.mdf.money import CENT, ZERO, Balance, format_money
from tcma.mdf.rules import InsufficientFunds, LimitExceeded, MdfError

MAX_AMOUNT = amounts.MAX_AMOUNT


# --- money ------------------------------------------------------------------------------


def parse_amount(
    text: str | Decimal | int, *, allow_zero: bool = False, currency: str | None = None
) -> Decimal:
    """Read an amount typed by a person with tcma.amounts' strict rules; MdfError if unclear."""
    if isinstance(text, float):
        raise TypeError("money must be Decimal, int or str, never float")
    if isinstance(text, Decimal | int):
        text = f"{Decimal(text):f}"
    try:
        return amounts.parse_amount(text, currency=currency, allow_zero=allow_zero)
    except amounts.AmountError as exc:
        raise MdfError(exc.message) from None


def coop_cap(cost: Decimal, share_percent: int) -> Decimal:
    """The most MDF may pay of ``cost`` at a co-op share, rounded down to the cent."""
    return (cost * Decimal(share_percent) / 100).quantize(CENT, rounding=ROUND_DOWN)


def split_evenly(total: Decimal, count: int) -> list[Decimal]:
    """Split ``total`` into ``count`` amounts that differ by at most a cent and sum exactly."""
    if count <= 0:
        return []
    cents = int(total / CENT)
    base, extra = divmod(cents, count)
    return [Decimal(base + (1 if i < extra else 0)) * CENT for i in range(count)]


def tier_amounts(
    budget_amount: Decimal,
    mode: str,
    values: dict[int, Decimal],
    partners_by_tier: dict[int, list[int]],
) -> dict[int, Decimal]:
    """Amount per partner for a bulk allocation: a fixed amount each, or a tier's share split."""
    if mode not in ("fixed", "share"):
        raise MdfError("Choose a fixed amount per partner or a share of the budget per tier.")
    result: dict[int, Decimal] = {}
    shares = sum(values.values(), ZERO) if mode == "share" else ZERO
    if shares > 100:
        raise LimitExceeded("The tier shares add up to more than 100 % of the budget.")
    for tier_id, value in values.items():
        partner_ids = partners_by_tier.get(tier_id, [])
        if value <= 0 or not partner_ids:
            continue
        if mode == "fixed":
            amounts = [value] * len(partner_ids)
        else:
            tier_total = (budget_amount * value / 100).quantize(CENT, rounding=ROUND_DOWN)
            amounts = split_evenly(tier_total, len(partner_ids))
        for partner_id, amount in zip(partner_ids, amounts, strict=True):
            if amount > 0:
                result[partner_id] = result.get(partner_id, ZERO) + amount
    return result


def ensure_budget_room(
    budget_amount: Decimal, allocated: Decimal, extra: Decimal, cur: str
) -> None:
    """Allocations may never add up to more than their budget."""
    room = budget_amount - allocated
    if extra > room:
        raise InsufficientFunds(
            f"The budget has only {format_money(room, cur)} unallocated; "
            f"{format_money(extra, cur)} does not fit."
        )


def ensure_budget_amount(new_amount: Decimal, allocated: Decimal, cur: str) -> None:
    """A budget may shrink only down to what is already allocated from it."""
    if new_amount < allocated:
        raise LimitExceeded(
            f"{format_money(allocated, cur)} is already allocated from this budget; "
            "the budget cannot be lower than that.",
            field="amount",
        )


def ensure_can_commit(balance: Balance, amount: Decimal, cur: str) -> None:
    """An approval commits only what the allocation still has available."""
    if amount > balance.available:
        raise InsufficientFunds(
            f"Only {format_money(balance.available, cur)} is available on this allocation; "
            f"{format_money(amount, cur)} cannot be committed. Approve less, or ask finance "
            "to raise the allocation.",
            field="amount",
        )


def ensure_can_set_allocation(balance: Balance, new_allocated: Decimal, cur: str) -> None:
    """An allocation may be lowered only down to what is committed and paid from it."""
    if new_allocated < 0:
        raise MdfError("The allocation cannot be negative.", field="amount")
    if new_allocated < balance.used:
        raise InsufficientFunds(
            f"{format_money(balance.used, cur)} of this allocation is committed or paid; "
            "it cannot be lowered below that.",
            field="amount",
        )


def ensure_can_move(balance: Balance, amount: Decimal, cur: str) -> None:
    """Only the available part of an allocation may move to another partner."""
    if amount <= 0:
        raise MdfError("The amount must be more than zero.", field="amount")
    if amount > balance.available:
        raise InsufficientFunds(
            f"Only {format_money(balance.available, cur)} of this allocation is available to move.",
            field="amount",
        )


def ensure_claim_covered(balance: Balance, amount: Decimal, cur: str) -> None:
    """Approved, unpaid claims never exceed the money still committed for them."""
    if balance.payable + amount > balance.committed:
        covered = balance.committed - balance.payable
        raise InsufficientFunds(
            f"Only {format_money(covered, cur)} is still committed for claims on this allocation.",
            field="amount",
        )


def ensure_can_pay(balance: Balance, amount: Decimal, cur: str) -> None:
    """A payment never exceeds the approved, unpaid claims nor the commitment behind them."""
    if amount > balance.payable or amount > balance.committed:
        raise InsufficientFunds(
            f"Only {format_money(min(balance.payable, balance.committed), cur)} is payable "
            "on this allocation."
        )


def check_period(start: dt.date, end: dt.date) -> None:
    """A period or activity ends on or after the day it starts."""
    if end < start:
        raise MdfError("The end date must be on or after the start date.", field="end_date")


def check_request_amounts(
    total_cost: Decimal, requested: Decimal, share_percent: int, cur: str
) -> None:
    """A request asks for at most the co-op share of the activity's cost."""
    if total_cost <= 0:
        raise MdfError("The total cost must be more than zero.", field="total_cost")
    if requested <= 0:
        raise MdfError("The requested amount must be more than zero.", field="requested_amount")
    cap = coop_cap(total_cost, share_percent)
    if requested > cap:
        raise LimitExceeded(
            f"Your tier's co-op share is {share_percent} % of the cost: "
            f"request at most {format_money(cap, cur)}.",
            field="requested_amount",
        )


def check_approval_amount(requested: Decimal, approved: Decimal, cur: str) -> None:
    """An approver may approve the requested amount or less, never more."""
    if approved <= 0:
        raise MdfError("The approved amount must be more than zero.", field="amount")
    if approved > requested:
        raise LimitExceeded(
            f"At most the requested {format_money(requested, cur)} can be approved.", field="amount"
        )


def check_claim_amounts(
    actual_cost: Decimal, claimed: Decimal, unclaimed: Decimal, share_percent: int, cur: str
) -> None:
    """A claim asks for at most what is unclaimed and at most the co-op share of the actual cost."""
    if actual_cost <= 0:
        raise MdfError("The actual cost must be more than zero.", field="actual_cost")
    if claimed <= 0:
        raise MdfError("The claimed amount must be more than zero.", field="claimed_amount")
    if claimed > unclaimed:
        raise LimitExceeded(
            f"Only {format_money(unclaimed, cur)} of the approved amount is still unclaimed.",
            field="claimed_amount",
        )
    cap = coop_cap(actual_cost, share_percent)
    if claimed > cap:
        raise LimitExceeded(
            f"Your tier's co-op share is {share_percent} % of the actual cost: "
            f"claim at most {format_money(cap, cur)}.",
            field="claimed_amount",
        )


def check_claim_approval(claimed: Decimal, approved: Decimal, cur: str) -> None:
    """Finance approves the claimed amount or less."""
    if approved <= 0:
        raise MdfError("The approved amount must be more than zero.", field="amount")
    if approved > claimed:
        raise LimitExceeded(
            f"At most the claimed {format_money(claimed, cur)} can be approved.", field="amount"
        )

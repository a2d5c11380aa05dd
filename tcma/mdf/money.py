"""Pure money maths: currencies, formatting and an allocation's balance folded from the ledger."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from tcma.money import CURRENCY_SYMBOLS, format_money  # noqa: F401 - re-exported for MDF

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

CURRENCIES = tuple(CURRENCY_SYMBOLS)

# The kinds of ledger entries, and which balance bucket each one moves.
ALLOCATE = "allocate"
ADJUST = "adjust"
MOVE = "move"
COMMIT = "commit"
RELEASE = "release"
CLAIM_APPROVE = "claim_approve"
PAY = "pay"
ALLOCATION_KINDS = (ALLOCATE, ADJUST, MOVE)
COMMITMENT_KINDS = (COMMIT, RELEASE)
LEDGER_KINDS = (ALLOCATE, ADJUST, MOVE, COMMIT, RELEASE, CLAIM_APPROVE, PAY)
LEDGER_KIND_LABELS = {
    ALLOCATE: "Allocated",
    ADJUST: "Adjusted",
    MOVE: "Moved",
    COMMIT: "Committed to a request",
    RELEASE: "Released",
    CLAIM_APPROVE: "Claim approved",
    PAY: "Paid",
}


@dataclass(frozen=True)
class Balance:
    """An allocation's balance: what the ledger says, bucket by bucket."""

    allocated: Decimal = ZERO
    committed: Decimal = ZERO  # approved requests, not yet paid or released
    claimed: Decimal = ZERO  # approved claims, paid or not
    paid: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        """What may still be committed to new requests."""
        return self.allocated - self.committed - self.paid

    @property
    def payable(self) -> Decimal:
        """Approved claims not yet paid."""
        return self.claimed - self.paid

    @property
    def used(self) -> Decimal:
        """Committed plus paid: the floor below which the allocation cannot be lowered."""
        return self.committed + self.paid

    def apply(self, kind: str, amount: Decimal) -> Balance:
        """The balance after one ledger entry (amounts are signed, see ledger.py)."""
        if kind in ALLOCATION_KINDS:
            return replace(self, allocated=self.allocated + amount)
        if kind in COMMITMENT_KINDS:
            return replace(self, committed=self.committed + amount)
        if kind == CLAIM_APPROVE:
            return replace(self, claimed=self.claimed + amount)
        if kind == PAY:
            # Paying moves money out of the commitment into paid.
            return replace(self, paid=self.paid + amount, committed=self.committed - amount)
        raise ValueError(f"unknown ledger kind {kind!r}")

    def problems(self) -> list[str]:
        """Broken invariants; an empty list means the balance is sound."""
        found = []
        for name in ("allocated", "committed", "claimed", "paid", "available", "payable"):
            if getattr(self, name) < 0:
                found.append(f"{name} is negative ({getattr(self, name)})")
        if self.payable > self.committed:
            found.append("approved unpaid claims exceed the commitment")
        return found


def fold(entries: list[tuple[str, Decimal]]) -> Balance:
    """The balance after a sequence of (kind, amount) ledger entries."""
    balance = Balance()
    for kind, amount in entries:
        balance = balance.apply(kind, amount)
    return balance

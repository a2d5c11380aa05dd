"""The pure balance maths: each ledger kind moves the right bucket."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tcma.mdf.money import Balance, fold

D = Decimal


def test_a_full_cycle_leaves_the_right_balance():
    balance = fold(
        [
            ("allocate", D("1000")),
            ("commit", D("400")),
            ("claim_approve", D("300")),
            ("pay", D("300")),
            ("release", D("-100")),
            ("adjust", D("-100")),
            ("move", D("-50")),
        ]
    )
    assert balance == Balance(allocated=D("850"), committed=D("0"), claimed=D("300"), paid=D("300"))
    assert balance.available == D("550")
    assert balance.payable == D("0")
    assert balance.problems() == []


def test_problems_reports_broken_invariants():
    assert "available is negative (-1.00)" in Balance(allocated=D("0"), committed=D("1")).problems()
    bad = Balance(allocated=D("10"), committed=D("1"), claimed=D("2"))
    assert "approved unpaid claims exceed the commitment" in bad.problems()


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        Balance().apply("gift", D("1"))

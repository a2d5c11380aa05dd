"""The pure MDF rules: every transition allowed or refused, limits, four-eyes, claim window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tcma.mdf import limits, rules
from tcma.mdf.money import Balance, format_money

D = Decimal

ALLOWED_REQUEST = {
    ("draft", "submit"): "submitted",
    ("changes_requested", "submit"): "submitted",
    ("draft", "withdraw"): "withdrawn",
    ("submitted", "withdraw"): "withdrawn",
    ("awaiting_second_approval", "withdraw"): "withdrawn",
    ("changes_requested", "withdraw"): "withdrawn",
    ("submitted", "approve"): "approved",
    ("submitted", "first_approve"): "awaiting_second_approval",
    ("awaiting_second_approval", "approve"): "approved",
    ("submitted", "reject"): "rejected",
    ("awaiting_second_approval", "reject"): "rejected",
    ("submitted", "request_changes"): "changes_requested",
    ("awaiting_second_approval", "request_changes"): "changes_requested",
    ("approved", "cancel"): "cancelled",
}
REQUEST_ACTIONS = sorted({action for _, action in ALLOWED_REQUEST})

ALLOWED_CLAIM = {
    ("draft", "submit"): "submitted",
    ("changes_requested", "submit"): "submitted",
    ("draft", "withdraw"): "withdrawn",
    ("changes_requested", "withdraw"): "withdrawn",
    ("submitted", "approve"): "approved",
    ("submitted", "reject"): "rejected",
    ("submitted", "request_changes"): "changes_requested",
    ("approved", "pay"): "paid",
}
CLAIM_ACTIONS = sorted({action for _, action in ALLOWED_CLAIM})


@pytest.mark.parametrize("state", rules.REQUEST_STATES)
@pytest.mark.parametrize("action", REQUEST_ACTIONS)
def test_every_request_transition_is_allowed_or_refused_as_designed(state, action):
    expected = ALLOWED_REQUEST.get((state, action))
    if expected:
        assert rules.request_transition(state, action) == expected
    else:
        with pytest.raises(rules.TransitionError) as refused:
            rules.request_transition(state, action)
        assert "fund request" in refused.value.message


@pytest.mark.parametrize("state", rules.CLAIM_STATES)
@pytest.mark.parametrize("action", CLAIM_ACTIONS)
def test_every_claim_transition_is_allowed_or_refused_as_designed(state, action):
    expected = ALLOWED_CLAIM.get((state, action))
    if expected:
        assert rules.claim_transition(state, action) == expected
    else:
        with pytest.raises(rules.TransitionError):
            rules.claim_transition(state, action)


def test_refused_transition_message_names_the_state_and_action():
    with pytest.raises(rules.TransitionError) as refused:
        rules.claim_transition("draft", "pay")
    assert refused.value.message == "This claim is draft; it cannot be paid."


def test_terminal_states_allow_nothing():
    for state in ("rejected", "withdrawn", "cancelled"):
        assert rules.request_actions(state) == set()
    for state in ("rejected", "withdrawn", "paid"):
        assert rules.claim_actions(state) == set()


@pytest.mark.parametrize("state", rules.REQUEST_STATES)
def test_only_drafts_and_sent_back_items_are_editable(state):
    if state in ("draft", "changes_requested"):
        rules.ensure_editable("fund request", state)
    else:
        with pytest.raises(rules.TransitionError):
            rules.ensure_editable("fund request", state)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1250", D("1250.00")), ("0.10", D("0.10")), (" 1,000.5 ", D("1000.50")), (D("3"), D("3.00"))],
)
def test_amounts_typed_by_people_are_read_exactly(text, expected):
    assert limits.parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", "cannot be negative"),
        ("0.001", "two decimals"),
        ("abc", "such as"),
        ("NaN", "such as"),
        ("0", "more than zero"),
        ("99999999999", "too large"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(text, message):
    with pytest.raises(rules.MdfError) as refused:
        limits.parse_amount(text)
    assert message in refused.value.message


def test_floats_are_never_money():
    with pytest.raises(TypeError):
        limits.parse_amount(0.1)


def test_zero_is_allowed_where_asked():
    assert limits.parse_amount("0", allow_zero=True) == D("0.00")


def test_coop_cap_rounds_down_to_the_cent():
    assert limits.coop_cap(D("1000.00"), 50) == D("500.00")
    assert limits.coop_cap(D("0.03"), 50) == D("0.01")
    assert limits.coop_cap(D("333.33"), 75) == D("249.99")


def test_split_evenly_sums_exactly():
    parts = limits.split_evenly(D("100.00"), 3)
    assert parts == [D("33.34"), D("33.33"), D("33.33")]
    assert sum(parts) == D("100.00")
    assert limits.split_evenly(D("5"), 0) == []


def test_tier_amounts_fixed_and_share():
    partners = {1: [10, 11], 2: [20], 3: []}
    fixed = limits.tier_amounts(D("1000"), "fixed", {1: D("100"), 2: D("250"), 3: D("9")}, partners)
    assert fixed == {10: D("100"), 11: D("100"), 20: D("250")}
    share = limits.tier_amounts(D("1000.00"), "share", {1: D("50"), 2: D("25")}, partners)
    assert share == {10: D("250.00"), 11: D("250.00"), 20: D("250.00")}


def test_tier_shares_cannot_exceed_the_whole_budget():
    with pytest.raises(rules.LimitExceeded):
        limits.tier_amounts(D("1000"), "share", {1: D("60"), 2: D("50")}, {1: [1], 2: [2]})
    with pytest.raises(rules.MdfError):
        limits.tier_amounts(D("1000"), "percent", {}, {})


def test_budget_room_and_budget_amount():
    limits.ensure_budget_room(D("1000"), D("600"), D("400"), "USD")
    with pytest.raises(rules.InsufficientFunds) as refused:
        limits.ensure_budget_room(D("1000"), D("600"), D("400.01"), "USD")
    assert "$400.00 unallocated" in refused.value.message
    limits.ensure_budget_amount(D("600"), D("600"), "USD")
    with pytest.raises(rules.LimitExceeded):
        limits.ensure_budget_amount(D("599.99"), D("600"), "USD")


def test_commit_needs_available_funds():
    balance = Balance(allocated=D("1000"), committed=D("700"), paid=D("200"))
    limits.ensure_can_commit(balance, D("100"), "EUR")
    with pytest.raises(rules.InsufficientFunds) as refused:
        limits.ensure_can_commit(balance, D("100.01"), "EUR")
    assert "Only €100.00 is available" in refused.value.message


def test_allocation_cannot_be_lowered_below_committed_and_paid():
    balance = Balance(allocated=D("1000"), committed=D("300"), paid=D("200"))
    limits.ensure_can_set_allocation(balance, D("500"), "USD")
    with pytest.raises(rules.InsufficientFunds):
        limits.ensure_can_set_allocation(balance, D("499.99"), "USD")
    with pytest.raises(rules.MdfError):
        limits.ensure_can_set_allocation(Balance(), D("-1"), "USD")


def test_only_available_funds_move():
    balance = Balance(allocated=D("1000"), committed=D("300"))
    limits.ensure_can_move(balance, D("700"), "USD")
    with pytest.raises(rules.InsufficientFunds):
        limits.ensure_can_move(balance, D("700.01"), "USD")
    with pytest.raises(rules.MdfError):
        limits.ensure_can_move(balance, D("0"), "USD")


def test_payment_needs_an_approved_unpaid_claim():
    balance = Balance(allocated=D("1000"), committed=D("500"), claimed=D("200"), paid=D("0"))
    limits.ensure_can_pay(balance, D("200"), "USD")
    with pytest.raises(rules.InsufficientFunds):
        limits.ensure_can_pay(balance, D("200.01"), "USD")


def test_request_amount_is_capped_by_the_tier_share():
    limits.check_request_amounts(D("10000"), D("5000"), 50, "USD")
    with pytest.raises(rules.LimitExceeded) as refused:
        limits.check_request_amounts(D("10000"), D("5000.01"), 50, "USD")
    assert refused.value.field == "requested_amount"
    assert "50 %" in refused.value.message and "$5,000.00" in refused.value.message
    with pytest.raises(rules.MdfError):
        limits.check_request_amounts(D("0"), D("1"), 50, "USD")


def test_approval_may_lower_but_not_raise():
    limits.check_approval_amount(D("500"), D("400"), "USD")
    with pytest.raises(rules.LimitExceeded):
        limits.check_approval_amount(D("500"), D("500.01"), "USD")
    with pytest.raises(rules.MdfError):
        limits.check_approval_amount(D("500"), D("0"), "USD")


def test_claim_is_capped_by_unclaimed_and_by_the_share_of_actual_cost():
    limits.check_claim_amounts(D("800"), D("400"), D("500"), 50, "USD")
    with pytest.raises(rules.LimitExceeded) as unclaimed:
        limits.check_claim_amounts(D("2000"), D("600"), D("500"), 50, "USD")
    assert "still unclaimed" in unclaimed.value.message
    with pytest.raises(rules.LimitExceeded) as share:
        limits.check_claim_amounts(D("800"), D("400.01"), D("500"), 50, "USD")
    assert "actual cost" in share.value.message
    with pytest.raises(rules.MdfError):
        limits.check_claim_amounts(D("800"), D("0"), D("500"), 50, "USD")


def test_claim_approval_may_lower_but_not_raise():
    limits.check_claim_approval(D("400"), D("350"), "USD")
    with pytest.raises(rules.LimitExceeded):
        limits.check_claim_approval(D("400"), D("400.01"), "USD")


def test_period_end_not_before_start():
    limits.check_period(dt.date(2025, 1, 1), dt.date(2025, 1, 1))
    with pytest.raises(rules.MdfError):
        limits.check_period(dt.date(2025, 1, 2), dt.date(2025, 1, 1))


def test_small_requests_need_one_approval_large_ones_two():
    assert rules.approval_step(D("5000"), D("5000"), None, 1) == "final"
    assert rules.approval_step(D("5000.01"), D("5000"), None, 1) == "first"
    assert rules.approval_step(D("999999"), None, None, 1) == "final"
    assert rules.approval_step(D("6000"), D("5000"), (1, D("6000")), 2) == "final"


def test_second_approval_must_come_from_someone_else_and_not_raise_the_amount():
    with pytest.raises(rules.FourEyesError) as same:
        rules.approval_step(D("6000"), D("5000"), (1, D("6000")), 1)
    assert "different approver" in same.value.message
    with pytest.raises(rules.FourEyesError):
        rules.approval_step(D("6000.01"), D("5000"), (1, D("6000")), 2)


def test_claim_window():
    end = dt.date(2025, 3, 1)
    due = rules.claim_due_date(end, 60)
    assert due == dt.date(2025, 4, 30)
    rules.ensure_before_due(due, dt.date(2025, 4, 30))  # the due date itself is still on time
    rules.ensure_before_due(None, dt.date(2099, 1, 1))  # no due date: no limit
    with pytest.raises(rules.ClaimWindowClosed) as late:
        rules.ensure_before_due(due, dt.date(2025, 5, 1))
    assert "30 April 2025" in late.value.message


def test_money_is_shown_with_its_symbol():
    assert format_money(D("1250"), "EUR") == "€1,250.00"
    assert format_money(D("-3.5"), "USD") == "-$3.50"
    assert format_money(D("10"), "XYZ") == "XYZ 10.00"
    assert format_money(None, "USD") == "—"

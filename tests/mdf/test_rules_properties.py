"""Hypothesis: no sequence of actions, composed from the pure rules, breaks a balance.

Each example is a long list of (action, which item, how much) steps run against one
allocation, with every rule check the services make. Amounts are drawn as a percentage of
the limit that applies (0–120 %), so most steps are allowed and some overshoot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from tcma.mdf import limits, rules
from tcma.mdf.money import CENT, ZERO, Balance

SHARE = 50
ACTIONS = (
    "raise_or_lower",
    "move_out",
    "submit_request",
    "approve_request",
    "reject_request",
    "request_changes",
    "resubmit_request",
    "withdraw_request",
    "cancel_request",
    "file_claim",
    "approve_claim",
    "reject_claim",
    "send_back_claim",
    "resubmit_claim",
    "pay_claim",
    "close_window",
)
# The happy path needs four steps in a row to reach a payment; weight it so it happens often.
HAPPY_PATH = ("submit_request", "approve_request", "file_claim", "approve_claim", "pay_claim")
steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS + HAPPY_PATH * 3), st.integers(0, 7), st.integers(1, 120)),
    min_size=20,
    max_size=120,
)


def part(limit: Decimal, percent: int) -> Decimal:
    """``percent`` of ``limit`` in cents, never below one cent."""
    return max(CENT, (limit * percent / 100).quantize(CENT, rounding=ROUND_DOWN))


@dataclass
class Request:
    state: str
    requested: Decimal
    approved: Decimal = ZERO
    closed: bool = False


@dataclass
class Claim:
    request: Request
    state: str
    claimed: Decimal
    approved: Decimal = ZERO
    approvals: int = 0


@dataclass
class Book:
    """One allocation, its requests and claims, changed only through the rules."""

    balance: Balance = field(default_factory=lambda: Balance().apply("allocate", Decimal(3_000)))
    requests: list[Request] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    def post(self, kind: str, amount: Decimal) -> None:
        self.balance = self.balance.apply(kind, amount)

    def unclaimed(self, request: Request) -> Decimal:
        reserved = sum(
            (
                c.approved if c.state in ("approved", "paid") else c.claimed
                for c in self.claims
                if c.request is request and c.state in ("submitted", "approved", "paid")
            ),
            ZERO,
        )
        return request.approved - reserved

    def outstanding(self, request: Request) -> Decimal:
        """What is still committed for ``request`` and not reserved by a live claim."""
        return self.unclaimed(request)

    def step(self, action: str, index: int, percent: int) -> None:
        handler = getattr(self, action)
        try:
            handler(index, percent)
            event(f"done: {action}")
        except rules.MdfError:
            event(f"refused: {action}")

    @staticmethod
    def _pick(items: list, index: int, state: str):
        """Mostly an item in the state the action expects; now and then any item at all."""
        if not items:
            raise rules.MdfError("nothing to act on")
        fitting = [item for item in items if item.state == state]
        if fitting and index < 6:
            return fitting[index % len(fitting)]
        return items[index % len(items)]

    def raise_or_lower(self, index, percent):
        # Between about half and nearly twice the current allocation.
        target = part(self.balance.allocated, percent + 50)
        limits.ensure_can_set_allocation(self.balance, target, "USD")
        self.post("adjust", target - self.balance.allocated)

    def move_out(self, index, percent):
        amount = part(self.balance.available, percent // 4)
        limits.ensure_can_move(self.balance, amount, "USD")
        self.post("move", -amount)

    def submit_request(self, index, percent):
        cost = Decimal(500 * (index + 1))
        requested = part(limits.coop_cap(cost, SHARE), percent)
        limits.check_request_amounts(cost, requested, SHARE, "USD")
        state = rules.request_transition("draft", "submit")
        self.requests.append(Request(state=state, requested=requested))

    def approve_request(self, index, percent):
        request = self._pick(self.requests, index, "submitted")
        new_state = rules.request_transition(request.state, "approve")
        amount = part(request.requested, percent)
        limits.check_approval_amount(request.requested, amount, "USD")
        limits.ensure_can_commit(self.balance, amount, "USD")
        self.post("commit", amount)
        request.state, request.approved = new_state, amount

    def _decide_request(self, index, action):
        expected = {"cancel": "approved", "submit": "changes_requested"}.get(action, "submitted")
        request = self._pick(self.requests, index, expected)
        new_state = rules.request_transition(request.state, action)
        if action == "cancel":
            if any(c.request is request and c.state != "withdrawn" for c in self.claims):
                raise rules.TransitionError("claimed requests cannot be cancelled")
            self.post("release", -request.approved)
        request.state = new_state

    def reject_request(self, index, percent):
        self._decide_request(index, "reject")

    def request_changes(self, index, percent):
        self._decide_request(index, "request_changes")

    def resubmit_request(self, index, percent):
        self._decide_request(index, "submit")

    def withdraw_request(self, index, percent):
        self._decide_request(index, "withdraw")

    def cancel_request(self, index, percent):
        self._decide_request(index, "cancel")

    def file_claim(self, index, percent):
        request = self._pick(self.requests, index, "approved")
        if request.state != "approved" or request.closed:
            raise rules.TransitionError("only approved requests in their claim window")
        claimed = part(self.unclaimed(request), percent)
        actual_cost = claimed * 2
        limits.check_claim_amounts(actual_cost, claimed, self.unclaimed(request), SHARE, "USD")
        state = rules.claim_transition("draft", "submit")
        self.claims.append(Claim(request=request, state=state, claimed=claimed))

    def approve_claim(self, index, percent):
        claim = self._pick(self.claims, index, "submitted")
        new_state = rules.claim_transition(claim.state, "approve")
        amount = part(claim.claimed, percent)
        limits.check_claim_approval(claim.claimed, amount, "USD")
        self.post("claim_approve", amount)
        claim.state, claim.approved = new_state, amount
        claim.approvals += 1

    def _decide_claim(self, index, action):
        claim = self._pick(self.claims, index, "submitted")
        claim.state = rules.claim_transition(claim.state, action)

    def reject_claim(self, index, percent):
        self._decide_claim(index, "reject")

    def send_back_claim(self, index, percent):
        self._decide_claim(index, "request_changes")

    def resubmit_claim(self, index, percent):
        claim = self._pick(self.claims, index, "changes_requested")
        if claim.request.closed:
            raise rules.ClaimWindowClosed("late")
        new_state = rules.claim_transition(claim.state, "submit")
        others = self.unclaimed(claim.request)
        limits.check_claim_amounts(claim.claimed * 2, claim.claimed, others, SHARE, "USD")
        claim.state = new_state

    def pay_claim(self, index, percent):
        claim = self._pick(self.claims, index, "approved")
        new_state = rules.claim_transition(claim.state, "pay")
        limits.ensure_can_pay(self.balance, claim.approved, "USD")
        self.post("pay", claim.approved)
        claim.state = new_state

    def close_window(self, index, percent):
        """The claim window of a request closes: what no live claim holds is released."""
        request = self._pick(self.requests, index, "approved")
        if request.state != "approved" or request.closed:
            raise rules.TransitionError("nothing to release")
        request.closed = True
        remainder = self.outstanding(request)
        if remainder > 0:
            self.post("release", -remainder)
            request.approved -= remainder


@settings(max_examples=400, deadline=None)
@given(steps)
def test_no_sequence_of_actions_breaks_a_balance_or_pays_an_unapproved_claim(steps):
    book = Book()
    for action, index, percent in steps:
        book.step(action, index, percent)
        assert book.balance.problems() == []
        for claim in book.claims:
            if claim.state == "paid":
                assert claim.approvals == 1 and claim.approved > 0
        paid = sum((c.approved for c in book.claims if c.state == "paid"), ZERO)
        assert book.balance.paid == paid
        for request in book.requests:
            assert book.unclaimed(request) >= 0

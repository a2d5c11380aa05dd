"""Hypothesis against the real services and database: no sequence of actions breaks a balance.

Each example gets a fresh SQLite database (a copy of the suite's template), runs a random
sequence of people's actions through the services — each in a savepoint, as a request is
all-or-nothing — and checks after every step that no balance is negative and that no
claim was paid without being approved. At the end the whole ledger is reconciled.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tcma.db import make_engine
from tcma.mdf import budget_services, claim_services, ledger, payment_services
from tcma.mdf import request_services as requests_
from tcma.mdf.models import Allocation, Claim, FundRequest, LedgerEntry
from tcma.mdf.rules import MdfError
from tcma.storage import storage_from_url
from tests.conftest import build_world
from tests.mdf.support import PDF_BYTES, TODAY, Funds
from tests.mdf.test_ledger import reconcile

D = Decimal
ACTIONS = (
    "top_up",
    "lower",
    "move",
    "request",
    "approve",
    "second_approve",
    "reject",
    "send_back_request",
    "resubmit_request",
    "withdraw",
    "cancel",
    "claim",
    "approve_claim",
    "reject_claim",
    "send_back_claim",
    "resubmit_claim",
    "pay",
    "advance_clock",
)
HAPPY_PATH = ("request", "approve", "claim", "approve_claim", "pay")
steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS + HAPPY_PATH * 5), st.integers(0, 9), st.integers(1, 120)),
    min_size=10,
    max_size=40,
)


def part(limit: Decimal, percent: int) -> Decimal:
    return max(D("0.01"), (limit * percent / 100).quantize(D("0.01"), rounding=ROUND_DOWN))


class Program:
    """Partner A, marketers and finance acting on one allocation through the services."""

    def __init__(self, funds: Funds) -> None:
        self.funds, self.session = funds, funds.session
        budget_services.update_settings(
            self.session,
            funds.user("admin"),
            four_eyes_threshold=D("1500"),
            claim_window_days=45,
            default_share_percent=50,
            shares={},
        )
        self.allocation = funds.allocation("6000", budget=funds.budget("12000"))
        self.today = TODAY

    def pick(self, model, index: int, states: tuple[str, ...]):
        rows = self.session.scalars(select(model).order_by(model.id)).all()
        fitting = [row for row in rows if row.status in states]
        pool = fitting if fitting and index < 8 else rows
        if not pool:
            raise MdfError("nothing to act on")
        return pool[index % len(pool)]

    def run(self, action: str, index: int, percent: int) -> None:
        try:
            with self.session.begin_nested():
                getattr(self, action)(index, percent)
            event(f"done: {action}")
        except MdfError:
            event(f"refused: {action}")

    def user(self, key: str):
        return self.funds.user(key)

    def top_up(self, index, percent):
        budget_services.allocate(
            self.session,
            self.user("finance"),
            self.allocation.budget_id,
            self.allocation.partner_id,
            part(D("3000"), percent),
        )

    def lower(self, index, percent):
        target = part(ledger.balance(self.session, self.allocation.id).allocated, percent + 50)
        budget_services.set_allocation(
            self.session, self.user("finance"), self.allocation.id, target
        )

    def move(self, index, percent):
        available = ledger.balance(self.session, self.allocation.id).available
        budget_services.move_allocation(
            self.session,
            self.user("finance"),
            self.allocation.id,
            self.funds.world.partner_b.id,
            part(available, percent // 3),
        )

    def request(self, index, percent):
        cost = D(400 * (index + 1))
        request = self.funds.draft(
            self.allocation, requested=str(part(cost / 2, percent)), cost=str(cost)
        )
        requests_.submit_request(self.session, self.user("a_user"), request.id)

    def approve(self, index, percent):
        request = self.pick(FundRequest, index, ("submitted",))
        amount = part(request.requested_amount, percent)
        requests_.approve_request(self.session, self.user("marketer"), request.id, amount)

    def second_approve(self, index, percent):
        request = self.pick(FundRequest, index, ("awaiting_second_approval",))
        amount = part(request.requested_amount, percent)
        requests_.approve_request(self.session, self.user("marketer2"), request.id, amount)

    def reject(self, index, percent):
        request = self.pick(FundRequest, index, ("submitted", "awaiting_second_approval"))
        requests_.reject_request(
            self.session, self.user("marketer"), request.id, "Not this quarter."
        )

    def send_back_request(self, index, percent):
        request = self.pick(FundRequest, index, ("submitted",))
        requests_.request_changes(
            self.session, self.user("marketer"), request.id, "Add the agenda."
        )

    def resubmit_request(self, index, percent):
        request = self.pick(FundRequest, index, ("changes_requested",))
        requests_.submit_request(self.session, self.user("a_user"), request.id)

    def withdraw(self, index, percent):
        request = self.pick(FundRequest, index, ("submitted", "draft"))
        requests_.withdraw_request(self.session, self.user("a_user"), request.id)

    def cancel(self, index, percent):
        request = self.pick(FundRequest, index, ("approved",))
        requests_.cancel_request(self.session, self.user("a_user"), request.id)

    def claim(self, index, percent):
        request = self.pick(FundRequest, index, ("approved",))
        remaining = claim_services.unclaimed(self.session, request)
        claimed = part(remaining, percent)
        claim = claim_services.create_claim(
            self.session,
            self.user("a_user"),
            request.id,
            actual_cost=claimed * 2,
            claimed_amount=claimed,
            today=self.today,
        )
        claim_services.add_proof(
            self.session,
            self.funds.storage,
            self.user("a_user"),
            claim.id,
            "invoice",
            "invoice.pdf",
            PDF_BYTES,
        )
        claim_services.submit_claim(self.session, self.user("a_user"), claim.id, self.today)

    def approve_claim(self, index, percent):
        claim = self.pick(Claim, index, ("submitted",))
        amount = part(claim.claimed_amount, percent)
        claim_services.approve_claim(self.session, self.user("finance"), claim.id, amount)

    def reject_claim(self, index, percent):
        claim = self.pick(Claim, index, ("submitted",))
        claim_services.reject_claim(self.session, self.user("finance"), claim.id, "No proof.")

    def send_back_claim(self, index, percent):
        claim = self.pick(Claim, index, ("submitted",))
        claim_services.send_back_claim(self.session, self.user("finance"), claim.id, "Fix it.")

    def resubmit_claim(self, index, percent):
        claim = self.pick(Claim, index, ("changes_requested",))
        claim_services.submit_claim(self.session, self.user("a_user"), claim.id, self.today)

    def pay(self, index, percent):
        claim = self.pick(Claim, index, ("approved",))
        payment_services.record_payment(
            self.session,
            self.user("finance"),
            claim.id,
            paid_on=self.today,
            method="bank_transfer",
            reference=f"BT-{claim.id}",
        )

    def advance_clock(self, index, percent):
        self.today += dt.timedelta(days=percent // 10)
        payment_services.release_expired(self.session, self.today)

    def check(self) -> None:
        for allocation in self.session.scalars(select(Allocation)):
            assert ledger.balance(self.session, allocation.id).problems() == []
        for claim in self.session.scalars(select(Claim).where(Claim.status == "paid")):
            approvals = self.session.scalars(
                select(LedgerEntry).where(
                    LedgerEntry.claim_id == claim.id, LedgerEntry.kind == "claim_approve"
                )
            ).all()
            assert len(approvals) == 1 and claim.payment.amount == claim.approved_amount


@pytest.mark.slow
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps)
# The whole loop, a second payment attempt, an over-approval and a window closing with
# a claim still under review always run, whatever else Hypothesis explores.
@example(
    [
        ("request", 4, 100),
        ("approve", 0, 100),
        ("claim", 0, 60),
        ("approve_claim", 0, 90),
        ("pay", 0, 1),
        ("pay", 0, 1),
        ("request", 9, 100),
        ("approve", 0, 120),
        ("second_approve", 0, 100),
        ("claim", 0, 100),
        ("advance_clock", 0, 120),
        ("advance_clock", 0, 120),
        ("approve_claim", 0, 100),
        ("pay", 0, 1),
    ]
)
def test_no_sequence_of_service_calls_breaks_a_balance(
    sqlite_template: Path, tmp_path: Path, steps
):
    folder = Path(tmp_path) / f"example-{len(list(Path(tmp_path).iterdir()))}"
    folder.mkdir()
    shutil.copyfile(sqlite_template, folder / "db.sqlite3")
    engine = make_engine(f"sqlite:///{folder / 'db.sqlite3'}")
    session: Session = sessionmaker(bind=engine, expire_on_commit=False)()
    try:
        world = build_world(session)
        storage = storage_from_url(f"file://{folder / 'storage'}")
        program = Program(Funds(session, world, storage))
        for action, index, percent in steps:
            program.run(action, index, percent)
            program.check()
        reconcile(session)
    finally:
        session.close()
        engine.dispose()

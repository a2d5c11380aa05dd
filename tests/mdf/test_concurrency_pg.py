"""PostgreSQL: 20 simultaneous approvals and payments cannot overspend one allocation."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tcma.accounts.models import User
from tcma.db import make_engine
from tcma.mdf import ledger, payment_services, request_services
from tcma.mdf.rules import MdfError
from tests.conftest import PG_URL
from tests.mdf.support import TODAY
from tests.mdf.test_ledger import reconcile

pytestmark = pytest.mark.postgres

D = Decimal
APPROVALS = 14
PAYMENT_THREADS_PER_CLAIM = 2
CLAIMS = 3


def _commit_or_refuse(factory: sessionmaker, action) -> str:
    with factory() as session:
        try:
            action(session)
            session.commit()
            return "done"
        except MdfError:
            session.rollback()
            return "refused"


def test_simultaneous_approvals_and_payments_never_overspend(funds, world):
    # Setup: 10,000 allocated; three claims approved and waiting for payment (3,000 committed),
    # and 14 submitted requests of 1,000 each competing for the 7,000 still available.
    allocation = funds.allocation("10000")
    claims = [
        funds.approved_claim(funds.approved(allocation, "1000"), "1000") for _ in range(CLAIMS)
    ]
    waiting = [funds.submitted(allocation, "1000") for _ in range(APPROVALS)]
    funds.session.commit()
    allocation_id = allocation.id
    marketer_id, finance_id = world.users["marketer"].id, world.users["finance"].id

    engine = make_engine(PG_URL, pool_size=25, max_overflow=5)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    threads_total = APPROVALS + CLAIMS * PAYMENT_THREADS_PER_CLAIM
    assert threads_total == 20
    start = threading.Barrier(threads_total + 1)
    outcomes: Counter[str] = Counter()
    errors: list[BaseException] = []
    lowest_available: list[Decimal] = []
    running = threading.Event()
    running.set()

    def approve(request_id: int) -> None:
        def act(session: Session) -> None:
            request_services.approve_request(
                session, session.get_one(User, marketer_id), request_id
            )

        start.wait()
        outcomes["approve " + _commit_or_refuse(factory, act)] += 1

    def pay(claim_id: int, attempt: int) -> None:
        def act(session: Session) -> None:
            payment_services.record_payment(
                session,
                session.get_one(User, finance_id),
                claim_id,
                paid_on=TODAY,
                method="bank_transfer",
                reference=f"BT-{claim_id}-{attempt}",
            )

        start.wait()
        outcomes["pay " + _commit_or_refuse(factory, act)] += 1

    def watch() -> None:
        # Reads committed state while the race runs: the balance must never dip below zero.
        while running.is_set():
            with factory() as session:
                lowest_available.append(ledger.balance(session, allocation_id).available)

    def guarded(target, *args):
        def run() -> None:
            try:
                target(*args)
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        return threading.Thread(target=run)

    workers = [guarded(approve, request.id) for request in waiting]
    workers += [
        guarded(pay, claim.id, attempt)
        for claim in claims
        for attempt in range(PAYMENT_THREADS_PER_CLAIM)
    ]
    watcher = threading.Thread(target=watch)
    watcher.start()
    for worker in workers:
        worker.start()
    start.wait()
    for worker in workers:
        worker.join(timeout=60)
    running.clear()
    watcher.join(timeout=10)
    engine.dispose()

    assert errors == []
    assert outcomes == {
        "approve done": 7,
        "approve refused": 7,
        "pay done": CLAIMS,
        "pay refused": CLAIMS * (PAYMENT_THREADS_PER_CLAIM - 1),
    }
    funds.session.expire_all()
    balance = ledger.balance(funds.session, allocation_id)
    assert (balance.allocated, balance.committed, balance.paid, balance.available) == (
        D("10000.00"),
        D("7000.00"),
        D("3000.00"),
        D("0.00"),
    )
    assert lowest_available and min(lowest_available) >= 0
    reconcile(funds.session)

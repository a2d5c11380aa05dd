"""Simultaneous clicks over HTTP on a served app: money never goes below zero, nothing twice.

Runs on SQLite (where only BEGIN IMMEDIATE serialises the writers) and, with
TCMA_TEST_DATABASE_URL set, on PostgreSQL (row locks).
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select, type_coerce
from werkzeug.serving import make_server

from tcma.db import Money
from tcma.mdf import ledger, money
from tcma.mdf.models import Claim, FundRequest, LedgerEntry, Payment
from tests.conftest import TEST_PASSWORD
from tests.mdf.support import TODAY
from tests.mdf.test_ledger import reconcile

D = Decimal
REQUESTS = 24  # fund requests of 1,000 each competing for 6,000
CLAIM_APPROVALS = 12  # clicks on "Approve" of one claim
CLAIM_PAYMENTS = 12  # clicks on "Record payment" of another claim
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Browser:
    """One signed-in person: a session cookie and a CSRF token, shared by their clicks."""

    host: str
    port: int
    cookie: str = ""
    token: str = ""

    def send(
        self, method: str, path: str, form: dict[str, str] | None = None, learn: bool = False
    ) -> tuple[int, str]:
        """One request; ``learn`` keeps the cookie and CSRF token it answers with."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({"csrf_token": self.token, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            cookie = response.getheader("Set-Cookie")
        finally:
            connection.close()
        if learn and cookie:
            self.cookie = cookie.split(";", 1)[0]
        if learn and (match := _CSRF.search(text)):
            self.token = match.group(1)
        return response.status, text

    def sign_in(self, email: str, page: str) -> Browser:
        self.send("GET", "/login", learn=True)
        form = {"email": email, "password": TEST_PASSWORD}
        status, _ = self.send("POST", "/login", form, learn=True)
        assert status == 302, "sign-in failed"
        status, _ = self.send("GET", page, learn=True)  # a form with the session's CSRF token
        assert status == 200 and self.token
        return self


@pytest.fixture
def served(app: Flask) -> Iterator[tuple[str, int]]:
    app.config["WTF_CSRF_ENABLED"] = True  # as in production
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", server.server_port
    server.shutdown()
    thread.join(timeout=10)


def _all_at_once(clicks: list) -> list[tuple[int, str]]:
    """Run every click in its own thread, released together by a barrier."""
    start = threading.Barrier(len(clicks))
    results: list = [None] * len(clicks)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = clicks[index]()
        except Exception as exc:  # noqa: BLE001 - reported below as a failed click
            results[index] = (0, repr(exc))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clicks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def test_simultaneous_clicks_over_http_never_overspend_nor_pay_twice(funds, world, served):
    # 8,000 allocated: one claim of 1,000 waits for approval, one approved claim of 1,000
    # waits for payment (2,000 committed), and 24 requests of 1,000 compete for the 6,000 left.
    session = funds.session
    allocation = funds.allocation("8000")
    claim_to_approve = funds.submitted_claim(funds.approved(allocation, "1000"), "1000")
    claim_to_pay = funds.approved_claim(funds.approved(allocation, "1000"), "1000")
    waiting = [funds.submitted(allocation, "1000") for _ in range(REQUESTS)]
    session.commit()
    assert ledger.balance(session, allocation.id).available == D("6000.00")

    host, port = served
    marketers = [
        Browser(host, port).sign_in(world.users[k].email, f"/mdf/requests/{waiting[0].id}")
        for k in ("marketer", "marketer2")
    ]
    finance = [
        Browser(host, port).sign_in(world.users[k].email, f"/mdf/claims/{claim_to_approve.id}")
        for k in ("finance", "finance2")
    ]

    def approve_request(index: int):
        browser = marketers[index % 2]
        return lambda: browser.send(
            "POST", f"/mdf/requests/{waiting[index].id}/approve", {"amount": "1,000.00"}
        )

    def approve_claim(index: int):
        browser = finance[index % 2]
        path = f"/mdf/claims/{claim_to_approve.id}/approve"
        return lambda: browser.send("POST", path, {"amount": "1000"})

    def pay_claim(index: int):
        browser = finance[index % 2]
        form = {"paid_on": TODAY.isoformat(), "method": "bank_transfer", "reference": f"BT-{index}"}
        return lambda: browser.send("POST", f"/mdf/claims/{claim_to_pay.id}/pay", form)

    clicks = [approve_request(i) for i in range(REQUESTS)]
    clicks += [approve_claim(i) for i in range(CLAIM_APPROVALS)]
    clicks += [pay_claim(i) for i in range(CLAIM_PAYMENTS)]
    results = _all_at_once(clicks)

    session.expire_all()
    approved = session.scalar(
        select(func.count(FundRequest.id)).where(
            FundRequest.id.in_([r.id for r in waiting]), FundRequest.status == "approved"
        )
    )
    balance = ledger.balance(session, allocation.id)

    def entries(kind: str, claim: Claim) -> int:
        return session.scalar(
            select(func.count(LedgerEntry.id)).where(
                LedgerEntry.kind == kind, LedgerEntry.claim_id == claim.id
            )
        )

    print(
        f"\nrequests approved: {approved} of {REQUESTS}; available {balance.available}; "
        f"claim approvals: {entries(money.CLAIM_APPROVE, claim_to_approve)}; "
        f"payments: {entries(money.PAY, claim_to_pay)}; "
        f"answers: {sorted(Counter(status for status, _ in results).items())}"
    )
    assert approved == 6
    assert balance.available == D("0.00")

    assert entries(money.CLAIM_APPROVE, claim_to_approve) == 1
    assert session.get(Claim, claim_to_approve.id).status == "approved"
    assert entries(money.PAY, claim_to_pay) == 1
    payments = session.scalars(select(Payment).where(Payment.claim_id == claim_to_pay.id)).all()
    assert [p.amount for p in payments] == [D("1000.00")]

    # allocated − committed − paid = available, and each bucket is the sum of its entries.
    assert balance.allocated - balance.committed - balance.paid == balance.available
    per_kind = {
        row.kind: (row.entries, row.total)
        for row in session.execute(
            select(
                LedgerEntry.kind,
                func.count(LedgerEntry.id).label("entries"),
                type_coerce(func.sum(LedgerEntry.amount), Money).label("total"),
            )
            .where(LedgerEntry.allocation_id == allocation.id)
            .group_by(LedgerEntry.kind)
        )
    }
    assert per_kind == {
        "allocate": (1, D("8000.00")),
        "commit": (8, D("8000.00")),
        "claim_approve": (2, D("2000.00")),
        "pay": (1, D("1000.00")),
    }
    assert (balance.allocated, balance.committed, balance.claimed, balance.paid) == (
        D("8000.00"),
        D("7000.00"),
        D("2000.00"),
        D("1000.00"),
    )
    reconcile(session)
    # Every click got an answer a person can read: done (302) or refused on the page (200).
    assert all(status in (200, 302) for status, _ in results), [s for s, _ in results]

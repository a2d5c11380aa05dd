"""MDF over the API: the pages' state machine, money rules, roles and tenant scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tcma.audit import AuditEvent
from tcma.mdf import ledger
from tcma.mdf.models import FundRequest, LedgerEntry
from tcma.storage import EXTENSION_KEY
from tests.api.support import ApiClient, make_token
from tests.conftest import World
from tests.mdf.support import TODAY, Funds

PROBLEM = "application/problem+json"


@pytest.fixture
def funds(app: Flask, db_session: Session, world: World) -> Funds:
    return Funds(db_session, world, app.extensions[EXTENSION_KEY])


def _request_body(allocation_id: int, **extra: object) -> dict[str, object]:
    return {
        "allocation_id": allocation_id,
        "activity_type": "webinar",
        "title": "Zero-trust webinar for Nordic CIOs",
        "start_date": (TODAY - dt.timedelta(days=20)).isoformat(),
        "end_date": (TODAY - dt.timedelta(days=10)).isoformat(),
        "currency": "EUR",
        "total_cost": "5000.00",
        "requested_amount": "2000.00",
        **extra,
    }


def test_request_to_payment_through_the_api_moves_the_ledger(
    app: Flask, db_session: Session, world: World, funds: Funds
) -> None:
    allocation = funds.allocation("10000")
    db_session.commit()
    partner = ApiClient(app, make_token(db_session, world.users["a_user"]))
    marketer = ApiClient(app, make_token(db_session, world.users["marketer"]))
    finance = ApiClient(app, make_token(db_session, world.users["finance"]))

    created = partner.post("/api/v1/fund-requests", json=_request_body(allocation.id))
    assert created.status_code == 201, created.get_json()
    request_id = created.get_json()["id"]
    assert created.get_json()["status"] == "draft"
    assert created.get_json()["requested_amount"] == "2000.00"
    submitted = partner.post(f"/api/v1/fund-requests/{request_id}/submit")
    assert submitted.get_json()["status"] == "submitted", submitted.get_json()
    assert "approve" in submitted.get_json()["actions"]

    approved = marketer.post(
        f"/api/v1/fund-requests/{request_id}/approve",
        json={"amount": "1500.00", "currency": "EUR", "comment": "Trimmed the catering."},
    )
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert body["status"] == "approved" and body["step"] == "final"
    assert body["approved_amount"] == "1500.00" and body["claim_due_on"]

    balance = partner.get(f"/api/v1/allocations/{allocation.id}").get_json()["balance"]
    assert balance == {
        "allocated": "10000.00",
        "committed": "1500.00",
        "claimed": "0.00",
        "paid": "0.00",
        "available": "8500.00",
        "payable": "0.00",
    }

    # Proof files are uploaded on the claim's page; the claim is then submitted over the API.
    claim = funds.claim(db_session.get(FundRequest, request_id), "1200", "4000")
    db_session.commit()
    sent = partner.post(f"/api/v1/claims/{claim.id}/submit")
    assert sent.status_code == 200 and sent.get_json()["status"] == "submitted"
    assert [p["kind"] for p in sent.get_json()["proof_files"]] == ["invoice"]
    ok = finance.post(f"/api/v1/claims/{claim.id}/approve", json={"amount": "1000.00"})
    assert ok.get_json()["status"] == "approved" and ok.get_json()["approved_amount"] == "1000.00"
    paid = finance.post(
        f"/api/v1/claims/{claim.id}/payment",
        json={"paid_on": TODAY.isoformat(), "method": "bank_transfer", "reference": "BT-2041"},
    )
    assert paid.status_code == 201, paid.get_json()
    assert paid.get_json()["amount"] == "1000.00" and paid.get_json()["currency"] == "EUR"
    assert finance.get(f"/api/v1/claims/{claim.id}").get_json()["status"] == "paid"
    listed = finance.get("/api/v1/payments").get_json()["items"]
    assert [p["reference"] for p in listed] == ["BT-2041"]

    db_session.expire_all()
    assert ledger.balance(db_session, allocation.id).paid == Decimal("1000.00")
    kinds = db_session.scalars(
        select(LedgerEntry.kind).where(LedgerEntry.allocation_id == allocation.id)
    ).all()
    assert kinds.count("pay") == 1
    trail = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("mdf.%")).order_by(AuditEvent.id)
    ).all()
    for action in (
        "mdf.request_submitted",
        "mdf.request_approved",
        "mdf.claim_submitted",
        "mdf.claim_approved",
        "mdf.claim_paid",
    ):
        assert action in trail


def test_money_rules_refuse_and_change_nothing(
    app: Flask, db_session: Session, world: World, funds: Funds
) -> None:
    allocation = funds.allocation("1000")
    request = funds.submitted(allocation, "900", cost="5000")
    db_session.commit()
    marketer = ApiClient(app, make_token(db_session, world.users["marketer"]))
    url = f"/api/v1/fund-requests/{request.id}/approve"
    for amount in ("12.345", "-5.00", "1e3", " 10.00", "99999999999999999.00"):
        answer = marketer.post(url, json={"amount": amount})
        assert answer.status_code == 422 and answer.mimetype == PROBLEM, amount
        assert answer.get_json()["errors"][0]["field"] == "amount"
    assert marketer.post(url, json={"amount": 12.5}).status_code == 422  # a float, not a string
    more = marketer.post(url, json={"amount": "901.00"})
    assert more.status_code == 422 and "At most the requested" in more.get_json()["detail"]
    usd = marketer.post(url, json={"amount": "100.00", "currency": "USD"})
    assert usd.status_code == 422 and usd.get_json()["errors"][0]["field"] == "currency"

    # Another request already holds most of the allocation: approving this one would overdraw.
    other = funds.submitted(allocation, "800", cost="5000")
    db_session.commit()
    assert marketer.post(f"/api/v1/fund-requests/{other.id}/approve", json={}).status_code == 200
    short = marketer.post(url, json={})
    assert short.status_code == 422
    db_session.expire_all()
    assert db_session.get(FundRequest, request.id).status == "submitted"
    assert ledger.balance(db_session, allocation.id).committed == Decimal("800.00")


def test_state_machine_conflicts_and_reasons(
    app: Flask, db_session: Session, world: World, funds: Funds
) -> None:
    allocation = funds.allocation("10000")
    request = funds.submitted(allocation, "500")
    db_session.commit()
    partner = ApiClient(app, make_token(db_session, world.users["a_user"]))
    marketer = ApiClient(app, make_token(db_session, world.users["marketer"]))

    again = partner.post(f"/api/v1/fund-requests/{request.id}/submit")
    assert again.status_code == 409 and "cannot be submitted" in again.get_json()["detail"]
    no_reason = marketer.post(f"/api/v1/fund-requests/{request.id}/reject", json={})
    assert no_reason.status_code == 422
    rejected = marketer.post(
        f"/api/v1/fund-requests/{request.id}/reject", json={"comment": "Outside the program."}
    )
    assert rejected.get_json()["status"] == "rejected"
    assert rejected.get_json()["decision_comment"] == "Outside the program."
    withdraw = partner.post(f"/api/v1/fund-requests/{request.id}/withdraw", json={})
    assert withdraw.status_code == 409


def test_roles_are_checked_before_bodies_and_tenants_are_apart(
    app: Flask, db_session: Session, world: World, funds: Funds
) -> None:
    allocation = funds.allocation("10000")
    request = funds.submitted(allocation, "500")
    db_session.commit()
    partner = ApiClient(app, make_token(db_session, world.users["a_user"]))
    # A partner may not approve: 403 even for a body that is invalid.
    answer = partner.post(f"/api/v1/fund-requests/{request.id}/approve", json={"amount": 7})
    assert answer.status_code == 403 and answer.mimetype == PROBLEM
    marketer = ApiClient(app, make_token(db_session, world.users["marketer"]))
    pay = marketer.post("/api/v1/claims/1/payment", json={"paid_on": "soon"})
    assert pay.status_code == 403
    assert marketer.get("/api/v1/payments").status_code == 403

    other = ApiClient(app, make_token(db_session, world.users["b_user"]))
    assert other.get(f"/api/v1/fund-requests/{request.id}").status_code == 404
    assert other.post(f"/api/v1/fund-requests/{request.id}/withdraw", json={}).status_code == 404
    assert other.get(f"/api/v1/allocations/{allocation.id}").status_code == 404
    assert other.get("/api/v1/fund-requests").get_json()["items"] == []
    stolen = other.post("/api/v1/fund-requests", json=_request_body(allocation.id))
    assert stolen.status_code == 422
    assert stolen.get_json()["errors"][0]["field"] == "allocation_id"
    vendor = ApiClient(app, make_token(db_session, world.users["finance"]))
    seen = vendor.get(f"/api/v1/fund-requests?partner_id={world.partner_a.id}").get_json()
    assert [r["id"] for r in seen["items"]] == [request.id]


def _statements(app: Flask, client: ApiClient, url: str) -> int:
    engine = app.extensions["tcma.engine"]
    seen: list[str] = []
    client.get(url)  # the token's first use of the minute also records its last use

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001 - SQLAlchemy's hook
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_mdf_lists_cost_the_same_statements_for_one_or_many_rows(
    app: Flask, db_session: Session, world: World, funds: Funds
) -> None:
    allocation = funds.allocation("10000")
    approved = funds.approved(allocation, "2000")
    funds.paid_claim(approved, "100")
    db_session.commit()
    finance = ApiClient(app, make_token(db_session, world.users["finance"]))
    lists = ("/api/v1/claims", "/api/v1/payments", "/api/v1/fund-requests", "/api/v1/allocations")
    one = {url: _statements(app, finance, url) for url in lists}
    for _ in range(4):
        funds.paid_claim(approved, "100")
        funds.draft(funds.allocation("1000", budget=funds.budget()))
    db_session.commit()
    assert len(finance.get("/api/v1/claims").get_json()["items"]) == 5
    assert len(finance.get("/api/v1/allocations").get_json()["items"]) == 5
    assert {url: _statements(app, finance, url) for url in lists} == one

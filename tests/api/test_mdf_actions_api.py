"""The MDF page actions over the API: claims with proof files, edits, send-backs, budgets."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.audit import AuditEvent
from tcma.mdf import ledger, uploads
from tcma.mdf.models import Claim, FundRequest
from tcma.storage import EXTENSION_KEY
from tests.api.support import ApiClient
from tests.campaigns.support import import_kit, start_campaign
from tests.conftest import World
from tests.mdf.support import PDF_BYTES, Funds

PROBLEM = "application/problem+json"


@pytest.fixture
def funds(app: Flask, db_session: Session, world: World) -> Funds:
    return Funds(db_session, world, app.extensions[EXTENSION_KEY])


def _claim_form(invoice: bytes | None, name: str = "invoice.pdf", **extra: str) -> dict:
    form: dict = {"actual_cost": "1000.00", "claimed_amount": "400.00", **extra}
    if invoice is not None:
        form["invoice"] = (io.BytesIO(invoice), name)
    return form


def test_claim_filed_with_its_invoice_then_submitted(
    app: Flask, db_session: Session, funds: Funds, api_as: Callable[[str], ApiClient]
) -> None:
    approved = funds.approved(funds.allocation("10000"), "2000")
    db_session.commit()
    partner = api_as("a_user")
    url = f"/api/v1/fund-requests/{approved.id}/claims"
    made = partner.post(url, data=_claim_form(PDF_BYTES), content_type="multipart/form-data")
    assert made.status_code == 201, made.get_json()
    claim = made.get_json()
    assert claim["status"] == "draft" and claim["claimed_amount"] == "400.00"
    assert [(p["kind"], p["filename"]) for p in claim["proof_files"]] == [
        ("invoice", "invoice.pdf")
    ]
    submitted = partner.post(f"/api/v1/claims/{claim['id']}/submit")
    assert submitted.get_json()["status"] == "submitted", submitted.get_json()
    assert api_as("b_user").post(url, data=_claim_form(PDF_BYTES)).status_code == 404


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"MZ\x90\x00 not a pdf", "invoice.pdf"), (PDF_BYTES, "invoice.exe"), (b"", "invoice.pdf")],
)
def test_a_proof_file_the_page_refuses_is_a_422_and_files_no_claim(
    app: Flask,
    db_session: Session,
    funds: Funds,
    api_as: Callable[[str], ApiClient],
    data: bytes,
    name: str,
) -> None:
    approved = funds.approved(funds.allocation("10000"), "2000")
    db_session.commit()
    answer = api_as("a_user").post(
        f"/api/v1/fund-requests/{approved.id}/claims", data=_claim_form(data, name)
    )
    assert answer.status_code == 422 and answer.mimetype == PROBLEM
    assert answer.get_json()["errors"][0]["field"] == "invoice"
    db_session.expire_all()
    assert db_session.scalars(select(Claim)).all() == []


def test_proof_larger_than_the_page_allows_is_refused(
    app: Flask,
    db_session: Session,
    funds: Funds,
    api_as: Callable[[str], ApiClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(uploads, "MAX_PROOF_BYTES", len(PDF_BYTES) - 1)
    claim = funds.claim(funds.approved(funds.allocation("10000"), "2000"), "300", invoice=False)
    db_session.commit()
    partner = api_as("a_user")
    url = f"/api/v1/claims/{claim.id}/proofs"
    big = partner.post(url, data={"kind": "invoice", "file": (io.BytesIO(PDF_BYTES), "i.pdf")})
    assert big.status_code == 422 and "larger than" in big.get_json()["detail"]
    assert big.get_json()["errors"][0]["field"] == "file"
    assert partner.post(url, data={"kind": "invoice"}).status_code == 422  # no file
    monkeypatch.setattr(uploads, "MAX_PROOF_BYTES", 20 * 1024 * 1024)
    ok = partner.post(url, data={"kind": "photo", "file": (io.BytesIO(PDF_BYTES), "i.pdf")})
    assert ok.status_code == 201 and ok.get_json()["kind"] == "photo"
    gone = partner.delete(f"/api/v1/claims/{claim.id}/proofs/{ok.get_json()['id']}")
    assert gone.status_code == 204
    assert partner.get(f"/api/v1/claims/{claim.id}").get_json()["proof_files"] == []


def test_send_back_edit_and_withdraw_follow_the_state_machine(
    app: Flask, db_session: Session, funds: Funds, api_as: Callable[[str], ApiClient]
) -> None:
    allocation = funds.allocation("10000")
    submitted = funds.submitted(allocation, "800")
    db_session.commit()
    partner, marketer = api_as("a_user"), api_as("marketer")
    url = f"/api/v1/fund-requests/{submitted.id}"
    assert partner.patch(url, json={"title": "Changed"}).status_code == 409  # not editable
    back = marketer.post(url + "/request-changes", json={"comment": "Name the venue."})
    assert back.get_json()["status"] == "changes_requested", back.get_json()
    too_much = partner.patch(url, json={"requested_amount": "4000.00"})
    assert too_much.status_code == 422
    assert too_much.get_json()["errors"][0]["field"] == "requested_amount"
    edited = partner.patch(url, json={"title": "Webinar at the Oslo venue", "currency": "EUR"})
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["title"] == "Webinar at the Oslo venue"
    assert edited.get_json()["requested_amount"] == "800.00"  # what was not sent stays
    assert partner.patch(url, json={"currency": "USD"}).status_code == 422

    claim = funds.claim(funds.approved(allocation, "2000"), "300")
    db_session.commit()
    finance = api_as("finance")
    claim_url = f"/api/v1/claims/{claim.id}"
    assert finance.post(claim_url + "/request-changes", json={"comment": "x"}).status_code == 409
    assert (
        partner.patch(claim_url, json={"claimed_amount": "350.00"}).get_json()["claimed_amount"]
        == "350.00"
    )
    withdrawn = partner.post(claim_url + "/withdraw")
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert partner.post(claim_url + "/withdraw").status_code == 409


def test_cancelling_an_approved_request_gives_its_money_back(
    app: Flask, db_session: Session, funds: Funds, api_as: Callable[[str], ApiClient]
) -> None:
    allocation = funds.allocation("10000")
    approved = funds.approved(allocation, "2000")
    db_session.commit()
    assert ledger.balance(db_session, allocation.id).available == Decimal("8000.00")
    answer = api_as("a_admin").post(
        f"/api/v1/fund-requests/{approved.id}/cancel", json={"comment": "Event called off"}
    )
    assert answer.get_json()["status"] == "cancelled", answer.get_json()
    db_session.expire_all()
    assert ledger.balance(db_session, allocation.id).available == Decimal("10000.00")
    assert db_session.get(FundRequest, approved.id).status == "cancelled"


def test_finance_creates_a_budget_allocates_adjusts_and_moves_with_audit(
    app: Flask, db_session: Session, world: World, api_as: Callable[[str], ApiClient]
) -> None:
    finance = api_as("finance")
    budget = finance.post(
        "/api/v1/budgets",
        json={
            "name": "FY27 H1",
            "period_start": "2027-01-01",
            "period_end": "2027-06-30",
            "amount": "1000.10",
            "currency": "EUR",
        },
    )
    assert budget.status_code == 201, budget.get_json()
    budget_id = budget.get_json()["id"]
    url = f"/api/v1/budgets/{budget_id}/allocations"
    a = finance.post(url, json={"partner_id": world.partner_a.id, "amount": "0.10"})
    assert a.status_code == 200, a.get_json()
    a = finance.post(url, json={"partner_id": world.partner_a.id, "amount": "0.20"}).get_json()
    assert a["balance"]["allocated"] == "0.30"  # 0.10 + 0.20, exactly
    over = finance.post(url, json={"partner_id": world.partner_b.id, "amount": "999.90"})
    assert over.status_code == 422  # 999.80 left
    huge = finance.post(url, json={"partner_id": world.partner_b.id, "amount": "99999999999.00"})
    assert huge.status_code == 422 and huge.get_json()["errors"][0]["field"] == "amount"
    assert finance.post(url, json={"partner_id": 999999, "amount": "1.00"}).status_code == 404
    usd = finance.post(
        url, json={"partner_id": world.partner_a.id, "amount": "1", "currency": "USD"}
    )
    assert usd.status_code == 422

    adjusted = finance.post(
        f"/api/v1/allocations/{a['id']}/adjust", json={"amount": "500.00", "comment": "Q1 push"}
    )
    assert adjusted.get_json()["balance"]["allocated"] == "500.00", adjusted.get_json()
    moved = finance.post(
        f"/api/v1/allocations/{a['id']}/move",
        json={"to_partner_id": world.partner_b.id, "amount": "125.50"},
    )
    assert moved.get_json()["balance"]["available"] == "374.50", moved.get_json()
    b = api_as("b_user").get("/api/v1/allocations").get_json()["items"]
    assert [x["balance"]["allocated"] for x in b] == ["125.50"]
    assert finance.get(f"/api/v1/budgets/{budget_id}").get_json()["allocated"] == "500.00"

    audited = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("mdf.%")).order_by(AuditEvent.id)
    ).all()
    assert audited == [
        "mdf.budget_created",
        "mdf.allocation_allocate",
        "mdf.allocation_allocate",
        "mdf.allocation_adjust",
        "mdf.allocation_move",
        "mdf.allocation_move",
    ]
    assert api_as("marketer").post(url, json={"partner_id": 1, "amount": "1"}).status_code == 403


def test_campaign_field_values_change_through_the_api_with_the_kit_rules(
    app: Flask, db_session: Session, world: World, api_as: Callable[[str], ApiClient]
) -> None:
    version = import_kit(app, db_session)
    campaign = start_campaign(app, db_session, world.partner_a, version)
    partner = api_as("a_user")
    url = f"/api/v1/campaigns/{campaign.id}"
    changed = partner.patch(url, json={"field_values": {"headline": "Drills for councils"}})
    assert changed.status_code == 200, changed.get_json()
    values = changed.get_json()["field_values"]
    assert values["headline"] == "Drills for councils"
    assert values["event_date"] == campaign.field_values["event_date"]  # kept
    bad = partner.patch(url, json={"field_values": {"headline": "x" * 81, "nope": "1"}})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.get_json()["errors"]} == {"field_values.nope"}
    bad = partner.patch(url, json={"field_values": {"headline": "x" * 81}})
    assert [e["field"] for e in bad.get_json()["errors"]] == ["field_values.headline"]
    assert api_as("b_user").patch(url, json={"name": "Mine"}).status_code == 404
    assert api_as("marketer").patch(url, json={"name": "Mine"}).status_code == 403
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.updated")
    ).all()
    assert [e.data["changed"] for e in events] == [["headline"]]

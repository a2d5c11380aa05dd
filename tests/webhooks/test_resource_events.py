"""Campaign and MDF events reach a real receiver after the commit, signed per Standard Webhooks."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy.orm import Session

from tcma.mdf.models import FundRequest
from tcma.storage import EXTENSION_KEY
from tcma.webhooks import services
from tests.api.support import ApiClient, make_token
from tests.campaigns.support import import_kit
from tests.conftest import World
from tests.mdf.support import TODAY, Funds
from tests.webhooks.receiver import Receiver

EVENTS = [
    "campaign.launched",
    "fund_request.submitted",
    "fund_request.approved",
    "fund_request.rejected",
    "claim.submitted",
    "claim.approved",
    "claim.paid",
]


def test_campaign_and_mdf_events_are_signed_and_sent_once_each(
    app: Flask, db_session: Session, world: World, receiver: Receiver
) -> None:
    version = import_kit(app, db_session)
    funds = Funds(db_session, world, app.extensions[EXTENSION_KEY])
    allocation = funds.allocation("10000")
    endpoint = services.create_endpoint(
        db_session,
        world.users["admin"].id,
        partner_id=None,
        url=receiver.url,
        event_types=EVENTS,
        allow_private=True,
    )
    db_session.commit()
    receiver.secret = endpoint.secret
    partner = ApiClient(app, make_token(db_session, world.users["a_user"]))
    marketer = ApiClient(app, make_token(db_session, world.users["marketer"]))
    finance = ApiClient(app, make_token(db_session, world.users["finance"]))

    campaign = partner.post(
        "/api/v1/campaigns", json={"kit_version_id": version.id, "name": "Drills"}
    ).get_json()
    assert receiver.calls == []  # a draft sends nothing
    run = {"starts_on": TODAY.isoformat(), "ends_on": (TODAY + dt.timedelta(9)).isoformat()}
    assert partner.post(f"/api/v1/campaigns/{campaign['id']}/launch", json=run).status_code == 200

    body = {
        "allocation_id": allocation.id,
        "activity_type": "webinar",
        "title": "Webinar",
        "start_date": (TODAY - dt.timedelta(days=9)).isoformat(),
        "end_date": (TODAY - dt.timedelta(days=2)).isoformat(),
        "currency": "EUR",
        "total_cost": "3000.00",
        "requested_amount": "1000.00",
    }
    kept = partner.post("/api/v1/fund-requests", json=body).get_json()["id"]
    dropped = partner.post("/api/v1/fund-requests", json=body).get_json()["id"]
    partner.post(f"/api/v1/fund-requests/{kept}/submit")
    partner.post(f"/api/v1/fund-requests/{dropped}/submit")
    # A refused approval (more than requested) is rolled back: no event.
    too_much = marketer.post(f"/api/v1/fund-requests/{kept}/approve", json={"amount": "1000.01"})
    assert too_much.status_code == 422
    marketer.post(f"/api/v1/fund-requests/{kept}/approve", json={})
    marketer.post(f"/api/v1/fund-requests/{dropped}/reject", json={"comment": "One is enough."})

    claim = funds.claim(db_session.get(FundRequest, kept), "800", "2500")
    db_session.commit()
    partner.post(f"/api/v1/claims/{claim.id}/submit")
    finance.post(f"/api/v1/claims/{claim.id}/approve", json={})
    paid = finance.post(
        f"/api/v1/claims/{claim.id}/payment",
        json={"paid_on": TODAY.isoformat(), "method": "bank_transfer", "reference": "BT-77"},
    )
    assert paid.status_code == 201

    types = [call["body"]["type"] for call in receiver.calls]
    assert types == [
        "campaign.launched",
        "fund_request.submitted",
        "fund_request.submitted",
        "fund_request.approved",
        "fund_request.rejected",
        "claim.submitted",
        "claim.approved",
        "claim.paid",
    ]
    assert all(call["verified"] == call["body"] for call in receiver.calls)
    assert len(set(receiver.ids())) == len(types)
    data = [call["body"]["data"] for call in receiver.calls]
    assert data[0]["campaign"]["id"] == campaign["id"] and data[0]["campaign"]["status"] == "live"
    assert data[3]["fund_request"]["id"] == kept
    assert data[3]["fund_request"]["approved_amount"] == "1000.00"
    assert data[4]["fund_request"]["decision_comment"] == "One is enough."
    assert data[7]["claim"]["status"] == "paid"
    assert data[7]["payment"]["amount"] == "800.00" and data[7]["payment"]["currency"] == "EUR"

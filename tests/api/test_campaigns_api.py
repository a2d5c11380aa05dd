"""Campaigns over the API: start from a kit version, launch, pause, end, pipeline figures."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.audit import AuditEvent
from tcma.campaigns.models import Campaign
from tcma.pipeline import rules as pipeline_rules
from tcma.pipeline.queries import for_campaign
from tests.api.support import ApiClient, make_token
from tests.campaigns.support import import_kit
from tests.conftest import World, login
from tests.pipeline.support import add_lead, add_opportunity

PROBLEM = "application/problem+json"


def _start(version_id: int, **extra: object) -> dict[str, object]:
    return {
        "kit_version_id": version_id,
        "name": "Spring restore drills",
        "field_values": {"headline": "Restore drills for schools", "event_date": "2026-12-10"},
        **extra,
    }


def test_partner_starts_a_campaign_that_only_its_own_company_sees(
    app: Flask, db_session: Session, world: World
) -> None:
    version = import_kit(app, db_session)
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    created = api.post("/api/v1/campaigns", json=_start(version.id))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "draft" and body["kit_version_id"] == version.id
    assert body["partner_id"] == world.partner_a.id
    assert body["field_values"]["headline"] == "Restore drills for schools"
    # A field left out gets the kit's default, as on the page.
    assert body["field_values"]["offer"] == "A free 30-minute restore drill with our engineers."
    assert created.headers["Location"].endswith(f"/api/v1/campaigns/{body['id']}")

    # The campaign page lists it; partner B sees nothing of it, the vendor sees it.
    page = login(app.test_client(), world.users["a_user"]).get("/campaigns/")
    assert "Spring restore drills" in page.get_data(as_text=True)
    other = ApiClient(app, make_token(db_session, world.users["b_user"]))
    assert other.get(f"/api/v1/campaigns/{body['id']}").status_code == 404
    assert other.get("/api/v1/campaigns").get_json()["items"] == []
    vendor = ApiClient(app, make_token(db_session, world.users["finance"]))
    listed = vendor.get(f"/api/v1/campaigns?partner_id={world.partner_a.id}").get_json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]
    created_events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.created")
    ).all()
    assert [e.object_id for e in created_events] == [body["id"]]


def test_bad_field_values_name_the_field_and_create_nothing(
    app: Flask, db_session: Session, world: World
) -> None:
    version = import_kit(app, db_session)
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    too_long = _start(version.id, field_values={"headline": "x" * 81})
    answer = api.post("/api/v1/campaigns", json=too_long)
    assert answer.status_code == 422 and answer.mimetype == PROBLEM
    assert [e["field"] for e in answer.get_json()["errors"]] == ["field_values.headline"]

    unknown = api.post("/api/v1/campaigns", json=_start(version.id, field_values={"colour": "red"}))
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"][0]["message"] == "This kit has no such field."
    hidden = api.post(
        "/api/v1/campaigns", json=_start(version.id, field_values={"colour\x00": "red"})
    )
    assert hidden.status_code == 422
    assert "control characters" in hidden.get_json()["errors"][0]["message"]
    image = api.post("/api/v1/campaigns", json=_start(version.id, field_values={"team_photo": "x"}))
    assert image.status_code == 422

    blank_name = api.post("/api/v1/campaigns", json=_start(version.id, name="   "))
    assert blank_name.status_code == 422
    assert blank_name.get_json()["errors"][0]["field"] == "name"
    assert db_session.scalars(select(Campaign)).all() == []


def test_only_the_latest_version_of_a_kit_in_the_catalog(
    app: Flask, db_session: Session, world: World
) -> None:
    first = import_kit(app, db_session)
    second = import_kit(app, db_session, summary="Second edition of the kit.")
    assert second.kit_id == first.kit_id and second.id != first.id
    platinum = import_kit(app, db_session, slug="platinum-kit", tiers=["platinum"])
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))  # partner A is gold

    old = api.post("/api/v1/campaigns", json=_start(first.id))
    assert old.status_code == 422
    assert f"kit_version_id {second.id}" in old.get_json()["detail"]
    hidden = api.post("/api/v1/campaigns", json=_start(platinum.id))
    assert hidden.status_code == 422
    assert hidden.get_json()["errors"][0]["field"] == "kit_version_id"
    assert api.post("/api/v1/campaigns", json=_start(second.id)).status_code == 201


def test_role_is_checked_before_the_body(app: Flask, db_session: Session, world: World) -> None:
    # Vendor staff cannot start campaigns: a broken body still answers 403, not 422.
    api = ApiClient(app, make_token(db_session, world.users["marketer"]))
    answer = api.post("/api/v1/campaigns", json={"kit_version_id": "many"})
    assert answer.status_code == 403 and answer.mimetype == PROBLEM
    reader = make_token(db_session, world.users["a_user"], scopes=["campaigns:read"])
    answer = ApiClient(app, reader).post("/api/v1/campaigns", json={})
    assert answer.status_code == 403


def test_launch_pause_end_follow_the_campaign_state_machine(
    app: Flask, db_session: Session, world: World
) -> None:
    version = import_kit(app, db_session)
    partner = ApiClient(app, make_token(db_session, world.users["a_user"]))
    campaign_id = partner.post("/api/v1/campaigns", json=_start(version.id)).get_json()["id"]
    today = dt.date.today()

    backwards = partner.post(
        f"/api/v1/campaigns/{campaign_id}/launch",
        json={"starts_on": today.isoformat(), "ends_on": (today - dt.timedelta(1)).isoformat()},
    )
    assert backwards.status_code == 422
    assert backwards.get_json()["errors"][0]["field"] == "ends_on"

    run = {"starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(30)).isoformat()}
    launched = partner.post(f"/api/v1/campaigns/{campaign_id}/launch", json=run)
    assert launched.status_code == 200, launched.get_json()
    body = launched.get_json()
    assert body["status"] == "live" and body["launched_at"].endswith("Z")
    assert "Brightpath IT may contact me" in body["consent_text"]  # the default wording
    landing = app.test_client().get(body["landing_url"].split("://", 1)[1].split("/", 1)[1])
    assert landing.status_code == 200

    again = partner.post(f"/api/v1/campaigns/{campaign_id}/launch", json=run)
    assert again.status_code == 409 and "it cannot be launched" in again.get_json()["detail"]

    marketer = ApiClient(app, make_token(db_session, world.users["marketer"]))
    paused = marketer.post(f"/api/v1/campaigns/{campaign_id}/pause", json={"comment": "Review"})
    assert paused.status_code == 200 and paused.get_json()["status"] == "paused"
    assert marketer.post(f"/api/v1/campaigns/{campaign_id}/resume").status_code == 403
    resumed = partner.post(f"/api/v1/campaigns/{campaign_id}/resume")
    assert resumed.get_json()["status"] == "live"
    ended = partner.post(f"/api/v1/campaigns/{campaign_id}/end", json={})
    assert ended.get_json()["status"] == "ended" and ended.get_json()["ended_at"]
    assert partner.post(f"/api/v1/campaigns/{campaign_id}/pause", json={}).status_code == 409

    trail = db_session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "campaign", AuditEvent.object_id == campaign_id)
        .order_by(AuditEvent.id)
    ).all()
    assert trail == [
        "campaign.created",
        "campaign.launched",
        "campaign.paused",
        "campaign.resumed",
        "campaign.ended",
    ]
    pause = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.paused")
    ).one()
    assert pause.actor_id == world.users["marketer"].id and pause.comment == "Review"


def test_pipeline_figures_are_the_pipeline_pages_numbers(
    app: Flask, db_session: Session, world: World, live_a: Campaign
) -> None:
    add_lead(db_session, live_a)
    add_lead(db_session, live_a, status=pipeline_rules.QUALIFIED)
    add_opportunity(db_session, world.partner_a.id, live_a.id, "1200.50")
    add_opportunity(
        db_session, world.partner_a.id, live_a.id, "300.25", stage=pipeline_rules.CLOSED_WON
    )
    db_session.commit()
    api = ApiClient(app, make_token(db_session, world.users["finance"]))
    figures = api.get(f"/api/v1/campaigns/{live_a.id}/pipeline")
    assert figures.status_code == 200, figures.get_json()
    body = figures.get_json()
    assert (body["leads"], body["qualified"], body["opportunities"], body["won"]) == (2, 1, 2, 1)
    assert body["open_pipeline"] == [{"currency": "USD", "amount": "1200.50"}]
    assert body["won_revenue"] == [{"currency": "USD", "amount": "300.25"}]
    assert body["roi"] is None and body["cost_per_lead"] is None  # no MDF paid
    assert [s["label"] for s in body["funnel"]][:2] == ["Page views", "Leads"]
    numbers = for_campaign(db_session, live_a.id)
    assert body["leads"] == numbers.leads and body["won"] == numbers.won
    page = login(app.test_client(), world.users["finance"]).get(f"/pipeline/campaigns/{live_a.id}")
    assert "$300.25" in page.get_data(as_text=True)

    future = api.get(f"/api/v1/campaigns/{live_a.id}/pipeline?from=2099-01-01")
    assert future.get_json()["leads"] == 0
    bad = api.get(f"/api/v1/campaigns/{live_a.id}/pipeline?from=yesterday")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "from"
    other = ApiClient(app, make_token(db_session, world.users["b_user"]))
    assert other.get(f"/api/v1/campaigns/{live_a.id}/pipeline").status_code == 404

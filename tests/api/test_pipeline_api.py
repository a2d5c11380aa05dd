"""Leads and opportunities over the API: validation, scoping, paging, sync, idempotency, CRM."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.api.models import IdempotentResponse
from tcma.api.tasks import forget_idempotent_answers
from tcma.audit import AuditEvent
from tcma.pipeline.models import Lead, Opportunity, StageChange
from tests.api.support import ApiClient, make_token
from tests.conftest import World, login, make_test_app
from tests.pipeline.support import add_lead
from tests.reports.support import figure

PROBLEM = "application/problem+json"


def _deal(campaign_id: int, **extra: object) -> dict[str, object]:
    return {
        "name": "Atlas Freight DR rollout",
        "account": "Atlas Freight",
        "amount": "48000.00",
        "currency": "USD",
        "campaign_id": campaign_id,
        **extra,
    }


def test_crm_round_trip_shows_revenue_on_pipeline_page_and_dashboard(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    crm = ApiClient(
        app,
        make_token(db_session, world.users["admin"], kind="service", partner_id=world.partner_a.id),
    )
    created = crm.post(
        "/api/v1/opportunities",
        json=_deal(live_a.id, external_source="salesforce", external_id="006Dn00000AbCdE"),
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["amount"] == "48000.00" and body["currency"] == "USD"
    assert body["external_id"] == "006Dn00000AbCdE" and body["stage"] == "prospecting"
    assert created.headers["Location"].endswith(f"/api/v1/opportunities/{body['id']}")

    found = crm.get("/api/v1/opportunities?external_source=salesforce&external_id=006Dn00000AbCdE")
    assert [o["id"] for o in found.get_json()["items"]] == [body["id"]]

    won = crm.patch(f"/api/v1/opportunities/{body['id']}", json={"stage": "closed_won"})
    assert won.status_code == 200, won.get_json()
    assert won.get_json()["closed_on"] == dt.datetime.now(dt.UTC).date().isoformat()

    as_partner = login(app.test_client(), world.users["a_user"])
    page = as_partner.get(f"/pipeline/campaigns/{live_a.id}").get_data(as_text=True)
    assert "$48,000.00" in page
    dashboard = as_partner.get("/reports/?period=all").get_data(as_text=True)
    assert figure(dashboard, "fig-won-revenue") == "$48,000.00"
    history = db_session.scalars(
        select(StageChange.to_stage).where(StageChange.opportunity_id == body["id"])
    ).all()
    assert history == ["prospecting", "closed_won"]


def test_same_external_id_twice_is_409_and_changes_nothing(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    deal = _deal(live_a.id, external_source="hubspot", external_id="9876543210")
    assert api.post("/api/v1/opportunities", json=deal).status_code == 201
    again = api.post("/api/v1/opportunities", json=deal)
    assert again.status_code == 409 and again.mimetype == PROBLEM
    assert again.get_json()["errors"][0]["field"] == "external_id"
    assert len(db_session.scalars(select(Opportunity)).all()) == 1


def test_validation_errors_name_each_field(app: Flask, db_session: Session, world: World) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    response = api.post(
        "/api/v1/opportunities", json={"name": "", "amount": 12.5, "currency": "XXX"}
    )
    assert response.status_code == 422 and response.mimetype == PROBLEM
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert {"name", "amount", "currency"} <= fields
    assert db_session.scalars(select(Opportunity)).all() == []


def test_money_must_be_a_strict_decimal_string(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    for bad in ("1e3", "-5.00", "1.005", " 10", "10,00", "", "NaN", "0x10"):
        response = api.post("/api/v1/opportunities", json=_deal(live_a.id, amount=bad))
        assert response.status_code == 422, bad
        assert response.get_json()["errors"][0]["field"] == "amount"
    ok = api.post("/api/v1/opportunities", json=_deal(live_a.id, amount="0.10"))
    assert ok.get_json()["amount"] == "0.10"


def test_partner_b_gets_404_on_partner_a_objects(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    lead = add_lead(db_session, live_a)
    db_session.commit()
    api = ApiClient(app, make_token(db_session, world.users["b_user"]))
    for method, url in (
        ("get", f"/api/v1/leads/{lead.id}"),
        ("patch", f"/api/v1/leads/{lead.id}"),
        ("delete", f"/api/v1/leads/{lead.id}"),
    ):
        response = getattr(api, method)(url, **({"json": {}} if method == "patch" else {}))
        assert response.status_code == 404 and response.mimetype == PROBLEM
    listed = api.get("/api/v1/leads").get_json()["items"]
    assert listed == []
    foreign = api.post(
        "/api/v1/leads",
        json={"campaign_id": live_a.id, "email": "x@example.com", "consent_text": "Yes"},
    )
    assert foreign.status_code == 422
    assert foreign.get_json()["errors"][0]["field"] == "campaign_id"


def test_lead_created_through_api_keeps_its_consent_and_counts(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    response = api.post(
        "/api/v1/leads",
        json={
            "campaign_id": live_a.id,
            "email": " Grace@Navy.Example ",
            "first_name": "Grace",
            "consent_text": "I agree that Brightpath IT may contact me.",
            "utm_source": "partner-site",
        },
    )
    assert response.status_code == 201, response.get_json()
    lead = db_session.get(Lead, response.get_json()["id"])
    assert lead.email == "Grace@navy.example" and lead.consent
    assert lead.consent_text == "I agree that Brightpath IT may contact me."
    assert lead.partner_id == world.partner_a.id and lead.utm_source == "partner-site"
    bad = api.post(
        "/api/v1/leads",
        json={"campaign_id": live_a.id, "email": "not an email", "consent_text": "Yes"},
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "email"


def test_lead_update_follows_the_status_rules(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    lead = add_lead(db_session, live_a)
    db_session.commit()
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    ok = api.patch(
        f"/api/v1/leads/{lead.id}",
        json={"status": "qualified", "owner_id": world.users["a_admin"].id, "notes": "Hot"},
    )
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["status"] == "qualified" and ok.get_json()["notes"] == "Hot"
    converted = api.patch(f"/api/v1/leads/{lead.id}", json={"status": "converted"})
    assert converted.status_code == 422
    foreign_owner = api.patch(
        f"/api/v1/leads/{lead.id}", json={"owner_id": world.users["b_user"].id}
    )
    assert foreign_owner.status_code == 422
    assert foreign_owner.get_json()["errors"][0]["field"] == "owner_id"


def test_erase_removes_personal_data_and_then_the_lead_is_gone(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    lead = add_lead(db_session, live_a)
    db_session.commit()
    api = ApiClient(app, make_token(db_session, world.users["a_admin"]))
    assert api.delete(f"/api/v1/leads/{lead.id}").status_code == 204
    db_session.expire_all()
    assert db_session.get(Lead, lead.id).email is None
    assert api.get(f"/api/v1/leads/{lead.id}").status_code == 404
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert "lead.erased" in actions


def test_cursor_pages_walk_every_lead_once(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    ids = {add_lead(db_session, live_a, email=f"p{i}@example.com").id for i in range(7)}
    db_session.commit()
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    seen: list[int] = []
    url = "/api/v1/leads?limit=3"
    while True:
        page = api.get(url).get_json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        url = f"/api/v1/leads?limit=3&cursor={page['next_cursor']}"
    assert seen == sorted(ids, reverse=True)
    # A cursor past the largest id PostgreSQL's integer holds starts from the newest lead.
    huge = api.get("/api/v1/leads?limit=3&cursor=ce875aa48")
    assert [item["id"] for item in huge.get_json()["items"]] == seen[:3]
    bad = api.get("/api/v1/leads?cursor=garbage!")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "cursor"
    too_many = api.get("/api/v1/leads?limit=1000")
    assert too_many.status_code == 422 and too_many.get_json()["errors"][0]["field"] == "limit"


def test_updated_since_returns_only_changed_leads(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    old, fresh = add_lead(db_session, live_a), add_lead(db_session, live_a, email="n@example.com")
    old.updated_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    db_session.commit()
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    since = api.get("/api/v1/leads", query_string={"updated_since": "2026-06-01T00:00:00Z"})
    assert [i["id"] for i in since.get_json()["items"]] == [fresh.id]
    item = since.get_json()["items"][0]
    assert item["created_at"].endswith("Z")
    naive = api.get("/api/v1/leads", query_string={"updated_since": "2026-06-01T00:00:00"})
    assert naive.status_code == 422


def test_idempotency_key_replays_the_first_answer(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    headers = {"Idempotency-Key": "deal-42"}
    first = api.post("/api/v1/opportunities", json=_deal(live_a.id), headers=headers)
    again = api.post("/api/v1/opportunities", json=_deal(live_a.id), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(db_session.scalars(select(Opportunity)).all()) == 1
    other = api.post("/api/v1/opportunities", json=_deal(live_a.id, name="X"), headers=headers)
    assert other.status_code == 422
    # Keys are per token: another token's same key is a new request.
    second = ApiClient(app, make_token(db_session, world.users["a_admin"]))
    assert (
        second.post("/api/v1/opportunities", json=_deal(live_a.id), headers=headers).status_code
        == 201
    )
    assert len(db_session.scalars(select(Opportunity)).all()) == 2


def test_unknown_route_and_method_are_problem_json(
    app: Flask, db_session: Session, world: World
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    missing = api.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    wrong = api.client.put("/api/v1/leads", headers={"Authorization": f"Bearer {api.token}"})
    assert (
        wrong.status_code == 405 and wrong.mimetype == PROBLEM and "GET" in wrong.headers["Allow"]
    )


def test_rate_limit_per_token_with_headers(
    db_session: Session, world: World, tmp_path, database_url
) -> None:
    app = make_test_app(database_url, tmp_path, API_RATE_LIMIT="3 per minute")
    session = app.extensions["tcma.sessionmaker"]()
    a_token = make_token(
        session, session.get(type(world.users["a_user"]), world.users["a_user"].id)
    )
    b_token = make_token(
        session, session.get(type(world.users["b_user"]), world.users["b_user"].id)
    )
    a = ApiClient(app, a_token)
    answers = [a.get("/api/v1/leads") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert answers[0].headers["RateLimit-Remaining"] == "2"
    assert answers[3].mimetype == PROBLEM and int(answers[3].headers["Retry-After"]) > 0
    assert ApiClient(app, b_token).get("/api/v1/leads").status_code == 200
    session.close()
    app.extensions["tcma.engine"].dispose()


def test_stored_idempotent_answers_are_forgotten_after_a_day(
    app: Flask, db_session: Session, world: World, live_a
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    for key in ("old", "new"):
        api.post("/api/v1/opportunities", json=_deal(live_a.id), headers={"Idempotency-Key": key})
    old = db_session.scalars(
        select(IdempotentResponse).where(IdempotentResponse.key == "old")
    ).one()
    old.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
    db_session.commit()
    assert forget_idempotent_answers(db_session) == 1
    db_session.commit()
    assert db_session.scalars(select(IdempotentResponse.key)).all() == ["new"]


def test_an_unknown_list_filter_is_refused_not_ignored(
    app: Flask, db_session: Session, world: World
) -> None:
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    assert api.get("/api/v1/leads?status=new").status_code == 200
    for query in ("statu=new", "=false"):
        response = api.get(f"/api/v1/leads?{query}")
        assert response.status_code == 422 and response.mimetype == PROBLEM, query
    assert api.get("/api/v1/opportunities?stag=won").status_code == 422

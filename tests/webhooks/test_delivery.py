"""Webhook deliveries to a real receiver on 127.0.0.1: signed, retried, disabled, none lost."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tcma import jobs
from tcma.webhooks import rules, services
from tcma.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tcma.webhooks.rules import WebhookError
from tests.api.support import ApiClient, make_token
from tests.conftest import World, login, make_test_app
from tests.pipeline.support import live_campaign
from tests.webhooks.receiver import Receiver


def _endpoint(session: Session, world: World, url: str, partner_id: int | None = None, **kw):
    endpoint = services.create_endpoint(
        session,
        world.users["admin"].id,
        partner_id=partner_id,
        url=url,
        event_types=kw.pop("event_types", list(rules.EVENT_TYPES)),
        allow_private=True,
    )
    session.commit()
    return endpoint


def _time_passes(app: Flask) -> None:
    """Every pending delivery is due now; the sweep job queues them (run at once in tests)."""
    session = app.extensions["tcma.sessionmaker"]()
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.status == "pending")
        .values(next_attempt_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    )
    session.commit()
    session.close()
    with app.app_context():
        jobs.enqueue_now("tcma.webhooks.tasks.sweep")


def _deal(api: ApiClient, campaign_id: int, **extra: object):
    body = {"name": "Atlas", "amount": "5000.00", "currency": "USD", "campaign_id": campaign_id}
    return api.post("/api/v1/opportunities", json={**body, **extra})


def test_events_are_signed_and_verify_with_standardwebhooks(
    app: Flask, db_session: Session, world: World, receiver: Receiver
) -> None:
    campaign = live_campaign(app, db_session, world.partner_a)
    endpoint = _endpoint(db_session, world, receiver.url)
    receiver.secret = endpoint.secret
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    created = _deal(api, campaign.id, external_source="salesforce", external_id="006X")
    opportunity_id = created.get_json()["id"]
    api.patch(f"/api/v1/opportunities/{opportunity_id}", json={"stage": "closed_won"})
    types = [call["body"]["type"] for call in receiver.calls]
    assert types == ["opportunity.created", "opportunity.stage_changed", "opportunity.won"]
    assert all(call["verified"] == call["body"] for call in receiver.calls)
    won = receiver.calls[-1]["body"]["data"]["opportunity"]
    assert won["external_id"] == "006X" and won["amount"] == "5000.00"
    assert len(set(receiver.ids())) == 3


def test_a_forged_or_old_secret_does_not_verify(
    app: Flask, db_session: Session, world: World, receiver: Receiver
) -> None:
    campaign = live_campaign(app, db_session, world.partner_a)
    endpoint = _endpoint(db_session, world, receiver.url)
    old = endpoint.secret
    services.rotate_secret(db_session, None, endpoint)
    endpoint.previous_secret_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db_session.commit()
    receiver.secret = old
    _deal(ApiClient(app, make_token(db_session, world.users["a_user"])), campaign.id)
    assert receiver.calls and receiver.calls[0]["verified"] is False


def test_rotation_signs_with_both_secrets_during_the_overlap(
    app: Flask, db_session: Session, world: World, receiver: Receiver
) -> None:
    campaign = live_campaign(app, db_session, world.partner_a)
    endpoint = _endpoint(db_session, world, receiver.url)
    old = endpoint.secret
    new = services.rotate_secret(db_session, None, endpoint)
    db_session.commit()
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    for secret in (old, new):
        receiver.secret = secret
        _deal(api, campaign.id)
        assert receiver.calls[-1]["verified"] == receiver.calls[-1]["body"]


def test_failing_receiver_gets_retries_with_the_same_id(
    app: Flask, db_session: Session, world: World, receiver: Receiver
) -> None:
    campaign = live_campaign(app, db_session, world.partner_a)
    _endpoint(db_session, world, receiver.url, event_types=["opportunity.created"])
    receiver.fail_next = 2
    _deal(ApiClient(app, make_token(db_session, world.users["a_user"])), campaign.id)
    delivery = db_session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "pending" and delivery.attempts == 1
    wait = delivery.next_attempt_at - delivery.created_at
    assert dt.timedelta(seconds=25) < wait < dt.timedelta(seconds=40)
    _time_passes(app)
    _time_passes(app)
    db_session.expire_all()
    delivery = db_session.get(WebhookDelivery, delivery.id)
    assert delivery.status == "succeeded" and delivery.attempts == 3
    assert len(receiver.calls) == 3 and len(set(receiver.ids())) == 1
    codes = db_session.scalars(select(WebhookAttempt.status_code).order_by(WebhookAttempt.id))
    assert list(codes) == [500, 500, 204]
    # A later sweep sends nothing again.
    _time_passes(app)
    assert len(receiver.calls) == 3


def test_receiver_down_long_enough_disables_the_endpoint_and_emails(
    app: Flask, db_session: Session, world: World, receiver: Receiver, outbox
) -> None:
    campaign = live_campaign(app, db_session, world.partner_a)
    url = receiver.url
    receiver.stop()  # nothing listens there any more: connection refused
    endpoint = _endpoint(
        db_session, world, url, event_types=["lead.created", "opportunity.created"]
    )
    api = ApiClient(app, make_token(db_session, world.users["a_user"]))
    for n in range(3):
        _deal(api, campaign.id, name=f"Deal {n}")
    while True:
        db_session.expire_all()
        if db_session.get(WebhookEndpoint, endpoint.id).status == "disabled":
            break
        _time_passes(app)
    failures = db_session.get(WebhookEndpoint, endpoint.id).consecutive_failures
    assert failures == rules.DISABLE_AFTER
    mails = [p.read_text() for p in outbox.glob("*.eml")]
    assert any("was disabled" in m and url in m for m in mails)
    # Events keep coming while disabled: recorded, not sent, not lost.
    _deal(api, campaign.id, name="While down")
    pending = db_session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.status == "pending")
    ).all()
    assert len(pending) == 4

    # The receiver is back (at a new address); the admin enables it: everything arrives once.
    second = Receiver()
    try:
        back = db_session.get(WebhookEndpoint, endpoint.id)
        back.url = second.url
        services.set_status(db_session, None, back, "active", "")
        db_session.commit()
        _time_passes(app)
        names = sorted(c["body"]["data"]["opportunity"]["name"] for c in second.calls)
        assert names == ["Deal 0", "Deal 1", "Deal 2", "While down"]
        assert len(set(second.ids())) == 4
        _time_passes(app)
        assert len(second.calls) == 4
    finally:
        second.stop()


def test_private_targets_are_refused_unless_allowed(db_session: Session, world: World) -> None:
    for url in ("http://example.com/hook", "ftp://example.com/", "https://user:pw@example.com/"):
        with pytest.raises(WebhookError):
            services.create_endpoint(
                db_session, None, partner_id=None, url=url, event_types=["lead.created"]
            )
    assert not rules.is_public_address("127.0.0.1")
    assert not rules.is_public_address("10.1.2.3")
    assert not rules.is_public_address("169.254.169.254")
    assert not rules.is_public_address("::ffff:192.168.0.1")
    assert rules.is_public_address("93.184.216.34")


def test_delivery_to_loopback_is_refused_in_production_settings(
    database_url: str, tmp_path, world: World, receiver: Receiver
) -> None:
    app = make_test_app(database_url, tmp_path, WEBHOOK_ALLOW_PRIVATE=False)
    session = app.extensions["tcma.sessionmaker"]()
    campaign = live_campaign(app, session, session.merge(world.partner_a))
    _endpoint(session, world, receiver.url.replace("http://", "https://"))
    token = make_token(session, session.merge(world.users["a_user"]))
    _deal(ApiClient(app, token), campaign.id)
    delivery = session.scalars(select(WebhookDelivery)).one()
    assert receiver.calls == []
    assert "refused" in (delivery.last_error or "")
    session.close()
    app.extensions["tcma.engine"].dispose()


def test_partner_admin_endpoint_gets_only_its_partners_events(
    app: Flask, db_session: Session, world: World, receiver: Receiver
) -> None:
    a_campaign = live_campaign(app, db_session, world.partner_a)
    b_campaign = live_campaign(app, db_session, world.partner_b, version=a_campaign.kit_version)
    client = login(app.test_client(), world.users["b_admin"])
    page = client.post(
        "/webhooks/", data={"url": receiver.url, "event_types": ["opportunity.created"]}
    )
    assert page.status_code == 302
    endpoint = db_session.scalars(select(WebhookEndpoint)).one()
    assert endpoint.partner_id == world.partner_b.id
    _deal(ApiClient(app, make_token(db_session, world.users["a_user"])), a_campaign.id)
    _deal(ApiClient(app, make_token(db_session, world.users["b_user"])), b_campaign.id)
    assert [c["body"]["data"]["opportunity"]["partner_id"] for c in receiver.calls] == [
        world.partner_b.id
    ]
    # Partner A's admin cannot see partner B's endpoint.
    other = login(app.test_client(), world.users["a_admin"])
    assert other.get(f"/webhooks/{endpoint.id}").status_code == 404


def test_delivery_log_shows_and_redelivers(
    app: Flask, db_session: Session, world: World, receiver: Receiver
) -> None:
    campaign = live_campaign(app, db_session, world.partner_a)
    endpoint = _endpoint(db_session, world, receiver.url, event_types=["opportunity.created"])
    _deal(ApiClient(app, make_token(db_session, world.users["a_user"])), campaign.id)
    admin = login(app.test_client(), world.users["admin"])
    page = admin.get(f"/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "opportunity.created" in page and "204" in page and " ms" in page
    delivery = db_session.scalars(select(WebhookDelivery)).one()
    admin.post(f"/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver")
    assert len(receiver.calls) == 2 and len(set(receiver.ids())) == 1


def test_rotate_asks_first_and_disable_stops_sending(
    app: Flask, db_session: Session, world: World, receiver: Receiver
) -> None:
    campaign = live_campaign(app, db_session, world.partner_a)
    endpoint = _endpoint(db_session, world, receiver.url, event_types=["opportunity.created"])
    old = endpoint.secret
    admin = login(app.test_client(), world.users["admin"])
    confirm = admin.get(f"/webhooks/{endpoint.id}/rotate").get_data(as_text=True)
    assert "two signatures" in confirm
    db_session.expire_all()
    assert db_session.get(WebhookEndpoint, endpoint.id).secret == old
    admin.post(f"/webhooks/{endpoint.id}/rotate")
    db_session.expire_all()
    rotated = db_session.get(WebhookEndpoint, endpoint.id)
    assert rotated.secret != old and rotated.previous_secret == old
    admin.post(f"/webhooks/{endpoint.id}/status", data={"status": "disabled"})
    _deal(ApiClient(app, make_token(db_session, world.users["a_user"])), campaign.id)
    assert receiver.calls == []
    admin.post(f"/webhooks/{endpoint.id}/status", data={"status": "active"})
    _time_passes(app)
    assert len(receiver.calls) == 1

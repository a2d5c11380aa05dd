"""POST /mail/events: an ESP's signed bounce and complaint events suppress and fail deliveries."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tcma import db, jobs
from tcma.mailings import contacts, rules, services, tasks
from tcma.mailings.models import Delivery, Mailing
from tcma.webhooks.signing import headers, new_secret
from tests.conftest import World, make_test_app
from tests.mailings.test_engagement import _setup

SECRET = new_secret()
DOMAIN = "mail.northbeam.example"


@pytest.fixture
def esp_app(database_url: str, tmp_path: Path, world: World) -> Iterator[Flask]:
    app = make_test_app(database_url, tmp_path, MAIL_EVENTS_SECRET=SECRET, MAILING_DOMAIN=DOMAIN)
    yield app
    app.extensions["tcma.engine"].dispose()


def _post(client: FlaskClient, body: object, secret: str = SECRET, at: dt.datetime | None = None):
    text = body if isinstance(body, str) else json.dumps(body)
    signed = headers("msg_1", text, [secret], at or dt.datetime.now(dt.UTC))
    return client.post(
        "/mail/events", data=text, headers={**signed, "Content-Type": "application/json"}
    )


def _send(app: Flask, world: World) -> tuple[int, dict[str, int]]:
    """Send partner A's mailing; (mailing id, delivery id by address)."""
    setup = _setup(app, world)
    with app.app_context():
        session = db.session()
        services.send_now(session, None, session.get(Mailing, setup.mailing.id))
        jobs.enqueue(session, tasks.start_mailing, setup.mailing.id)
        session.commit()
        return setup.mailing.id, {d.email: d.id for d in session.scalars(select(Delivery))}


def test_a_hard_bounce_by_return_path_fails_the_delivery_and_suppresses(
    esp_app: Flask, world: World
) -> None:
    mailing_id, ids = _send(esp_app, world)
    with esp_app.app_context():
        bounce_to = services.return_path(ids["bo@beta.example"], DOMAIN)
    answer = _post(
        esp_app.test_client(),
        {
            "type": "bounce",
            "bounce_type": "hard",
            "recipient": "BO@beta.example",
            "return_path": bounce_to,
            "diagnostic": "550 5.1.1 user unknown",
        },
    )
    assert answer.status_code == 200
    assert answer.json == {"results": [f"bounce: suppressed delivery {ids['bo@beta.example']}"]}
    with esp_app.app_context():
        session = db.session()
        bo = session.get(Delivery, ids["bo@beta.example"])
        assert bo.state == rules.FAILED and "550 5.1.1 user unknown" in bo.smtp_answer
        partner_id = session.get(Mailing, mailing_id).partner_id
        assert contacts.is_suppressed(session, partner_id, "bo@beta.example")
        assert not contacts.is_suppressed(session, partner_id, "ana@acme.example")
        assert services.report(session, [mailing_id]).bounced == 1


def test_complaints_by_message_id_suppress_and_soft_bounces_change_nothing(
    esp_app: Flask, world: World
) -> None:
    mailing_id, ids = _send(esp_app, world)
    ana, cy = ids["ana@acme.example"], ids["cy@gamma.example"]
    answer = _post(
        esp_app.test_client(),
        [
            {"type": "complaint", "message_id": f"<mailing-{mailing_id}-delivery-{ana}@{DOMAIN}>"},
            {
                "type": "bounce",
                "bounce_type": "soft",
                "message_id": f"<mailing-{mailing_id}-delivery-{cy}@{DOMAIN}>",
            },
            # A message id naming a delivery of another mailing, and a forged return path.
            {"type": "complaint", "message_id": f"<mailing-{mailing_id + 1}-delivery-{cy}@x>"},
            {"type": "complaint", "return_path": f"bounces+{cy}.0000000000000000@{DOMAIN}"},
            {
                "type": "complaint",
                "recipient": "someone@else.example",
                "message_id": f"<mailing-{mailing_id}-delivery-{cy}@{DOMAIN}>",
            },
        ],
    )
    assert answer.status_code == 200
    results = answer.json["results"]
    assert results[0] == f"complaint: suppressed delivery {ana}"
    assert results[1].startswith("soft bounce") and all(
        r.startswith("ignored") for r in results[2:]
    )
    with esp_app.app_context():
        session = db.session()
        partner_id = session.get(Mailing, mailing_id).partner_id
        assert contacts.is_suppressed(session, partner_id, "ana@acme.example")
        assert not contacts.is_suppressed(session, partner_id, "cy@gamma.example")
        assert session.get(Delivery, cy).state == rules.DELIVERED


@pytest.mark.parametrize(
    ("secret", "age"),
    [(new_secret(), 0), (SECRET, 3600)],
    ids=["wrong secret", "too old (a replay)"],
)
def test_a_bad_or_old_signature_is_401_and_changes_nothing(
    esp_app: Flask, world: World, secret: str, age: int
) -> None:
    _, ids = _send(esp_app, world)
    at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age)
    event = {"type": "complaint", "message_id": "<mailing-1-delivery-1@x>"}
    answer = _post(esp_app.test_client(), event, secret=secret, at=at)
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    unsigned = esp_app.test_client().post("/mail/events", json=event)
    assert unsigned.status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", None),
        ("[]", "body"),
        (json.dumps({"type": "unsubscribe", "message_id": "x"}), "type"),
        (json.dumps({"type": "bounce", "message_id": "x"}), "bounce_type"),
        (json.dumps({"type": "complaint"}), "return_path"),
        (json.dumps({"type": "complaint", "message_id": 5}), "message_id"),
        (json.dumps({"type": "complaint", "message_id": "a\x00b"}), "message_id"),
        (json.dumps({"type": "complaint", "message_id": "x", "recipient": "nope"}), "recipient"),
        (json.dumps([{"type": "complaint", "message_id": "x"}] * 101), "body"),
    ],
)
def test_a_bad_body_is_a_400_problem_naming_the_field(
    esp_app: Flask, body: str, field: str | None
) -> None:
    answer = _post(esp_app.test_client(), body)
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    if field:
        assert answer.json["errors"][0]["field"] == field


def test_without_a_secret_the_endpoint_is_not_there(app: Flask) -> None:
    answer = app.test_client().post("/mail/events", json={"type": "complaint"})
    assert answer.status_code == 404

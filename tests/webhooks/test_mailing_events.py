"""mailing.sent and contact.unsubscribed reach a partner admin's receiver, signed, once each."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import db
from tcma.mailings import services as mailing_services
from tcma.mailings.models import Delivery
from tcma.webhooks import services
from tests.api.support import ApiClient, make_token
from tests.conftest import World
from tests.mailings.support import mailing_setup
from tests.webhooks.receiver import Receiver


def test_mailing_sent_and_unsubscribe_events(
    app: Flask, db_session: Session, world: World, receiver: Receiver
) -> None:
    setup = mailing_setup(app, db_session, world.partner_a)
    endpoint = services.create_endpoint(
        db_session,
        world.users["a_admin"].id,
        partner_id=world.partner_a.id,
        url=receiver.url,
        event_types=["mailing.sent", "contact.unsubscribed"],
        allow_private=True,
    )
    db_session.commit()
    receiver.secret = endpoint.secret
    partner = ApiClient(app, make_token(db_session, world.users["a_user"]))
    assert partner.post(f"/api/v1/mailings/{setup.mailing.id}/send").status_code == 200

    delivery = db_session.scalars(
        select(Delivery).where(Delivery.mailing_id == setup.mailing.id).order_by(Delivery.id)
    ).first()
    assert delivery is not None and delivery.state == "sent"
    with app.test_request_context():
        session = db.session()
        for _ in range(2):  # a second click changes nothing and sends nothing
            mailing_services.unsubscribe(session, session.get(Delivery, delivery.id))
            session.commit()

    types = [call["body"]["type"] for call in receiver.calls]
    assert types == ["mailing.sent", "contact.unsubscribed"]
    assert all(call["verified"] == call["body"] for call in receiver.calls)
    sent = receiver.calls[0]["body"]["data"]["mailing"]
    assert sent["id"] == setup.mailing.id and sent["status"] == "sent"
    assert sent["report"]["delivered"] == len(setup.contacts)
    gone = receiver.calls[1]["body"]["data"]
    assert gone["email"] == delivery.email and gone["mailing_id"] == setup.mailing.id
    assert gone["unsubscribed_at"].endswith("Z")

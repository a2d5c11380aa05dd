"""A partner downloads its contacts as CSV: only its own, audited, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tcma import db
from tcma.audit import AuditEvent
from tcma.mailings import contacts, rules
from tcma.mailings.models import Contact
from tests.conftest import World
from tests.mailings.support import add_contact
from tests.mailings.test_engagement import _setup


def test_the_export_holds_the_partners_own_contacts_with_lists_and_suppression(
    app: Flask, world: World, as_a_user: FlaskClient, as_b_user: FlaskClient
) -> None:
    setup = _setup(app, world)
    with app.app_context():
        session = db.session()
        add_contact(session, world.partner_b.id, "other@partner-b.example", "Olga")
        add_contact(session, world.partner_a.id, "formula@acme.example", "=HYPERLINK(1)")
        contacts.suppress(session, world.partner_a.id, "bo@beta.example", rules.UNSUBSCRIBED)
        session.commit()
    answer = as_a_user.get("/contacts/export.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    by_email = {row["Email"]: row for row in rows}
    assert set(by_email) == {
        "ana@acme.example",
        "bo@beta.example",
        "cy@gamma.example",
        "formula@acme.example",
    }
    assert by_email["ana@acme.example"]["First Name"] == "Ana"
    assert by_email["ana@acme.example"]["Lists"] == setup.contact_list.name
    assert by_email["bo@beta.example"]["Suppressed"] == "yes"
    assert by_email["ana@acme.example"]["Suppressed"] == "no"
    assert by_email["formula@acme.example"]["First Name"] == "'=HYPERLINK(1)"
    other = list(
        csv.DictReader(io.StringIO(as_b_user.get("/contacts/export.csv").get_data(as_text=True)))
    )
    assert [row["Email"] for row in other] == ["other@partner-b.example"]
    with app.app_context():
        events = [
            (e.partner_id, e.actor_id, e.data)
            for e in db.session().scalars(
                select(AuditEvent).where(AuditEvent.action == "contact.exported")
            )
        ]
    assert events == [
        (world.partner_a.id, world.users["a_user"].id, {"contacts": 4}),
        (world.partner_b.id, world.users["b_user"].id, {"contacts": 1}),
    ]


def test_erasing_a_contact_is_audited_without_their_data(
    app: Flask, world: World, as_a_user: FlaskClient
) -> None:
    setup = _setup(app, world)
    ana = setup.contacts[0]
    as_a_user.post(f"/contacts/{ana.id}/erase", data={"confirm": "y"})
    with app.app_context():
        session = db.session()
        assert session.get(Contact, ana.id) is None
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.erased"))
        assert (event.object_id, event.actor_id) == (ana.id, world.users["a_user"].id)
        assert "ana@acme.example" not in str(event.data) + str(event.comment)
    export = as_a_user.get("/contacts/export.csv").get_data(as_text=True)
    assert "ana@acme.example" not in export

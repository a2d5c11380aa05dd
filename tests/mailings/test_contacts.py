"""Contacts: CSV import with a preview of every bad row, all or nothing; editing; erasing."""

from __future__ import annotations

import datetime as dt
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tcma import db
from tcma.audit import AuditEvent
from tcma.mailings import contacts, csvfile, rules
from tcma.mailings.models import Contact, ListMember
from tests.conftest import World
from tests.mailings.support import add_contact

SALESFORCE = (
    "First Name,Last Name,Email,Account Name,Title,Mailing Country\n"
    "Ana,Lopez,Ana@Acme.example,Acme Schools,IT lead,Spain\n"
    "Bo,Berg,bo@beta.example,Beta Council,,Sweden\n"
)
HUBSPOT = (
    "First Name,Last Name,Email,Company Name,Job Title,Country/Region,"
    "Legal basis for processing contact's data\n"
    "Cy,Chan,cy@gamma.example,Gamma,CTO,UK,Legitimate interest – prospect/lead\n"
)


def _upload(client: FlaskClient, text: str, **form: str):
    data = {"file": (io.BytesIO(text.encode()), "contacts.csv"), **form}
    return client.post("/contacts/import", data=data, content_type="multipart/form-data")


def _confirm(client: FlaskClient, page: bytes):
    html = page.decode()
    fields = {}
    for name in ("upload", "default_basis", "default_date", "list_id"):
        marker = f'name="{name}" type="hidden" value="'
        start = html.index(marker) + len(marker)
        fields[name] = html[start : html.index('"', start)]
    return client.post("/contacts/import/confirm", data=fields)


def _count(app: Flask, partner_id: int) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(Contact).where(Contact.partner_id == partner_id)
        return db.session().scalar(stmt) or 0


def test_crm_headers_are_understood() -> None:
    parsed = csvfile.parse_contacts(HUBSPOT.encode(), None, dt.date(2026, 1, 1))
    assert parsed.ok and parsed.crm == "HubSpot"
    assert parsed.rows[0]["company"] == "Gamma"
    assert parsed.rows[0]["consent_basis"] == rules.LEGITIMATE_INTEREST
    salesforce = csvfile.parse_contacts(SALESFORCE.encode(), rules.CONSENT, None)
    assert not salesforce.ok  # no consent date anywhere
    assert "no consent date" in salesforce.problems[0].errors[0]


def test_preview_lists_every_bad_row_and_nothing_is_imported(
    app: Flask, world: World, as_a_user: FlaskClient
) -> None:
    bad = (
        "Email,First Name,Consent Basis,Consent Date\n"
        "ok@acme.example,Ok,consent,2026-01-02\n"
        "not-an-address,No,consent,2026-01-02\n"
        "ok@acme.example,Twice,consent,2026-01-02\n"
        "x@acme.example,X,maybe,2026-01-02\n"
        "y@acme.example,Y,consent,2099-01-01\n"
    )
    page = _upload(as_a_user, bad)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "Nothing was imported" in text and "4 of 5 rows have problems" in text
    assert "&#39;not-an-address&#39; is not an email address" in text
    assert "ok@acme.example is also on row 2" in text
    assert "consent basis &#39;maybe&#39; is unknown" in text
    assert "is in the future" in text
    assert _count(app, world.partner_a.id) == 0


def test_a_good_file_is_imported_whole_into_a_list(
    app: Flask, world: World, as_a_user: FlaskClient
) -> None:
    with app.app_context():
        session = db.session()
        target = contacts.create_list(session, None, world.partner_a.id, "Spain event")
        session.commit()
        list_id = target.id
    page = _upload(
        as_a_user,
        SALESFORCE,
        default_basis=rules.CONSENT,
        default_date="2026-02-01",
        list_id=str(list_id),
    )
    assert page.status_code == 200 and b"All 2 rows" in page.data
    assert _count(app, world.partner_a.id) == 0  # not before the confirmation
    done = _confirm(as_a_user, page.data)
    assert done.status_code == 302
    with app.app_context():
        session = db.session()
        ana = session.scalar(select(Contact).where(Contact.email == "ana@acme.example"))
        assert ana is not None and ana.partner_id == world.partner_a.id
        assert (ana.company, ana.consent_basis) == ("Acme Schools", rules.CONSENT)
        members = session.scalar(
            select(func.count()).select_from(ListMember).where(ListMember.list_id == list_id)
        )
        assert members == 2
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.imported"))
    # The stored upload is used once.
    assert _confirm(as_a_user, page.data).headers["Location"].endswith("/contacts/import")
    assert _count(app, world.partner_a.id) == 2


def test_an_import_never_makes_a_suppressed_address_mailable(
    app: Flask, world: World, as_a_user: FlaskClient
) -> None:
    with app.app_context():
        session = db.session()
        contacts.suppress(session, world.partner_a.id, "bo@beta.example", rules.UNSUBSCRIBED)
        session.commit()
    page = _upload(as_a_user, SALESFORCE, default_basis=rules.CONSENT, default_date="2026-02-01")
    assert b"1 of these addresses are suppressed" in page.data
    _confirm(as_a_user, page.data)
    listing = as_a_user.get("/contacts/").get_data(as_text=True)
    row = listing[listing.index("bo@beta.example") :]
    assert "suppressed" in row[: row.index("</tr>")]
    with app.app_context():
        assert contacts.is_suppressed(db.session(), world.partner_a.id, "bo@beta.example")


def test_another_partner_gets_404_on_a_contact(
    app: Flask, world: World, as_a_user: FlaskClient, as_b_user: FlaskClient
) -> None:
    with app.app_context():
        session = db.session()
        contact = add_contact(session, world.partner_a.id, "ana@acme.example", "Ana")
        session.commit()
        contact_id = contact.id
    assert as_b_user.get(f"/contacts/{contact_id}").status_code == 404
    assert as_b_user.post(f"/contacts/{contact_id}/erase", data={"confirm": "y"}).status_code == 404
    assert b"ana@acme.example" not in as_b_user.get("/contacts/").data
    assert b"ana@acme.example" in as_a_user.get("/contacts/").data


def test_add_edit_and_erase_a_contact(app: Flask, world: World, as_a_user: FlaskClient) -> None:
    added = as_a_user.post(
        "/contacts/new",
        data={
            "email": "dee@delta.example",
            "first_name": "Dee",
            "consent_basis": rules.CONTRACT,
            "consent_date": "2026-03-01",
        },
    )
    assert added.status_code == 302
    bad = as_a_user.post(
        "/contacts/new",
        data={"email": "dee@delta", "consent_basis": rules.CONSENT, "consent_date": "2026-03-01"},
    )
    assert b"is not an email address" in bad.data
    with app.app_context():
        contact_id = db.session().scalar(
            select(Contact.id).where(Contact.email == "dee@delta.example")
        )
    as_a_user.post(
        f"/contacts/{contact_id}",
        data={
            "email": "dee@delta.example",
            "first_name": "Deirdre",
            "consent_basis": rules.CONTRACT,
            "consent_date": "2026-03-01",
        },
    )
    unconfirmed = as_a_user.post(f"/contacts/{contact_id}/erase")
    assert unconfirmed.status_code == 302
    with app.app_context():
        assert db.session().get(Contact, contact_id).first_name == "Deirdre"
    as_a_user.post(f"/contacts/{contact_id}/erase", data={"confirm": "y"})
    with app.app_context():
        session = db.session()
        assert session.get(Contact, contact_id) is None
        assert session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "contact.erased", AuditEvent.object_id == contact_id
            )
        )
    assert b"dee@delta.example" not in as_a_user.get("/contacts/").data

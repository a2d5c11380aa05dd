"""Contacts, lists, suppressions and mailings over the API: the pages' rules and tenancy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.audit import AuditEvent
from tcma.mailings import contacts, rules
from tcma.mailings.models import Contact, Mailing
from tests.api.support import ApiClient
from tests.conftest import World
from tests.mailings.support import mailing_setup

PROBLEM = "application/problem+json"
NEW = {"email": "Dana@Delta.example", "consent_basis": "consent", "consent_date": "2026-02-01"}


def test_contact_create_update_list_and_erase(
    app: Flask, db_session: Session, world: World, api_as: Callable[[str], ApiClient]
) -> None:
    partner, other = api_as("a_user"), api_as("b_user")
    made = partner.post("/api/v1/contacts", json={**NEW, "first_name": "Dana"})
    assert made.status_code == 201, made.get_json()
    contact = made.get_json()
    assert contact["email"] == "dana@delta.example" and contact["suppressed"] is False
    assert partner.post("/api/v1/contacts", json=NEW).status_code == 422  # already yours

    changed = partner.patch(f"/api/v1/contacts/{contact['id']}", json={"company": "Delta Ltd"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["company"] == "Delta Ltd"
    assert changed.get_json()["first_name"] == "Dana"  # what was not sent stays

    listed = partner.get("/api/v1/contacts?q=delta").get_json()
    assert [c["id"] for c in listed["items"]] == [contact["id"]]
    assert other.get(f"/api/v1/contacts/{contact['id']}").status_code == 404
    assert (
        other.patch(f"/api/v1/contacts/{contact['id']}", json={"company": "x"}).status_code == 404
    )
    assert other.delete(f"/api/v1/contacts/{contact['id']}").status_code == 404
    assert other.get("/api/v1/contacts").get_json()["items"] == []

    bad = partner.patch(f"/api/v1/contacts/{contact['id']}", json={"company": "Delta\x1b[2J"})
    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    assert bad.get_json()["errors"][0]["field"] == "company"

    assert partner.delete(f"/api/v1/contacts/{contact['id']}").status_code == 204
    assert db_session.get(Contact, contact["id"]) is None
    assert partner.get(f"/api/v1/contacts/{contact['id']}").status_code == 404


def test_a_create_or_update_never_unsuppresses_an_address(
    app: Flask, db_session: Session, world: World, api_as: Callable[[str], ApiClient]
) -> None:
    partner = api_as("a_admin")
    added = partner.post(
        "/api/v1/suppressions", json={"email": NEW["email"], "reason": "unsubscribed"}
    )
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["partner_id"] == world.partner_a.id
    made = partner.post("/api/v1/contacts", json=NEW).get_json()
    assert made["suppressed"] is True
    again = partner.patch(f"/api/v1/contacts/{made['id']}", json={"consent_basis": "contract"})
    assert again.get_json()["suppressed"] is True
    assert contacts.is_suppressed(db_session, world.partner_a.id, "dana@delta.example")
    # Partner B's own list knows nothing of it; the vendor admin's list is program-wide.
    assert api_as("b_user").get("/api/v1/suppressions").get_json()["items"] == []
    assert api_as("admin").get("/api/v1/suppressions").get_json()["items"] == []
    program = api_as("admin").post("/api/v1/suppressions", json={"email": "x@y.example"})
    assert (
        program.get_json()["partner_id"] is None
        and program.get_json()["reason"] == "do_not_contact"
    )


def test_lists_take_only_own_contacts(
    app: Flask, db_session: Session, world: World, api_as: Callable[[str], ApiClient]
) -> None:
    partner, other = api_as("a_user"), api_as("b_user")
    mine = partner.post("/api/v1/contacts", json=NEW).get_json()
    theirs = other.post("/api/v1/contacts", json=NEW).get_json()
    made = partner.post("/api/v1/contact-lists", json={"name": "Schools"})
    assert made.status_code == 201 and made.get_json()["members"] == 0
    list_id = made.get_json()["id"]

    refused = partner.post(
        f"/api/v1/contact-lists/{list_id}/members", json={"contact_ids": [theirs["id"]]}
    )
    assert refused.status_code == 404 and refused.get_json()["errors"][0]["field"] == "contact_ids"
    added = partner.post(
        f"/api/v1/contact-lists/{list_id}/members", json={"contact_ids": [mine["id"]]}
    )
    assert added.get_json()["members"] == 1
    assert [
        c["id"] for c in partner.get(f"/api/v1/contacts?list_id={list_id}").get_json()["items"]
    ] == [mine["id"]]
    assert other.get(f"/api/v1/contacts?list_id={list_id}").status_code == 404
    assert (
        other.post(
            f"/api/v1/contact-lists/{list_id}/members", json={"contact_ids": [theirs["id"]]}
        ).status_code
        == 404
    )

    removed = partner.delete(f"/api/v1/contact-lists/{list_id}/members/{mine['id']}")
    assert removed.status_code == 204
    assert partner.get("/api/v1/contact-lists").get_json()["items"][0]["members"] == 0
    assert partner.get(f"/api/v1/contacts/{mine['id']}").get_json()["list_ids"] == []


def test_mailing_from_a_campaign_email_scheduled_canceled_and_sent(
    app: Flask, db_session: Session, world: World, api_as: Callable[[str], ApiClient]
) -> None:
    setup = mailing_setup(app, db_session, world.partner_a)
    partner, other = api_as("a_user"), api_as("b_user")
    body = {
        "campaign_id": setup.campaign.id,
        "asset_key": "invite-email",
        "name": "Spring invite (API)",
        "list_ids": [setup.contact_list.id],
        "greeting": "Hi {{ first_name }},",
    }
    made = partner.post("/api/v1/mailings", json=body)
    assert made.status_code == 201, made.get_json()
    mailing = made.get_json()
    assert mailing["status"] == "draft" and mailing["list_ids"] == [setup.contact_list.id]
    assert other.post("/api/v1/mailings", json=body).status_code == 404  # not its campaign
    assert other.get(f"/api/v1/mailings/{mailing['id']}").status_code == 404
    bad = partner.post("/api/v1/mailings", json={**body, "asset_key": "landing"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "asset_key"

    url = f"/api/v1/mailings/{mailing['id']}"
    assert partner.post(url + "/cancel").status_code == 409  # a draft is not scheduled
    scheduled = partner.post(
        url + "/schedule",
        json={"send_on": "2099-01-01", "send_at": "09:30", "time_zone": "Europe/Berlin"},
    )
    assert scheduled.status_code == 422  # more than a year ahead
    scheduled = partner.post(
        url + "/schedule", json={"send_on": "2020-01-01", "send_at": "09:30", "time_zone": "UTC"}
    )
    assert scheduled.get_json()["errors"][0]["field"] == "send_on"
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    scheduled = partner.post(
        url + "/schedule", json={"send_on": tomorrow, "send_at": "09:30", "time_zone": "UTC"}
    )
    assert scheduled.get_json()["status"] == "scheduled", scheduled.get_json()
    assert scheduled.get_json()["scheduled_at"] == f"{tomorrow}T09:30:00Z"
    canceled = partner.post(url + "/cancel")
    assert canceled.get_json()["status"] == "canceled"
    assert partner.post(url + "/send").status_code == 409

    mailing = partner.post("/api/v1/mailings", json=body).get_json()
    url = f"/api/v1/mailings/{mailing['id']}"
    sent = partner.post(url + "/send")
    assert sent.status_code == 200, sent.get_json()
    shown = partner.get(url).get_json()
    # The immediate test queue sent it after the commit: every list member got a message.
    assert shown["status"] == "sent"
    assert shown["report"]["recipients"] == len(setup.contacts)
    assert partner.post(url + "/send").status_code == 409
    actions = db_session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "mailing", AuditEvent.object_id == mailing["id"]
        )
    ).all()
    assert "mailing.sending" in actions and "mailing.sent" in actions
    assert db_session.get(Mailing, mailing["id"]).status == rules.SENT

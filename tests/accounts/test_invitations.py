"""Invitations and password resets by emailed, signed, expiring, single-use links."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.accounts.models import User
from tests.conftest import World

NEW_PASSWORD = "amber-kettle-orchard-7"


def last_mail(outbox: Path) -> tuple[str, str, str]:
    """(to, subject, text) of the newest .eml in the outbox."""
    newest = max(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    message = BytesParser(policy=policy.default).parsebytes(newest.read_bytes())
    body = message.get_body(preferencelist=("plain",)).get_content()
    return message["To"], message["Subject"], body


def link_path(text: str) -> str:
    url = re.search(r"http://tcma\.test(/\S+)", text)
    assert url, text
    return url.group(1)


def test_admin_invites_a_partner_admin_who_sets_a_password(
    as_admin, app: Flask, world: World, outbox: Path, db_session: Session
) -> None:
    response = as_admin.post(
        "/users/invite",
        data={
            "email": "Pat@Delta.example",
            "name": "Pat",
            "role": "partner_admin",
            "partner_id": world.partner_b.id,
        },
    )
    assert response.status_code == 302
    to, subject, text = last_mail(outbox)
    assert to == "pat@delta.example" and "invited you" in subject
    path = link_path(text)

    visitor = app.test_client()
    page = visitor.get(path).get_data(as_text=True)
    assert "Cobalt Systems Group" in page and "Partner admin" in page
    short = visitor.post(path, data={"password": "short", "confirm": "short"})
    assert "at least 12" in short.get_data(as_text=True)
    accepted = visitor.post(
        path, data={"name": "Pat Doe", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert accepted.status_code == 302
    assert "You manage Cobalt Systems Group" in visitor.get("/home").get_data(as_text=True)

    again = app.test_client().get(path)
    assert again.status_code == 404 and "already been used" in again.get_data(as_text=True)
    user = db_session.scalar(select(User).where(User.email == "pat@delta.example"))
    assert user.status == "active" and user.partner_id == world.partner_b.id


def test_invitation_link_expires(as_admin, app: Flask, world: World, outbox: Path) -> None:
    as_admin.post(
        "/users/invite", data={"email": "late@vendor.example", "role": "marketer", "partner_id": 0}
    )
    path = link_path(last_mail(outbox)[2])
    app.config["INVITATION_MAX_AGE"] = -1
    response = app.test_client().get(path)
    assert response.status_code == 404 and "expired" in response.get_data(as_text=True)


def test_tampered_invitation_link_is_refused(
    as_admin, app: Flask, world: World, outbox: Path
) -> None:
    as_admin.post(
        "/users/invite", data={"email": "x@vendor.example", "role": "finance", "partner_id": 0}
    )
    path = link_path(last_mail(outbox)[2])
    assert app.test_client().get(path[:-3] + "abc").status_code == 404


def test_partner_admin_invites_only_into_their_own_company(
    as_a_admin, world: World, db_session: Session
) -> None:
    response = as_a_admin.post(
        "/users/invite",
        data={
            "email": "new@brightpath.example",
            "role": "partner_user",
            "partner_id": world.partner_b.id,
        },
    )
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "new@brightpath.example"))
    assert user.partner_id == world.partner_a.id


def test_partner_admin_cannot_invite_vendor_roles(
    as_a_admin, world: World, db_session: Session
) -> None:
    response = as_a_admin.post("/users/invite", data={"email": "sneaky@x.example", "role": "admin"})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.email == "sneaky@x.example")) is None


def test_duplicate_email_is_shown_next_to_the_field(as_admin, world: World) -> None:
    response = as_admin.post(
        "/users/invite",
        data={"email": "BEN@brightpath.example", "role": "marketer", "partner_id": 0},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "already has an account" in page
    assert 'id="email-error"' in page


def test_partner_admin_deactivates_a_colleague_but_not_another_companys_user(
    as_a_admin, as_b_admin, world: World, db_session: Session
) -> None:
    ben = world.users["a_user"]
    assert (
        as_b_admin.post(f"/users/{ben.id}/status", data={"status": "deactivated"}).status_code
        == 404
    )
    assert (
        as_a_admin.post(f"/users/{ben.id}/status", data={"status": "deactivated"}).status_code
        == 302
    )
    db_session.expire_all()
    assert db_session.get(User, ben.id).status == "deactivated"


def test_partner_admin_lists_only_their_own_people(as_a_admin, world: World) -> None:
    page = as_a_admin.get("/users/").get_data(as_text=True)
    assert "ben@brightpath.example" in page
    assert "dev@cobalt.example" not in page and "admin@vendor.example" not in page


def test_password_reset_by_emailed_link(client, app: Flask, world: World, outbox: Path) -> None:
    response = client.post("/password/forgot", data={"email": "ben@brightpath.example"})
    assert response.status_code == 302
    to, subject, text = last_mail(outbox)
    assert to == "ben@brightpath.example" and "Reset" in subject
    path = link_path(text)
    assert (
        client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )
    signed_in = client.post(
        "/login", data={"email": "ben@brightpath.example", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert app.test_client().get(path).status_code == 404


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(
    client, world: World, outbox: Path
) -> None:
    response = client.post(
        "/password/forgot", data={"email": "nobody@nowhere.example"}, follow_redirects=True
    )
    assert "If that email has an account" in response.get_data(as_text=True)
    assert not list(outbox.glob("*.eml"))


def _invite_answer(client, email: str) -> tuple[int, str, str]:
    response = client.post("/users/invite", data={"email": email, "role": "partner_user"})
    page = client.get(response.headers.get("Location", "/users/")).get_data(as_text=True)
    flashed = re.search(r"If (\S+) can be invited, an invitation is on its way to it\.", page)
    answer = flashed.group(0).replace(flashed.group(1), "<email>") if flashed else page
    return response.status_code, response.headers.get("Location", ""), answer


def test_partner_admin_gets_one_answer_whether_or_not_the_email_has_an_account(
    as_a_admin, world: World, outbox: Path, db_session: Session
) -> None:
    answers = {
        email: _invite_answer(as_a_admin, email)
        for email in (
            "newcomer@brightpath.example",  # free
            "Carla@Cobalt.example",  # another partner's admin
            "finance@vendor.example",  # the vendor's staff
            "ben@brightpath.example",  # already in the company
        )
    }
    assert len(set(answers.values())) == 1, answers
    status, location, _ = answers["newcomer@brightpath.example"]
    assert status == 302 and location == "/users/"
    db_session.expire_all()
    carla = db_session.get(User, world.users["b_admin"].id)
    assert carla.partner_id == world.partner_b.id and carla.role == "partner_admin"
    assert db_session.get(User, world.users["finance"].id).partner_id is None
    newcomer = db_session.scalar(select(User).where(User.email == "newcomer@brightpath.example"))
    assert newcomer.partner_id == world.partner_a.id and newcomer.status == "invited"


def test_the_owner_of_an_existing_address_is_told_quietly(
    as_a_admin, world: World, outbox: Path
) -> None:
    _invite_answer(as_a_admin, "carla@cobalt.example")
    to, subject, text = last_mail(outbox)
    assert to == "carla@cobalt.example"
    assert "tried to invite you" in subject and "already has an account" in text
    assert "/invitations/" not in text  # no link that could move her account

"""A partner's pending invitations stay inside that partner, on every account page."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.accounts.models import User
from tests.conftest import World

PENDING = "pending.person@brightpath.example"


def _invite(client: FlaskClient, email: str) -> int:
    data = {"email": email, "name": "Pending Person", "role": "partner_user"}
    return client.post("/users/invite", data=data).status_code


def _people(client: FlaskClient, url: str) -> str:
    """The rows of the People table (the search box echoes what was typed)."""
    html = client.get(url).get_data(as_text=True)
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""


def _pending(session: Session) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.email == PENDING))


def test_a_pending_invitation_never_shows_in_another_partners_pages(
    as_a_admin: FlaskClient,
    as_b_admin: FlaskClient,
    world: World,
    db_session: Session,
    outbox: Path,
) -> None:
    assert _invite(as_a_admin, PENDING) == 302
    pending = _pending(db_session)
    assert pending.partner_id == world.partner_a.id and pending.status == "invited"
    assert PENDING in _people(as_a_admin, "/users/?status=invited")

    # Partner B's admin: no sign of it in the People list, its filters or its search.
    for url in ("/users/", "/users/?status=invited", f"/users/?q={PENDING}", "/users/?q=pending"):
        rows = _people(as_b_admin, url)
        assert PENDING not in rows and "Pending Person" not in rows, url
    colleagues = db_session.scalar(
        select(func.count(User.id)).where(User.partner_id == world.partner_b.id)
    )
    home = as_b_admin.get("/home").get_data(as_text=True)
    assert f"You have {colleagues} people on tcma." in home

    # Nor can B act on it by its id: as if it did not exist.
    assert as_b_admin.post(f"/users/{pending.id}/resend").status_code == 404
    assert (
        as_b_admin.post(f"/users/{pending.id}/status", data={"status": "deactivated"}).status_code
        == 404
    )

    # B inviting the same address gets the usual answer; the invitation stays A's, unlisted at B.
    assert _invite(as_b_admin, PENDING) == 302
    assert _pending(db_session).partner_id == world.partner_a.id
    assert PENDING not in _people(as_b_admin, "/users/?status=invited")
    assert PENDING in _people(as_a_admin, "/users/?status=invited")


def test_partner_admin_sees_no_vendor_invitations_either(
    as_admin: FlaskClient, as_a_admin: FlaskClient, outbox: Path
) -> None:
    data = {"email": "new.marketer@vendor.example", "role": "marketer", "partner_id": "0"}
    assert as_admin.post("/users/invite", data=data).status_code == 302
    assert "new.marketer@vendor.example" in _people(as_admin, "/users/")
    html = _people(as_a_admin, "/users/?status=invited")
    assert "new.marketer@vendor.example" not in html

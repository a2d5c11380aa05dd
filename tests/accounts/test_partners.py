"""The vendor admin manages partner companies and tiers; other roles cannot."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.accounts import services
from tcma.accounts.models import Partner, Tier
from tcma.audit import AuditEvent
from tests.conftest import World


def test_admin_creates_a_partner_and_sees_it_listed(
    as_admin, world: World, db_session: Session
) -> None:
    response = as_admin.post(
        "/admin/partners/new",
        data={
            "name": "Delta Networks",
            "tier_id": world.tiers["gold"].id,
            "region": "APAC",
            "website": "https://delta.example",
        },
    )
    assert response.status_code == 302
    partner = db_session.scalar(select(Partner).where(Partner.name == "Delta Networks"))
    assert partner.region == "APAC" and partner.tier.name == "gold"
    listing = as_admin.get("/admin/partners?region=APAC").get_data(as_text=True)
    assert "Delta Networks" in listing and "Brightpath IT" not in listing


def test_partner_form_shows_errors_next_to_fields_and_saves_nothing(
    as_admin, world: World, db_session: Session
) -> None:
    response = as_admin.post(
        "/admin/partners/new",
        data={
            "name": "brightpath it",
            "tier_id": world.tiers["gold"].id,
            "region": "EMEA",
            "website": "not a url",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="website-error"' in page
    response = as_admin.post(
        "/admin/partners/new",
        data={
            "name": "brightpath it",
            "tier_id": world.tiers["gold"].id,
            "region": "EMEA",
            "website": "",
        },
    )
    page = response.get_data(as_text=True)
    assert 'id="name-error"' in page and "already exists" in page
    assert len(db_session.scalars(select(Partner)).all()) == 2


def test_admin_edits_and_suspends_a_partner_with_an_audit_trail(
    as_admin, world: World, db_session: Session
) -> None:
    a = world.partner_a
    as_admin.post(
        f"/admin/partners/{a.id}/edit",
        data={
            "name": "Brightpath IT Ltd",
            "tier_id": world.tiers["platinum"].id,
            "region": "EMEA",
            "website": "",
        },
    )
    as_admin.post(
        f"/admin/partners/{a.id}/status", data={"status": "suspended", "comment": "Contract ended"}
    )
    db_session.expire_all()
    partner = db_session.get(Partner, a.id)
    assert partner.name == "Brightpath IT Ltd" and partner.tier.name == "platinum"
    assert partner.status == "suspended"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "partner.suspended"))
    assert event.actor_id == world.users["admin"].id and event.comment == "Contract ended"
    assert (event.from_state, event.to_state) == ("active", "suspended")


def test_marketer_sees_partners_but_cannot_change_them(as_marketer, world: World) -> None:
    assert "Brightpath IT" in as_marketer.get("/admin/partners").get_data(as_text=True)
    assert as_marketer.get("/admin/partners/new").status_code == 403
    assert (
        as_marketer.post(
            f"/admin/partners/{world.partner_a.id}/status", data={"status": "suspended"}
        ).status_code
        == 403
    )


def test_admin_adds_and_renames_tiers(as_admin, world: World, db_session: Session) -> None:
    assert as_admin.post("/admin/tiers", data={"name": "silver", "rank": 2}).status_code == 302
    duplicate = as_admin.post("/admin/tiers", data={"name": "Silver", "rank": 2})
    assert "already exists" in duplicate.get_data(as_text=True)
    silver = db_session.scalar(select(Tier).where(Tier.name == "silver"))
    as_admin.post(f"/admin/tiers/{silver.id}/edit", data={"name": "silver plus", "rank": 4})
    db_session.expire_all()
    assert db_session.get(Tier, silver.id).name == "silver plus"


def test_partner_list_paginates(as_admin, world: World, db_session: Session) -> None:
    for n in range(30):
        services.create_partner(
            db_session, None, f"Reseller {n:02d}", world.tiers["registered"].id, "NA"
        )
    db_session.commit()
    first = as_admin.get("/admin/partners").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = as_admin.get("/admin/partners?page=2").get_data(as_text=True)
    assert "Reseller 29" in second and "Reseller 00" not in second

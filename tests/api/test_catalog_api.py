"""Kits, partners and tiers over the API: each partner its catalog; the vendor its partners."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from tests.api.support import ApiClient, make_token
from tests.campaigns.support import import_kit
from tests.conftest import World


def test_partner_sees_its_catalog_and_starts_a_campaign_from_it(
    app: Flask, db_session: Session, world: World
) -> None:
    everyone = import_kit(app, db_session)
    import_kit(app, db_session, summary="Second edition.")  # a newer version of the same kit
    platinum = import_kit(app, db_session, slug="platinum-kit", tiers=["platinum"])
    a_api = ApiClient(app, make_token(db_session, world.users["a_user"]))  # gold, EMEA
    b_api = ApiClient(app, make_token(db_session, world.users["b_user"]))  # platinum, NA

    a_kits = a_api.get("/api/v1/kits").get_json()["items"]
    assert [k["id"] for k in a_kits] == [everyone.kit_id]
    latest = a_kits[0]["latest_version"]
    assert latest["number"] == 2 and latest["id"] != everyone.id
    assert "headline" in [f["key"] for f in latest["fields"]]
    assert {a["kind"] for a in latest["assets"]} >= {"print", "email"}
    assert {k["id"] for k in b_api.get("/api/v1/kits").get_json()["items"]} == {
        everyone.kit_id,
        platinum.kit_id,
    }
    assert a_api.get(f"/api/v1/kits/{platinum.kit_id}").status_code == 404
    assert a_api.get(f"/api/v1/kits/{platinum.kit_id}/versions").status_code == 404
    versions = a_api.get(f"/api/v1/kits/{everyone.kit_id}/versions").get_json()["items"]
    assert [v["number"] for v in versions] == [2, 1]

    started = a_api.post(
        "/api/v1/campaigns",
        json={"kit_version_id": latest["id"], "name": "From the catalog", "field_values": {}},
    )
    assert started.status_code == 201, started.get_json()
    assert a_api.get("/api/v1/kits?objective=awareness").get_json()["items"] == []
    assert a_api.get("/api/v1/kits?objective=brand_awareness").status_code == 422


def test_partners_and_tiers_are_for_vendor_staff(
    app: Flask, db_session: Session, world: World
) -> None:
    vendor = ApiClient(app, make_token(db_session, world.users["marketer"]))
    listed = vendor.get("/api/v1/partners").get_json()["items"]
    assert {p["name"] for p in listed} >= {world.partner_a.name, world.partner_b.name}
    emea = vendor.get("/api/v1/partners?region=EMEA").get_json()["items"]
    assert world.partner_a.id in [p["id"] for p in emea]
    assert world.partner_b.id not in [p["id"] for p in emea]
    one = vendor.get(f"/api/v1/partners/{world.partner_a.id}").get_json()
    assert one["tier"]["name"] == "gold" and one["region"] == "EMEA"
    tiers = vendor.get("/api/v1/tiers").get_json()["items"]
    assert [t["rank"] for t in tiers] == sorted((t["rank"] for t in tiers), reverse=True)
    assert vendor.get("/api/v1/partners/999999").status_code == 404

    partner = ApiClient(app, make_token(db_session, world.users["a_admin"]))
    assert partner.get("/api/v1/partners").status_code == 403
    assert partner.get(f"/api/v1/partners/{world.partner_a.id}").status_code == 403
    assert partner.get("/api/v1/tiers").status_code == 403

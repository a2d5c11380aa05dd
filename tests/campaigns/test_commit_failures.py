"""Logos and campaign images whose commit fails leave no file behind (shared ones stay)."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tests.campaigns.support import BRAND, png_bytes, save_brand, storage_of
from tests.campaigns.test_campaign_pages import form_data
from tests.conftest import World
from tests.faults import commit_fails


def test_a_campaign_image_whose_commit_fails_is_not_kept(
    app: Flask, as_a_user: FlaskClient, db_session: Session, campaign_a: Campaign
) -> None:
    storage = storage_of(app)
    before = storage.list_keys("campaign-images/")
    with commit_fails(app):
        response = as_a_user.post(
            f"/campaigns/{campaign_a.id}/edit",
            data={**form_data(), "field_team_photo": (io.BytesIO(png_bytes(80, 60)), "t.png")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 500
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert storage.list_keys("campaign-images/") == before
    db_session.expire_all()
    assert "team_photo" not in db_session.get(Campaign, campaign_a.id).field_values


def test_a_logo_whose_commit_fails_is_removed_but_a_logo_in_use_stays(
    app: Flask, as_a_admin: FlaskClient, db_session: Session, world: World
) -> None:
    storage = storage_of(app)
    prefix = f"brands/{world.partner_a.id}/"
    saved = save_brand(app, db_session, world.partner_a)  # version 1 with its logo
    in_use = storage.list_keys(prefix)
    assert in_use == [saved.logo_key]

    def post(logo: bytes, **changes: str):
        data = {**BRAND, **changes, "logo": (io.BytesIO(logo), "logo.png")}
        return as_a_admin.post("/brand", data=data, content_type="multipart/form-data")

    with commit_fails(app):
        new_logo = post(png_bytes(300, 100, colour="#e4002b"))
        same_logo = post(png_bytes(240, 80), display_name="Brightpath Renamed")
    assert new_logo.status_code == same_logo.status_code == 500
    # The new logo was removed again; the one version 1 uses was neither rewritten nor removed.
    assert storage.list_keys(prefix) == in_use
    assert storage.read(saved.logo_key)

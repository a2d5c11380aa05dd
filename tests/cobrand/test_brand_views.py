"""The brand page: partner admins save versions, partner users look, logos are checked."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.audit import AuditEvent
from tcma.campaigns.rendering import brand_logo_url
from tcma.cobrand.models import BrandVersion
from tests.campaigns.support import BRAND, png_bytes, save_brand
from tests.conftest import World


def post_brand(client: FlaskClient, **changes: object):
    data = {**BRAND, **changes}
    return client.post("/brand", data=data, content_type="multipart/form-data")


def versions(db_session: Session, partner_id: int) -> list[BrandVersion]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(BrandVersion)
            .where(BrandVersion.partner_id == partner_id)
            .order_by(BrandVersion.number)
        )
    )


def test_partner_admin_saves_a_brand_and_each_save_is_a_new_version(
    as_a_admin: FlaskClient, db_session: Session, world: World
) -> None:
    jpeg = png_bytes(300, 120, fmt="JPEG")
    response = post_brand(as_a_admin, logo=(io.BytesIO(jpeg), "logo.jpg"))
    assert response.status_code == 302
    response = post_brand(as_a_admin, primary_color="#1d4ed8")
    assert response.status_code == 302
    saved = versions(db_session, world.partner_a.id)
    assert [v.number for v in saved] == [1, 2]
    assert saved[1].primary_color == "#1d4ed8"
    # The second save kept the logo of the first.
    assert saved[1].logo_key == saved[0].logo_key is not None
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "brand.saved")).all()
    assert [e.to_state for e in events] == ["version 1", "version 2"]
    assert events[1].data["changed"] == ["primary_color"]


def test_saving_the_same_values_again_creates_no_version(
    app: Flask, as_a_admin: FlaskClient, db_session: Session, world: World
) -> None:
    save_brand(app, db_session, world.partner_a, logo=False)
    response = post_brand(as_a_admin)
    assert response.status_code == 302
    assert len(versions(db_session, world.partner_a.id)) == 1


def test_the_logo_is_public_and_reencoded_as_png(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    version = save_brand(app, db_session, world.partner_a)
    with app.app_context():
        logo = brand_logo_url(version).removeprefix("http://tcma.test")
    response = client.get(logo)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (240, 80)


def test_a_renamed_text_file_is_refused_as_a_logo_and_nothing_is_saved(
    as_a_admin: FlaskClient, db_session: Session, world: World
) -> None:
    response = post_brand(as_a_admin, logo=(io.BytesIO(b"quarterly notes\n" * 20), "logo.png"))
    assert response.status_code == 200
    assert "The file is not a valid PNG or JPEG image." in response.get_data(as_text=True)
    assert versions(db_session, world.partner_a.id) == []


def test_an_svg_logo_is_refused(as_a_admin: FlaskClient, db_session: Session, world: World) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    response = post_brand(as_a_admin, logo=(io.BytesIO(svg), "logo.png"))
    assert "SVG images are not accepted" in response.get_data(as_text=True)
    assert versions(db_session, world.partner_a.id) == []


def test_bad_values_show_next_to_their_fields(
    as_a_admin: FlaskClient, db_session: Session, world: World
) -> None:
    response = post_brand(as_a_admin, website="javascript:alert(1)", primary_color="blue")
    page = response.get_data(as_text=True)
    assert 'id="website-error"' in page and "http://" in page
    assert 'id="primary_color-error"' in page
    assert versions(db_session, world.partner_a.id) == []


def test_a_light_colour_shows_a_contrast_warning(
    app: Flask, as_a_admin: FlaskClient, db_session: Session, world: World
) -> None:
    save_brand(app, db_session, world.partner_a, primary_color="#ffd500")
    page = as_a_admin.get("/brand").get_data(as_text=True)
    warning = "The primary colour has a contrast of 1.4:1 against white"
    # Once, under the primary colour's field (where it changes as the admin types).
    assert page.count(warning) == 1
    note = re.search(
        r'<p class="help contrast warn" data-contrast-for="primary"[^>]*>(.*?)</p>', page
    )
    assert note and warning in note.group(1)
    assert 'class="flash flash-warning"' not in page


def test_partner_user_reads_the_contrast_warning_once_above_the_brand(
    app: Flask, as_a_user: FlaskClient, db_session: Session, world: World
) -> None:
    save_brand(app, db_session, world.partner_a, primary_color="#ffd500")
    page = as_a_user.get("/brand").get_data(as_text=True)
    assert page.count("The primary colour has a contrast of 1.4:1 against white") == 1


def test_partner_user_sees_the_brand_but_cannot_change_it(
    app: Flask, as_a_user: FlaskClient, db_session: Session, world: World
) -> None:
    save_brand(app, db_session, world.partner_a)
    page = as_a_user.get("/brand").get_data(as_text=True)
    assert "Brightpath Cloud Services" in page and "Only your partner admin" in page
    assert post_brand(as_a_user, display_name="Hijacked").status_code == 403
    assert len(versions(db_session, world.partner_a.id)) == 1


def test_partner_b_sees_its_own_brand_only(
    app: Flask, as_b_admin: FlaskClient, db_session: Session, world: World
) -> None:
    save_brand(app, db_session, world.partner_a)
    page = as_b_admin.get("/brand").get_data(as_text=True)
    assert "Brightpath" not in page
    assert "Cobalt Systems Group" in page

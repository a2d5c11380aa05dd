"""Images that emails and landing pages show to anyone: published kit media, logos, field images."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tcma.campaigns.rendering import brand_logo_url, kit_media_base_url
from tcma.kits.authoring import open_draft
from tcma.kits.models import KitVersion
from tests.campaigns.support import save_brand, storage_of
from tests.conftest import World


def media_path(app: Flask, version: KitVersion) -> str:
    """The app-relative media folder link that renders of ``version`` use."""
    with app.app_context():
        return kit_media_base_url(version).removeprefix("http://tcma.test")


def test_published_kit_media_is_public_and_cacheable(
    app: Flask, client: FlaskClient, published_kit: KitVersion
) -> None:
    response = client.get(media_path(app, published_kit) + "hero.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_only_media_files_of_published_versions_are_served(
    app: Flask, client: FlaskClient, db_session: Session, published_kit: KitVersion
) -> None:
    base = media_path(app, published_kit).rstrip("/")
    for path in (
        "kit.toml",
        "../kit.toml",
        "%2e%2e/kit.toml",
        "media/hero.png",
        "nope.png",
        "../datasheet.html",
    ):
        assert client.get(f"{base}/{path}").status_code == 404, path
    draft = open_draft(db_session, storage_of(app), published_kit.kit, None)
    db_session.commit()
    assert client.get(media_path(app, draft) + "hero.png").status_code == 404


def test_media_and_logos_answer_only_by_their_signed_links(
    app: Flask, client: FlaskClient, db_session: Session, world: World, published_kit: KitVersion
) -> None:
    """Walking the ids finds nothing: another tier's kit media, another partner's logo."""
    good = media_path(app, published_kit)
    token = good.split("/")[3]
    assert client.get(good + "hero.png").status_code == 200
    for guess in (
        f"/kit-media/{published_kit.id}/hero.png",
        f"/kit-media/{published_kit.id}/{'A' * len(token)}/hero.png",
        f"/kit-media/{published_kit.id + 1}/{token}/hero.png",
    ):
        assert client.get(guess).status_code == 404, guess
    version = save_brand(app, db_session, world.partner_a)
    with app.app_context():
        logo = brand_logo_url(version).removeprefix("http://tcma.test")
    assert client.get(logo).status_code == 200
    assert client.get(f"/brand/logo/{version.id}.png").status_code == 404
    assert client.get(logo.replace(f"/{version.id}/", f"/{version.id + 1}/")).status_code == 404


def test_a_brand_without_logo_has_no_logo_url(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    version = save_brand(app, db_session, world.partner_a, logo=False)
    with app.app_context():
        assert brand_logo_url(version) == ""
    assert client.get(f"/brand/logo/{version.id}.png").status_code == 404
    assert client.get("/brand/logo/999999.png").status_code == 404


def test_field_image_names_are_content_hashes_only(client: FlaskClient) -> None:
    for name in ("x.png", "../../brands/1/logo.png", "a" * 64 + ".svg"):
        assert client.get(f"/campaign-images/{name}").status_code == 404
    assert client.get("/campaign-images/" + "a" * 64 + ".png").status_code == 404


def test_kit_media_comes_at_the_width_asked_for_and_stays_cached(
    app: Flask, client: FlaskClient, published_kit: KitVersion
) -> None:
    import io

    from PIL import Image

    base = media_path(app, published_kit)
    small = client.get(f"{base}hero.png?w=100")
    again = client.get(f"{base}hero.png?w=100")
    full = client.get(f"{base}hero.png")
    silly = client.get(f"{base}hero.png?w=99999")

    assert small.status_code == 200 and small.mimetype == "image/png"
    assert Image.open(io.BytesIO(small.data)).size == (100, 38)
    assert "immutable" in small.headers["Cache-Control"]
    assert again.data == small.data
    assert silly.data == full.data

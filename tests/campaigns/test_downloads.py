"""Downloads are co-branded, in every format, cached in storage, and counted."""

from __future__ import annotations

import email
import io
import zipfile
from email import policy

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma.campaigns import rendering
from tcma.campaigns.models import Campaign
from tcma.campaigns.rendering import kit_media_base_url
from tcma.cobrand.models import AssetDownload
from tcma.jobs.models import JobRecord
from tests.campaigns.support import pdf_text, save_brand, storage_of
from tests.conftest import World


def download(client: FlaskClient, campaign: Campaign, asset: str, target: str) -> tuple[str, bytes]:
    """(storage download URL, file bytes) of one asset, as a browser would follow it."""
    response = client.get(f"/campaigns/{campaign.id}/assets/{asset}.{target}")
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    file = client.get(location)
    assert file.status_code == 200
    assert file.headers["Content-Disposition"].startswith("attachment")
    return location, file.data


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every real render made during the test, as (asset, target)."""
    made: list[tuple[str, str]] = []
    real = rendering.render_asset

    def counting(source, asset_key, ctx, target):
        made.append((asset_key, target))
        return real(source, asset_key, ctx, target)

    monkeypatch.setattr(rendering, "render_asset", counting)
    return made


@pytest.fixture
def branded(app: Flask, db_session: Session, world: World) -> None:
    save_brand(app, db_session, world.partner_a)


def test_the_pdf_has_the_partners_name_and_values(
    as_a_user: FlaskClient, branded: None, campaign_a: Campaign
) -> None:
    _, data = download(as_a_user, campaign_a, "datasheet", "pdf")
    text = pdf_text(data)
    assert "Brightpath Cloud Services" in text
    assert "Restore drills for busy teams" in text
    assert "A free restore drill with our engineers." in text
    assert "10 December 2026" in text


def test_pngs_have_their_stated_pixel_size(
    as_a_user: FlaskClient, branded: None, campaign_a: Campaign
) -> None:
    sizes = {}
    for asset in ("launch-banner", "social-posts", "datasheet"):
        _, data = download(as_a_user, campaign_a, asset, "png")
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG"
        sizes[asset] = image.size
    assert sizes == {
        "launch-banner": (1200, 627),
        "social-posts": (1080, 1080),
        "datasheet": (1241, 1754),
    }  # A4 page 1 at 150 dpi


def test_the_email_has_inlined_css_a_text_part_and_an_eml(
    as_a_user: FlaskClient, branded: None, campaign_a: Campaign
) -> None:
    _, html = download(as_a_user, campaign_a, "invite-email", "html")
    assert b"<style" not in html.lower()
    assert b'style="' in html and b"Restore drills for busy teams" in html
    _, text = download(as_a_user, campaign_a, "invite-email", "txt")
    assert "Restore drills for busy teams" in text.decode()
    _, eml = download(as_a_user, campaign_a, "invite-email", "eml")
    message = email.message_from_bytes(eml, policy=policy.default)
    assert "Brightpath Cloud Services" in message["Subject"]
    assert message["From"].addresses[0].addr_spec == "events@brightpath.example"
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None and "Restore drills for busy teams" in plain.get_content()


def test_landing_html_uses_public_media_and_logo_urls(
    app: Flask, as_a_user: FlaskClient, client: FlaskClient, branded: None, campaign_a: Campaign
) -> None:
    _, html = download(as_a_user, campaign_a, "registration-page", "html")
    page = html.decode()
    with app.app_context():
        media = kit_media_base_url(campaign_a.kit_version) + "hero.png"
    assert media in page
    # Anyone opening the page (not signed in) gets the image.
    assert client.get(media.removeprefix("http://tcma.test")).mimetype == "image/png"
    assert 'class="tcma-lead-form"' in page


def test_social_posts_are_text_per_network(
    as_a_user: FlaskClient, branded: None, campaign_a: Campaign
) -> None:
    _, text = download(as_a_user, campaign_a, "social-posts", "txt")
    assert "LinkedIn (" in text.decode() and "X (" in text.decode()


def test_a_repeat_download_is_a_storage_read_and_a_change_renders_anew(
    app: Flask,
    as_a_user: FlaskClient,
    db_session: Session,
    world: World,
    branded: None,
    campaign_a: Campaign,
    renders: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, pdf = download(as_a_user, campaign_a, "datasheet", "pdf")
    assert renders == [("datasheet", "pdf")]
    storage = storage_of(app)
    written: list[str] = []
    real_put = storage.put
    monkeypatch.setattr(
        storage, "put", lambda key, *a, **k: written.append(key) or real_put(key, *a, **k)
    )
    again, same = download(as_a_user, campaign_a, "datasheet", "pdf")
    assert renders == [("datasheet", "pdf")] and written == []
    assert same == pdf
    # A new brand version and a changed field each make a new file.
    save_brand(app, db_session, world.partner_a, display_name="Brightpath Cloud")
    download(as_a_user, campaign_a, "datasheet", "pdf")
    as_a_user.post(
        f"/campaigns/{campaign_a.id}/edit",
        data={
            "name": campaign_a.name,
            "field_headline": "Fresh headline",
            "field_event_date": "2026-12-10",
            "field_offer": "x",
        },
    )
    _, fresh = download(as_a_user, campaign_a, "datasheet", "pdf")
    assert len(renders) == 3 and len([k for k in written if k.endswith(".pdf")]) == 2
    assert "Fresh headline" in pdf_text(fresh)


def test_every_asset_in_one_zip(
    as_a_user: FlaskClient, branded: None, campaign_a: Campaign
) -> None:
    response = as_a_user.post(f"/campaigns/{campaign_a.id}/assets.zip")
    assert response.status_code == 302
    # A worker makes the zip (here at once, after the commit); its page shows it ready.
    job_page = as_a_user.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ready" in job_page and "Download " in job_page
    status = as_a_user.get(response.headers["Location"] + "/status.json").get_json()
    assert status["status"] == "done" and status["percent"] == 100
    file_link = as_a_user.get(status["download_url"])
    assert file_link.status_code == 302
    archive = zipfile.ZipFile(io.BytesIO(as_a_user.get(file_link.headers["Location"]).data))
    names = {name.split("/", 1)[1] for name in archive.namelist()}
    assert {
        "datasheet.pdf",
        "datasheet-preview.png",
        "invite-email.html",
        "invite-email.txt",
        "invite-email.eml",
        "launch-banner.png",
        "social-posts.txt",
        "social-posts-image.png",
        "registration-page.html",
    } <= names
    folder = archive.namelist()[0].split("/", 1)[0]
    assert "Brightpath Cloud Services" in pdf_text(archive.read(f"{folder}/datasheet.pdf"))


def test_downloads_are_recorded(
    as_a_user: FlaskClient, db_session: Session, world: World, campaign_a: Campaign
) -> None:
    download(as_a_user, campaign_a, "invite-email", "txt")
    as_a_user.post(f"/campaigns/{campaign_a.id}/assets.zip")
    rows = db_session.scalars(select(AssetDownload).order_by(AssetDownload.id)).all()
    assert [(r.asset_key, r.target, r.user_id, r.partner_id) for r in rows] == [
        ("invite-email", "txt", world.users["a_user"].id, world.partner_a.id),
        ("*", "zip", world.users["a_user"].id, world.partner_a.id),
    ]
    page = as_a_user.get(f"/campaigns/{campaign_a.id}").get_data(as_text=True)
    assert "downloaded 1 time" in page


def test_an_unknown_asset_or_format_is_404(as_a_user: FlaskClient, campaign_a: Campaign) -> None:
    assert as_a_user.get(f"/campaigns/{campaign_a.id}/assets/nope.pdf").status_code == 404
    assert as_a_user.get(f"/campaigns/{campaign_a.id}/assets/datasheet.eml").status_code == 404


def test_opening_download_everything_writes_nothing_and_the_zip_starts_only_by_post(
    app, as_a_user: FlaskClient, db_session: Session, branded: None, campaign_a: Campaign
) -> None:
    url = f"/campaigns/{campaign_a.id}/assets.zip"
    for _ in range(3):  # a link preview, a prefetch, a reload
        page = as_a_user.get(url)
        assert page.status_code == 200 and "Make the zip" in page.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalars(select(JobRecord)).all() == []
    assert db_session.scalars(select(AssetDownload)).all() == []

    app.config["WTF_CSRF_ENABLED"] = True  # as in production: a forged post is refused
    assert as_a_user.post(url).status_code == 400
    assert db_session.scalars(select(JobRecord)).all() == []
    html = page.get_data(as_text=True)
    app.config["WTF_CSRF_ENABLED"] = False
    assert 'name="csrf_token"' in html

    job_page = as_a_user.post(url)
    assert job_page.status_code == 302
    shown = as_a_user.get(url).get_data(as_text=True)
    [record] = db_session.scalars(select(JobRecord)).all()
    assert record.kind == "zip" and record.status == "done"
    assert "Ready" in shown and f"/jobs/{record.id}/download" in shown
    assert 'class="job-status"' in shown  # the progress display, polled while it runs

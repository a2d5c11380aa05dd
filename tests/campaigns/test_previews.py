"""The live preview renders the form's unsaved values, safely, without saving them."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tcma.kits.models import KitVersion
from tests.campaigns.support import png_bytes, storage_of

UNSAVED = {
    "name": "Spring restore drills",
    "field_headline": "Typed but not saved",
    "field_event_date": "2027-01-15",
    "field_offer": "Fresh offer",
}


def test_a_print_preview_is_page_one_as_png(as_a_user: FlaskClient, campaign_a: Campaign) -> None:
    response = as_a_user.get(f"/campaigns/{campaign_a.id}/preview/datasheet")
    assert response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1241, 1754)


def test_the_preview_follows_unsaved_values_and_saves_nothing(
    app: Flask, as_a_user: FlaskClient, db_session: Session, campaign_a: Campaign
) -> None:
    url = f"/campaigns/{campaign_a.id}/preview/invite-email"
    saved = as_a_user.get(url).get_data(as_text=True)
    typed = as_a_user.post(url, data=UNSAVED)
    html = typed.get_data(as_text=True)
    assert "Restore drills for busy teams" in saved and "Typed but not saved" not in saved
    assert "Typed but not saved" in html and "15 January 2027" in html
    # Opened on its own, the HTML still cannot run script.
    assert typed.headers["Content-Security-Policy"].startswith("sandbox;")
    db_session.expire_all()
    assert db_session.get(Campaign, campaign_a.id).field_values["headline"] == (
        "Restore drills for busy teams"
    )
    assert storage_of(app).list_keys("renders/previews/")


def test_png_previews_change_with_the_values(as_a_user: FlaskClient, campaign_a: Campaign) -> None:
    url = f"/campaigns/{campaign_a.id}/preview/launch-banner"
    before = as_a_user.get(url).data
    after = as_a_user.post(url, data=UNSAVED).data
    assert before != after
    assert Image.open(io.BytesIO(after)).size == (1200, 627)


def test_a_preview_shows_a_new_image_before_it_is_saved(
    app: Flask, as_a_user: FlaskClient, campaign_a: Campaign
) -> None:
    url = f"/campaigns/{campaign_a.id}/preview/datasheet"
    without = as_a_user.post(url, data=UNSAVED).data
    photo = (io.BytesIO(png_bytes(300, 200, colour="#e4002b")), "me.png")
    with_photo = as_a_user.post(
        url, data={**UNSAVED, "field_team_photo": photo}, content_type="multipart/form-data"
    ).data
    assert without != with_photo
    reds = Image.open(io.BytesIO(with_photo)).convert("RGB").getcolors(10_000_000)
    assert any(colour == (228, 0, 43) for _, colour in reds)
    assert not storage_of(app).list_keys("campaign-images/")


def test_social_post_texts_preview_as_text(as_a_user: FlaskClient, campaign_a: Campaign) -> None:
    response = as_a_user.post(
        f"/campaigns/{campaign_a.id}/preview/social-posts?target=txt", data=UNSAVED
    )
    assert response.mimetype == "text/plain"
    assert "Typed but not saved" in response.get_data(as_text=True)


def test_values_a_save_would_refuse_preview_as_empty(
    as_a_user: FlaskClient, campaign_a: Campaign
) -> None:
    html = as_a_user.post(
        f"/campaigns/{campaign_a.id}/preview/invite-email",
        data={**UNSAVED, "field_headline": "x" * 500},
    ).get_data(as_text=True)
    assert "x" * 500 not in html


def test_a_new_campaign_previews_the_kits_defaults(
    as_a_user: FlaskClient, published_kit: KitVersion
) -> None:
    url = f"/campaigns/new/preview/invite-email?kit={published_kit.kit_id}"
    assert "Backups you can actually restore" in as_a_user.get(url).get_data(as_text=True)
    typed = as_a_user.post(url, data={"field_headline": "Brand new"}).get_data(as_text=True)
    assert "Brand new" in typed
    missing = f"/campaigns/new/preview/nope?kit={published_kit.kit_id}"
    assert as_a_user.get(missing).status_code == 404


def test_pdf_and_eml_are_downloads_not_previews(
    as_a_user: FlaskClient, campaign_a: Campaign
) -> None:
    base = f"/campaigns/{campaign_a.id}"
    assert as_a_user.get(f"{base}/preview/datasheet?target=pdf").status_code == 404
    assert as_a_user.get(f"{base}/preview/invite-email?target=eml").status_code == 404
    # Both are offered as downloads instead.
    pdf = as_a_user.get(f"{base}/assets/datasheet.pdf", follow_redirects=True)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    eml = as_a_user.get(f"{base}/assets/invite-email.eml", follow_redirects=True)
    assert eml.status_code == 200 and b"Subject:" in eml.data

"""Use this kit, the campaign form with its errors, the campaign page, edits, the list."""

from __future__ import annotations

import io
import tomllib

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.audit import AuditEvent
from tcma.campaigns.models import Campaign
from tcma.kits.models import KitVersion
from tests.campaigns.support import FIXTURE_KIT, VALUES, import_kit, png_bytes, start_campaign
from tests.conftest import World

URL_FIELD = {"key": "more_info", "label": "More information", "type": "url"}


def form_data(name: str = "Autumn drills", **values: object) -> dict[str, object]:
    return {"name": name, **{f"field_{k}": v for k, v in {**VALUES, **values}.items()}}


def campaign_count(db_session: Session) -> int:
    return db_session.scalar(select(func.count(Campaign.id)))


def test_use_this_kit_shows_the_kits_fields(
    as_a_user: FlaskClient, published_kit: KitVersion
) -> None:
    page = as_a_user.get(f"/campaigns/new?kit={published_kit.kit_id}").get_data(as_text=True)
    assert 'for="field_headline">Headline</label><span class="req"' in page
    assert 'value="Backups you can actually restore"' in page  # the kit's default
    assert 'maxlength="80"' in page
    assert 'type="date"' in page and 'type="file"' in page
    assert "Live preview" in page
    assert 'data-preview-url="/campaigns/new/preview/datasheet?kit=' in page
    # The kit page links here as ?kit_id=, the campaign list as ?kit=: both work.
    assert as_a_user.get(f"/campaigns/new?kit_id={published_kit.kit_id}").status_code == 200


def test_partner_starts_a_campaign(
    as_a_user: FlaskClient, db_session: Session, world: World, published_kit: KitVersion
) -> None:
    response = as_a_user.post(
        f"/campaigns/new?kit={published_kit.kit_id}", data=form_data(headline="Restore in minutes")
    )
    assert response.status_code == 302
    campaign = db_session.scalars(select(Campaign)).one()
    assert response.headers["Location"] == f"/campaigns/{campaign.id}"
    assert campaign.partner_id == world.partner_a.id
    assert campaign.kit_version_id == published_kit.id
    assert campaign.field_values["headline"] == "Restore in minutes"
    assert campaign.status == "draft" and campaign.created_by_id == world.users["a_user"].id
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.created"))
    assert event.one().object_id == campaign.id


def test_a_kit_not_meant_for_the_partners_tier_answers_404(
    app: Flask, as_a_user: FlaskClient, db_session: Session, world: World
) -> None:
    platinum = import_kit(app, db_session, slug="platinum-only", tiers=["platinum"])
    assert as_a_user.get(f"/campaigns/new?kit={platinum.kit_id}").status_code == 404
    response = as_a_user.post(f"/campaigns/new?kit={platinum.kit_id}", data=form_data())
    assert response.status_code == 404
    assert as_a_user.get("/campaigns/new?kit=999999").status_code == 404
    assert campaign_count(db_session) == 0


def test_invalid_values_show_next_to_their_fields_and_save_nothing(
    as_a_user: FlaskClient, db_session: Session, published_kit: KitVersion
) -> None:
    response = as_a_user.post(
        f"/campaigns/new?kit={published_kit.kit_id}",
        data={
            **form_data(headline="", event_date="next Tuesday"),
            "field_team_photo": (io.BytesIO(b"not an image at all"), "team.png"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="field_headline-error">Enter a value: this field is required.' in page
    assert 'id="field_event_date-error">Enter a date as YYYY-MM-DD' in page
    assert 'id="field_team_photo-error">The file is not a valid' in page
    assert "Nothing was saved" in page
    assert campaign_count(db_session) == 0


def test_a_url_field_refuses_javascript(
    app: Flask, as_a_user: FlaskClient, db_session: Session, world: World
) -> None:
    fields = [*tomllib.loads((FIXTURE_KIT / "kit.toml").read_text())["fields"], URL_FIELD]
    version = import_kit(app, db_session, slug="with-url", fields=fields)
    response = as_a_user.post(
        f"/campaigns/new?kit={version.kit_id}",
        data=form_data(more_info="javascript:alert(document.cookie)"),
    )
    page = response.get_data(as_text=True)
    assert "Enter a web address starting with http:// or https://." in page
    assert campaign_count(db_session) == 0


def test_partner_values_with_markup_are_escaped_everywhere(
    as_a_user: FlaskClient, db_session: Session, published_kit: KitVersion
) -> None:
    attack = "<script>alert('x')</script>"
    as_a_user.post(
        f"/campaigns/new?kit={published_kit.kit_id}",
        data=form_data(name=attack, headline="Hi <img src=x onerror=alert(1)>", offer=attack),
    )
    campaign = db_session.scalars(select(Campaign)).one()
    page = as_a_user.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert attack not in page and "&lt;script&gt;" in page
    email = as_a_user.get(f"/campaigns/{campaign.id}/preview/invite-email").get_data(as_text=True)
    assert "<script>alert" not in email and "<img src=x" not in email
    assert "&lt;script&gt;" in email and "&lt;img src=x onerror=alert(1)&gt;" in email


def test_partner_b_gets_404_on_partner_as_campaign_previews_and_downloads(
    as_b_user: FlaskClient, campaign_a: Campaign
) -> None:
    base = f"/campaigns/{campaign_a.id}"
    for url in (
        base,
        f"{base}/edit",
        f"{base}/preview/datasheet",
        f"{base}/preview/invite-email",
        f"{base}/assets/datasheet.pdf",
        f"{base}/assets/invite-email.eml",
        f"{base}/assets.zip",
    ):
        assert as_b_user.get(url).status_code == 404, url
    assert as_b_user.post(f"{base}/preview/datasheet", data={}).status_code == 404
    assert as_b_user.post(f"{base}/edit", data=form_data()).status_code == 404
    assert "Spring restore drills" not in as_b_user.get("/campaigns/").get_data(as_text=True)


def test_editing_changes_values_and_a_bad_edit_changes_nothing(
    as_a_user: FlaskClient, db_session: Session, campaign_a: Campaign
) -> None:
    url = f"/campaigns/{campaign_a.id}/edit"
    page = as_a_user.get(url).get_data(as_text=True)
    assert 'value="Restore drills for busy teams"' in page
    assert as_a_user.post(url, data=form_data(headline="New headline")).status_code == 302
    bad = as_a_user.post(url, data=form_data(headline="x" * 81))
    assert "Use at most 80 characters (now 81)." in bad.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Campaign, campaign_a.id).field_values["headline"] == "New headline"


def test_an_uploaded_image_field_is_kept_and_public(
    as_a_user: FlaskClient, client: FlaskClient, db_session: Session, campaign_a: Campaign
) -> None:
    response = as_a_user.post(
        f"/campaigns/{campaign_a.id}/edit",
        data={
            **form_data(),
            "field_team_photo": (io.BytesIO(png_bytes(80, 60, fmt="JPEG")), "t.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db_session.expire_all()
    key = db_session.get(Campaign, campaign_a.id).field_values["team_photo"]
    assert key.startswith("campaign-images/") and key.endswith(".jpg")
    image = client.get("/campaign-images/" + key.rsplit("/", 1)[-1])
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    # Saving again without a new file keeps the image; ticking "remove" drops it.
    as_a_user.post(f"/campaigns/{campaign_a.id}/edit", data=form_data(headline="Again"))
    db_session.expire_all()
    assert db_session.get(Campaign, campaign_a.id).field_values["team_photo"] == key
    as_a_user.post(
        f"/campaigns/{campaign_a.id}/edit", data={**form_data(), "remove_image_team_photo": "y"}
    )
    db_session.expire_all()
    assert "team_photo" not in db_session.get(Campaign, campaign_a.id).field_values


def test_a_newer_kit_version_is_announced_and_the_campaign_keeps_its_own(
    app: Flask, as_a_user: FlaskClient, db_session: Session, campaign_a: Campaign
) -> None:
    newer = import_kit(app, db_session, summary="Now with a reminder email.")
    assert newer.number == 2
    page = as_a_user.get(f"/campaigns/{campaign_a.id}").get_data(as_text=True)
    assert "Version 2 of this kit is out." in page
    assert "This campaign keeps version 1" in page


def test_the_campaign_list_is_per_partner_and_vendor_staff_filter_by_partner(
    app: Flask,
    as_a_user: FlaskClient,
    as_marketer: FlaskClient,
    db_session: Session,
    world: World,
    published_kit: KitVersion,
) -> None:
    start_campaign(app, db_session, world.partner_a, published_kit, name="Brightpath drills")
    start_campaign(app, db_session, world.partner_b, published_kit, name="Cobalt drills")
    own = as_a_user.get("/campaigns/").get_data(as_text=True)
    assert "Brightpath drills" in own and "Cobalt drills" not in own
    every = as_marketer.get("/campaigns/").get_data(as_text=True)
    assert "Brightpath drills" in every and "Cobalt drills" in every
    only_b = as_marketer.get(f"/campaigns/?partner={world.partner_b.id}").get_data(as_text=True)
    assert "Cobalt drills" in only_b and "Brightpath drills" not in only_b
    # A partner cannot widen its list with ?partner=.
    sneaky = as_a_user.get(f"/campaigns/?partner={world.partner_b.id}").get_data(as_text=True)
    assert "Cobalt drills" not in sneaky


def test_vendor_staff_view_but_do_not_edit(as_marketer: FlaskClient, campaign_a: Campaign) -> None:
    page = as_marketer.get(f"/campaigns/{campaign_a.id}").get_data(as_text=True)
    assert "Brightpath IT" in page and "Edit fields" not in page
    assert as_marketer.get(f"/campaigns/{campaign_a.id}/edit").status_code == 403

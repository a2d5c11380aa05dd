"""Marketer pages and the partner catalog, through the test client."""

from __future__ import annotations

import html
import io
import re
import zipfile

from PIL import Image
from sqlalchemy import select

from tcma.accounts import rules as account_rules
from tcma.accounts import services as account_services
from tcma.audit import AuditEvent
from tcma.kits import services
from tcma.kits.models import Kit
from tests.conftest import login
from tests.kits.support import KIT_TOML, kit_files, make_zip, png_bytes, with_files


def error_of(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def create_kit(client) -> int:
    response = client.post(
        "/kits/new",
        data={
            "name": "Spring webinar",
            "summary": "A webinar kit.",
            "objective": "lead_generation",
            "audience": "IT managers",
            "tags": "webinar, backup",
            "tiers": ["gold"],
            "cover": (io.BytesIO(png_bytes()), "cover.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def test_marketer_creates_a_kit_adds_a_field_and_an_asset_and_publishes(
    as_marketer, db_session
) -> None:
    kit_id = create_kit(as_marketer)
    response = as_marketer.post(
        f"/kits/{kit_id}/fields/new",
        data={
            "key": "speaker",
            "label": "Speaker",
            "type": "text",
            "required": "y",
            "default": "Ada",
            "max_length": "40",
            "help": "Your speaker",
        },
    )
    assert response.status_code == 302
    response = as_marketer.post(
        f"/kits/{kit_id}/assets/new?kind=banner",
        data={
            "key": "banner",
            "name": "Event banner",
            "width": "600",
            "height": "300",
            "template": "<h1>{{ fields.speaker }}</h1>",
        },
    )
    assert response.status_code == 302
    page = as_marketer.get(f"/kits/{kit_id}").text
    assert "Event banner" in page and "Publish version 1" in page and "Speaker" in page
    response = as_marketer.post(
        f"/kits/{kit_id}/publish", data={"change_note": "First"}, follow_redirects=True
    )
    assert "Version 1 of Spring webinar is published." in response.text
    kit = db_session.get(Kit, kit_id)
    version = services.latest_published_version(db_session, kit)
    assert version.number == 1 and version.assets[0].used_fields == ["speaker"]
    assert kit.tiers == ["gold"] and kit.tags == ["webinar", "backup"]
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "kit.published"))
    assert event.object_id == kit_id and event.comment == "First"


def test_kit_form_shows_errors_next_to_the_fields(as_marketer) -> None:
    response = as_marketer.post(
        "/kits/new",
        data={
            "name": "",
            "summary": "x" * 501,
            "objective": "lead_generation",
            "slug": "Not A Slug",
        },
    )
    assert response.status_code == 200
    assert "This field is required." in error_of(response.text, "name")
    assert "500" in error_of(response.text, "summary")
    assert "lowercase letters" in error_of(response.text, "slug")


def test_a_broken_template_shows_its_line_next_to_the_text_box_and_saves_nothing(
    as_marketer, db_session
) -> None:
    kit_id = create_kit(as_marketer)
    response = as_marketer.post(
        f"/kits/{kit_id}/assets/new?kind=banner",
        data={
            "key": "banner",
            "name": "Banner",
            "width": "600",
            "height": "300",
            "template": "<h1>\r\n<p>{% if %}</p>",
        },
    )
    assert response.status_code == 200
    assert error_of(response.text, "template").startswith("Line 2: ")
    response = as_marketer.post(
        f"/kits/{kit_id}/assets/new?kind=banner",
        data={
            "key": "banner",
            "name": "Banner",
            "width": "600",
            "height": "300",
            "template": "<h1>{{ fields.nope }}</h1>",
        },
    )
    assert error_of(response.text, "template") == (
        "Line 1: fields.nope is not a field declared in the kit settings"
    )
    draft = services.draft_of(db_session, db_session.get(Kit, kit_id))
    assert draft.manifest.get("assets", []) == [] and "banner.html" not in draft.files


def test_a_missing_kind_setting_is_shown_next_to_its_input(as_marketer) -> None:
    kit_id = create_kit(as_marketer)
    response = as_marketer.post(
        f"/kits/{kit_id}/assets/new?kind=banner",
        data={"key": "banner", "name": "Banner", "template": "<h1>Hi</h1>"},
    )
    assert "'width' is required" in error_of(response.text, "width")


def test_a_field_default_of_the_wrong_type_is_shown_next_to_it(as_marketer) -> None:
    kit_id = create_kit(as_marketer)
    response = as_marketer.post(
        f"/kits/{kit_id}/fields/new",
        data={"key": "event_date", "label": "Event date", "type": "date", "default": "tomorrow"},
    )
    assert "'default' must be a date written YYYY-MM-DD" in error_of(response.text, "default")


def test_zip_upload_imports_or_lists_every_problem(as_marketer, db_session) -> None:
    bad = make_zip(with_files({"media/logo.svg": "<svg/>", "run.exe": b"MZ"}))
    response = as_marketer.post(
        "/kits/upload",
        data={"package": (io.BytesIO(bad), "kit.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The kit was not imported." in response.text
    assert "media/logo.svg: SVG images are refused" in response.text
    assert "run.exe: this type of file is not allowed" in response.text
    assert db_session.scalar(select(Kit)) is None
    response = as_marketer.post(
        "/kits/upload",
        data={"package": (io.BytesIO(make_zip(kit_files(), folder="spring/")), "spring.zip")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Spring backup promotion: version 1 is published." in response.text


def test_any_version_downloads_as_a_zip(as_marketer, import_kit) -> None:
    result = import_kit()
    response = as_marketer.get(f"/kits/{result.kit.id}/versions/{result.version.id}/download")
    assert response.mimetype == "application/zip"
    assert "spring-promo-v1.zip" in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "spring-promo/kit.toml" in names and "spring-promo/media/logo.png" in names


def test_archiving_is_recorded_and_hides_the_kit_from_partners(
    as_marketer, as_a_user, import_kit
) -> None:
    kit_id = import_kit().kit.id
    as_marketer.post(f"/kits/{kit_id}/status", data={"status": "archived"})
    assert as_a_user.get(f"/catalog/kits/{kit_id}").status_code == 404
    assert "Spring backup promotion" not in as_a_user.get("/catalog/").text
    as_marketer.post(f"/kits/{kit_id}/status", data={"status": "active"})
    assert as_a_user.get(f"/catalog/kits/{kit_id}").status_code == 200


def _gold_only(import_kit) -> int:
    toml = KIT_TOML.replace("tiers = []", 'tiers = ["gold"]')
    return import_kit({**kit_files(), "kit.toml": toml.encode()}).kit.id


def test_gold_only_kit_is_listed_for_gold_and_404_for_registered(
    app, db_session, world, as_a_user, import_kit
) -> None:
    kit_id = _gold_only(import_kit)
    partner = account_services.create_partner(
        db_session, None, "Delta Networks", world.tiers["registered"].id, "EMEA", ""
    )
    user = account_services.create_active_user(
        db_session,
        "rae@delta.example",
        "blue-harbour-lantern-42",
        account_rules.PARTNER_USER,
        partner.id,
        "Rae",
    )
    db_session.commit()
    registered = login(app.test_client(), user)
    assert "Spring backup promotion" in as_a_user.get("/catalog/").text
    assert as_a_user.get(f"/catalog/kits/{kit_id}").status_code == 200
    assert "Spring backup promotion" not in registered.get("/catalog/").text
    assert registered.get(f"/catalog/kits/{kit_id}").status_code == 404
    assert registered.get(f"/catalog/kits/{kit_id}/assets/banner/preview.png").status_code == 404


def test_a_draft_only_kit_is_not_in_the_catalog(as_marketer, as_a_user) -> None:
    kit_id = create_kit(as_marketer)
    assert as_a_user.get(f"/catalog/kits/{kit_id}").status_code == 404
    assert as_marketer.get(f"/catalog/kits/{kit_id}").status_code == 404


def test_catalog_search_and_filters(as_a_user, import_kit) -> None:
    import_kit()
    page = as_a_user.get("/catalog/?q=spring").text
    assert "Spring backup promotion" in page and "Landing page" in page and "Banner" in page
    assert "Spring backup promotion" in as_a_user.get("/catalog/?kind=print&tag=backup").text
    assert "No kit matches your search." in as_a_user.get("/catalog/?q=kubernetes").text
    assert "No kit matches" in as_a_user.get("/catalog/?objective=awareness").text


def test_catalog_kit_page_shows_previews_and_fields(app, as_a_user, import_kit) -> None:
    kit_id = import_kit().kit.id
    page = as_a_user.get(f"/catalog/kits/{kit_id}").text
    for name in ("Invitation email", "Landing page", "Flyer", "Social post", "Banner"):
        assert f'alt="Preview of {name}"' in page
    assert "Headline" in page and "Required" in page
    assert ("Use this kit" in page) is ("campaigns.new" in app.view_functions)
    response = as_a_user.get(
        f"/catalog/kits/{kit_id}/assets/banner/preview.png", follow_redirects=True
    )
    assert response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (300, 100)
    response = as_a_user.get(
        f"/catalog/kits/{kit_id}/assets/page/preview.png", follow_redirects=True
    )
    assert Image.open(io.BytesIO(response.data)).size == (1200, 900)
    # The page shows a copy at twice its shown size, under a URL browsers may keep.
    thumb_url = re.search(r'src="([^"]*assets/page/preview\.png\?w=\d+)"', page).group(1)
    thumb = as_a_user.get(thumb_url.replace("&amp;", "&"))
    assert thumb.status_code == 200 and thumb.mimetype in ("image/png", "image/jpeg")
    shown = Image.open(io.BytesIO(thumb.data))
    assert shown.width == int(thumb_url.rsplit("=", 1)[1])
    assert thumb.mimetype == f"image/{shown.format.lower()}"
    assert len(thumb.data) < len(response.data)
    assert "max-age=3600" in thumb.headers["Cache-Control"]
    assert (
        as_a_user.get(thumb_url, headers={"If-None-Match": thumb.headers["ETag"]}).status_code
        == 304
    )


def test_partners_keep_the_published_version_while_a_draft_changes(
    as_marketer, as_a_user, import_kit
) -> None:
    kit_id = import_kit().kit.id
    as_marketer.post(
        f"/kits/{kit_id}/edit",
        data={"name": "Renamed in draft", "summary": "New summary", "objective": "awareness"},
    )
    assert "Renamed in draft" in as_marketer.get(f"/kits/{kit_id}").text
    catalog_page = as_a_user.get(f"/catalog/kits/{kit_id}").text
    assert "Spring backup promotion" in catalog_page and "Renamed in draft" not in catalog_page
    as_marketer.post(f"/kits/{kit_id}/publish", data={"change_note": "New name"})
    assert "Renamed in draft" in as_a_user.get(f"/catalog/kits/{kit_id}").text


def test_marketer_html_preview_is_sandboxed(as_marketer, import_kit) -> None:
    result = import_kit()
    response = as_marketer.get(
        f"/kits/{result.kit.id}/versions/{result.version.id}/assets/page/preview.html"
    )
    assert response.status_code == 200 and "Backups you can restore" in response.text
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_a_refused_edit_of_a_published_kit_opens_no_draft(
    as_marketer, db_session, storage, import_kit
) -> None:
    kit = import_kit().kit
    response = as_marketer.post(
        f"/kits/{kit.id}/assets/invite/edit",
        data={"name": "Invitation", "subject": "Hi", "template": "<p>\n{{ fields.nope }}"},
    )
    assert error_of(response.text, "template") == (
        "Line 2: fields.nope is not a field declared in the kit settings"
    )
    assert services.draft_of(db_session, kit) is None
    assert len(storage.list_keys("kits/")) == len(kit_files()) - 1
    page = as_marketer.get(f"/kits/{kit.id}/assets/invite/edit").text
    assert "{{ fields.headline }}" in html.unescape(page)


def test_discarding_a_draft_asks_first_and_says_what_is_lost(as_marketer, import_kit) -> None:
    kit_id = import_kit().kit.id
    as_marketer.post(
        f"/kits/{kit_id}/edit",
        data={"name": "Renamed in draft", "summary": "New summary", "objective": "awareness"},
    )
    page = as_marketer.get(f"/kits/{kit_id}").text

    # The link only opens the question; the form that discards sits inside it, behind "Yes".
    question = re.search(
        r'<details class="confirm">(.*?)</details>', page[page.find("Discard") - 200 :], re.S
    )
    assert question, "discarding opens a question first"
    text = html.unescape(question.group(1))
    assert "<summary" in text and "Discard the draft's changes" in text
    assert "thrown away for good" in text and "back to version 1" in text
    assert f'action="/kits/{kit_id}/discard"' in text
    assert "Yes, discard the draft's changes" in text


def test_the_asset_editor_lists_everything_a_template_sees(as_marketer, import_kit) -> None:
    kit_id = import_kit().kit.id
    page = html.unescape(as_marketer.get(f"/kits/{kit_id}/assets/invite/edit").text)
    help_text = page[page.index("What a template sees") :]

    for name in (
        "secondary_color",
        "logo_width",
        "address",
        "description",
        "partner",
        "tier",
        "landing_url",
        "tracking_url",
        "utm",
        "vendor.website",
        "kit.version",
        "field_image(",
        "media(",
        "| date",
    ):
        assert name in help_text, name
    assert "kit.toml" not in help_text

"""Co-brand field values are checked by type before anything is saved or rendered."""

from __future__ import annotations

import pytest

from tcma.campaigns import rules
from tcma.campaigns.rules import FieldErrors
from tcma.cobrand.rules import ImageRejected
from tests.campaigns.support import png_bytes

SPECS = [
    {"key": "headline", "type": "text", "required": True, "max_length": 20},
    {"key": "offer", "type": "long_text", "max_length": 50},
    {"key": "webinar_date", "type": "date", "required": True},
    {"key": "recording_url", "type": "url"},
    {"key": "contact_email", "type": "email"},
    {"key": "contact_phone", "type": "phone"},
    {"key": "webinar_time", "type": "choice", "choices": ["09:00 CET", "14:00 CET"]},
    {"key": "accent", "type": "colour"},
    {"key": "speaker_photo", "type": "image"},
]
GOOD = {
    "headline": "Restore drills",
    "offer": "Line one\r\nline two",
    "webinar_date": "2026-12-10",
    "recording_url": "https://acme.example/rec",
    "contact_email": "ann@acme.example",
    "contact_phone": "+44 20 7946 0000",
    "webinar_time": "14:00 CET",
    "accent": "#ABC",
}


def problem(spec_key: str, value: str) -> str | None:
    spec = next(s for s in SPECS if s["key"] == spec_key)
    return rules.clean_field_value(spec, value)[1]


def test_good_values_are_stored_normalised() -> None:
    values = rules.clean_field_values(SPECS, GOOD, {"speaker_photo": "campaign-images/x.png"})
    assert values["offer"] == "Line one\nline two"
    assert values["accent"] == "#aabbcc"
    assert values["speaker_photo"] == "campaign-images/x.png"


def test_every_bad_value_is_reported_at_once() -> None:
    bad = {
        **GOOD,
        "headline": "",
        "webinar_date": "10/12/2026",
        "recording_url": "javascript:alert(1)",
        "contact_email": "ann",
        "webinar_time": "midnight",
        "accent": "blue",
    }
    with pytest.raises(FieldErrors) as caught:
        rules.clean_field_values(SPECS, bad, {})
    assert set(caught.value.problems) == {
        "headline",
        "webinar_date",
        "recording_url",
        "contact_email",
        "webinar_time",
        "accent",
    }
    assert "required" in caught.value.problems["headline"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,x",
        "vbscript:msgbox",
        "ftp://acme.example",
        "acme.example",
        "https://acme.example/a b",
    ],
)
def test_a_url_field_accepts_only_http_and_https(url: str) -> None:
    assert problem("recording_url", url) is not None


def test_text_limits_and_single_lines() -> None:
    assert "at most 20" in problem("headline", "x" * 21)
    assert problem("headline", "two\nlines") == "Use a single line."
    assert problem("offer", "two\nlines") is None
    assert problem("headline", "bell\x07") is not None
    long_text = {"key": "story", "type": "long_text", "max_length": 600}
    assert rules.clean_field_value(long_text, "word " * 110)[1] is None
    assert rules.clean_field_value({"key": "d", "type": "date"}, "9" * 300)[1] is not None


def test_dates_are_iso_and_real() -> None:
    assert problem("webinar_date", "2026-02-30") is not None
    assert problem("webinar_date", "20261210") is not None
    assert problem("webinar_date", "2026-12-10") is None


def test_markup_is_just_text_to_the_rules() -> None:
    # Escaping happens at render time; the rules keep what the partner typed.
    value, found = rules.clean_field_value(SPECS[0], "<b>Hi</b>")
    assert (value, found) == ("<b>Hi</b>", None)


def test_a_required_image_needs_an_upload() -> None:
    specs = [{"key": "photo", "type": "image", "required": True}]
    with pytest.raises(FieldErrors, match="Upload an image"):
        rules.clean_field_values(specs, {}, {})


def test_field_images_are_checked_by_content() -> None:
    assert rules.clean_field_image(png_bytes(50, 40, fmt="WEBP")).format == "PNG"
    assert rules.clean_field_image(png_bytes(50, 40, fmt="JPEG")).format == "JPEG"
    with pytest.raises(ImageRejected):
        rules.clean_field_image(b"GIF89a but not really an image")


def test_previews_show_invalid_values_as_empty() -> None:
    shown = rules.usable_values(SPECS, {"recording_url": "javascript:alert(1)", "headline": "Hi"})
    assert shown == {"recording_url": "", "headline": "Hi"}


def test_campaign_names() -> None:
    assert rules.campaign_name_problem("  ") is not None
    assert rules.campaign_name_problem("x" * 121) is not None
    assert rules.campaign_name_problem("Spring drills") is None

"""Brand rules: hex colours, WCAG contrast against white, contact details, logo uploads."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tcma.cobrand import rules
from tcma.cobrand.rules import BrandError, ImageRejected
from tests.campaigns.support import BRAND, png_bytes


def test_hex_colours_are_normalised_and_nonsense_is_refused() -> None:
    assert rules.normalise_hex("#ABC") == "#aabbcc"
    assert rules.normalise_hex("0b5cab") == "#0b5cab"
    for bad in ("#12345", "blue", "#ggg000", "", "#0b5cab; x"):
        with pytest.raises(ValueError):
            rules.normalise_hex(bad)


def test_contrast_ratio_follows_wcag() -> None:
    assert rules.contrast_ratio("#000000") == pytest.approx(21.0)
    assert rules.contrast_ratio("#ffffff") == pytest.approx(1.0)
    # #767676 is the classic lightest grey that passes AA on white; #777777 just fails.
    assert rules.contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    assert rules.contrast_ratio("#777777") < rules.MIN_CONTRAST


def test_light_colours_get_a_contrast_warning_dark_ones_do_not() -> None:
    warning = rules.contrast_warning("#ffd500", "The primary colour")
    assert warning is not None
    assert "The primary colour has a contrast of 1.4:1" in warning
    assert rules.contrast_warning("#0b5cab") is None


def test_brand_values_are_cleaned() -> None:
    clean = rules.check_brand_values({**BRAND, "primary_color": "#0B5", "secondary_color": ""})
    assert clean["primary_color"] == "#00bb55"
    assert clean["secondary_color"] == rules.DEFAULT_SECONDARY


def test_every_bad_brand_value_is_named() -> None:
    with pytest.raises(BrandError) as caught:
        rules.check_brand_values(
            {
                **BRAND,
                "display_name": " ",
                "website": "javascript:alert(1)",
                "email": "not-an-email",
                "primary_color": "red",
                "phone": "call me",
            }
        )
    assert set(caught.value.problems) == {
        "display_name",
        "website",
        "email",
        "primary_color",
        "phone",
    }
    assert "http://" in caught.value.problems["website"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com",
        "file:///etc/passwd",
        "//example.com",
        "https://exa mple.com",
        "data:text/html,hi",
    ],
)
def test_only_http_and_https_web_addresses(url: str) -> None:
    assert rules.web_address_problem(url) is not None


def test_a_logo_is_reencoded_to_png() -> None:
    logo = rules.clean_logo(png_bytes(300, 100, fmt="JPEG"))
    image = Image.open(io.BytesIO(logo.data))
    assert (image.format, image.size) == ("PNG", (300, 100))


def test_a_renamed_text_file_is_not_a_logo() -> None:
    with pytest.raises(ImageRejected, match="not a valid PNG or JPEG"):
        rules.clean_logo(b"Just some notes, saved as logo.png\n" * 10)


def test_an_svg_logo_is_refused() -> None:
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ImageRejected, match="SVG"):
        rules.clean_logo(svg)


def test_a_gif_logo_is_refused_and_so_are_huge_ones() -> None:
    with pytest.raises(ImageRejected):
        rules.clean_logo(png_bytes(10, 10, fmt="GIF"))
    with pytest.raises(ImageRejected, match="4000 x 4000"):
        rules.clean_logo(png_bytes(4001, 10))
    with pytest.raises(ImageRejected, match="2 MB"):
        rules.clean_logo(b"\x89PNG\r\n\x1a\n" + b"0" * rules.MAX_LOGO_BYTES)


def test_a_truncated_png_is_refused() -> None:
    with pytest.raises(ImageRejected):
        rules.clean_logo(png_bytes(200, 200)[:120])

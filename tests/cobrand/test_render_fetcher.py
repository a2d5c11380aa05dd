"""WeasyPrint fetches nothing but the kit's media, the brand logo and field images."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pypdf
import pytest

from tcma.cobrand.render import RenderError
from tcma.cobrand.render.fetcher import KitURLFetcher
from tests.cobrand.support import (
    HERO_PNG,
    make_context,
    one_asset_kit,
    pdf_attachments,
    pdf_text,
    render,
)


def _image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_local_files_and_network_are_never_fetched(ctx, http_server):
    base, hits = http_server
    template = f"""<html><head>
    <style>
      @import url(file:///etc/passwd);
      @import url({base}/imported.css);
      @font-face {{ font-family: Evil; src: url({base}/font.woff2); }}
      body {{ background: url(file:///etc/hostname); font-family: Evil, sans-serif; }}
      h1 {{ background-image: url({base}/bg.png); }}
    </style>
    <link rel="stylesheet" href="file:///etc/passwd">
    <link rel="stylesheet" href="{base}/style.css">
    <link rel="attachment" href="file:///etc/hostname">
    <link rel="attachment" href="{base}/attached.txt">
    </head><body>
    <h1>Visible heading</h1>
    <img src="file:///etc/passwd" alt="">
    <img src="{base}/x.png" alt="">
    <img src="http://localhost:{base.rsplit(":", 1)[1]}/y.png" alt="">
    <a rel="attachment" href="file:///etc/passwd">attached link</a>
    <object data="file:///etc/passwd"></object>
    <svg width="10" height="10"><image href="file:///etc/passwd" width="10" height="10"/></svg>
    </body></html>"""
    source = one_asset_kit(template)

    result = render(source, "a", ctx, "pdf")

    assert hits == []
    text = pdf_text(result.data)
    assert "Visible heading" in text
    assert "root:" not in text
    assert Path("/etc/hostname").read_text().strip() not in text
    assert "secret-from-the-network" not in text
    assert pdf_attachments(result.data) == {}
    assert b"root:x:" not in result.data
    for url in ("file:///etc/passwd", "file:///etc/hostname", f"{base}/x.png", f"{base}/style.css"):
        assert url in result.refused_urls


def test_kit_media_outside_media_folder_is_refused(ctx):
    source = one_asset_kit(
        '<img src="tcma-kit:media/../kit.toml"><img src="tcma-kit:kit.toml">'
        '<img src="tcma-kit:media/%2e%2e/kit.toml"><img src="tcma-kit:/etc/passwd"><p>ok</p>',
        extra_files={"kit.toml": b"slug = 'secret'"},
    )

    result = render(source, "a", ctx, "pdf")

    assert len(result.refused_urls) == 4
    assert _image_count(result.data) == 0


def test_media_brand_logo_and_field_images_are_embedded_in_the_pdf():
    ctx = make_context(field_images={"team_photo": HERO_PNG})
    source = one_asset_kit(
        '<img src="{{ media("hero.png") }}"><img src="{{ brand.logo_url }}">'
        '<img src="{{ field_image("team_photo") }}">'
        '<p>{{ media("hero.png") }} {{ brand.logo_url }} {{ field_image("team_photo") }}</p>',
        extra_files={"media/hero.png": HERO_PNG},
    )

    result = render(source, "a", ctx, "pdf")

    assert result.refused_urls == ()
    assert _image_count(result.data) == 3
    assert "tcma-kit:media/hero.png tcma-brand:logo tcma-field:team_photo" in pdf_text(result.data)


def test_without_a_logo_or_field_image_the_urls_are_empty():
    ctx = make_context(brand_logo=None, brand_logo_url=None)
    source = one_asset_kit(
        "<p>[{{ brand.logo_url }}][{{ field_image('team_photo') }}]</p>", kind="landing"
    )

    assert render(source, "a", ctx, "html").data == b"<p>[][]</p>"
    assert "[][]" in pdf_text(render(one_asset_kit(source.read("a.html")), "a", ctx, "pdf").data)


def test_html_outputs_use_public_urls():
    ctx = make_context(field_image_urls={"team_photo": "https://app.example/f/1.png"})
    source = one_asset_kit(
        "{{ media('hero.png') }} {{ media('img/a b.png') }} {{ brand.logo_url }} "
        "{{ field_image('team_photo') }}",
        kind="landing",
    )

    assert render(source, "a", ctx, "html").data.decode() == (
        "https://app.example/kit-media/fixture-kit@1/hero.png "
        "https://app.example/kit-media/fixture-kit@1/img/a%20b.png "
        "https://app.example/brand-logo/acme-brand@1 https://app.example/f/1.png"
    )


def test_media_outside_the_media_folder_is_a_render_error(ctx):
    source = one_asset_kit("{{ media('../kit.toml') }}", kind="landing")

    with pytest.raises(RenderError, match="Not a kit file name"):
        render(source, "a", ctx, "html")


def test_small_data_url_images_are_allowed_but_svg_and_large_ones_are_not(ctx):
    small = base64.b64encode(HERO_PNG).decode()
    svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"/>').decode()
    large = base64.b64encode(HERO_PNG + b"\0" * 600_000).decode()
    source = one_asset_kit(
        f'<img src="data:image/png;base64,{small}"><img src="data:image/svg+xml;base64,{svg}">'
        f'<img src="data:image/png;base64,{large}">'
    )

    result = render(source, "a", ctx, "pdf")

    assert _image_count(result.data) == 1
    assert len(result.refused_urls) == 2


def test_fetcher_refuses_and_records_every_other_url():
    fetcher = KitURLFetcher(lambda path: b"", brand_logo=None, field_images={})
    urls = [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.com/x.png",
        "ftp://example.com/x",
        "tcma-brand:logo",
        "tcma-field:missing",
        "tcma-kit:media/../../etc/passwd",
        "javascript:alert(1)",
    ]
    for url in urls:
        with pytest.raises(ValueError, match="refused"):
            fetcher(url)

    assert fetcher.refused == urls


def test_fetcher_refuses_non_image_logo():
    fetcher = KitURLFetcher(lambda path: b"", brand_logo=b"<svg onload=alert(1)>")

    with pytest.raises(ValueError, match="refused"):
        fetcher("tcma-brand:logo")

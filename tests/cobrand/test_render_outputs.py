"""What a partner gets for each asset kind and target of the fixture kit."""

from __future__ import annotations

import email
import io
import json
import zipfile
from email import policy

import pypdf
import pytest
from PIL import Image

from tcma.cobrand.render import RenderError, render_bundle
from tcma.cobrand.render.outputs import render_in_process
from tests.cobrand.support import make_context, one_asset_kit, pdf_text, png_size, render


def test_print_pdf_shows_partner_brand_fields_and_formatted_date(kit, ctx):
    result = render(kit, "datasheet", ctx, "pdf")

    assert result.filename == "fixture-kit-datasheet.pdf"
    assert result.content_type == "application/pdf"
    text = pdf_text(result.data)
    assert "Acme Cloud Services" in text
    assert "Restore drills for busy teams" in text
    assert "10 December 2026" in text
    assert "utm_content=datasheet" in text.replace("\n", "")
    assert result.refused_urls == ()


def test_print_pdf_uses_field_defaults_when_partner_left_them_empty(kit):
    result = render(kit, "datasheet", make_context(fields={}), "pdf")

    assert "Backups you can actually restore" in pdf_text(result.data)


def test_print_pdf_page_size_comes_from_kit_toml(kit, ctx):
    page = pypdf.PdfReader(io.BytesIO(render(kit, "datasheet", ctx, "pdf").data)).pages[0]

    # A4 is 210 x 297 mm = 595.3 x 841.9 pt, whatever @page the template declares.
    assert round(float(page.mediabox.width)) == 595
    assert round(float(page.mediabox.height)) == 842


def test_print_png_is_a_preview_of_page_one(kit, ctx):
    result = render(kit, "datasheet", ctx, "png")

    assert result.content_type == "image/png"
    assert png_size(result.data) == (1241, 1754)  # A4 at 150 dpi


@pytest.mark.parametrize(
    ("asset", "size"), [("launch-banner", (1200, 627)), ("social-posts", (1080, 1080))]
)
def test_images_have_exactly_the_declared_pixel_size(kit, ctx, asset, size):
    assert png_size(render(kit, asset, ctx, "png").data) == size


@pytest.mark.parametrize(("width", "height"), [(1, 1), (333, 97), (1201, 629), (1584, 396)])
def test_odd_pixel_sizes_are_exact(ctx, width, height):
    source = one_asset_kit("<p>Hi</p>", kind="banner", width=width, height=height)

    assert png_size(render(source, "a", ctx, "png").data) == (width, height)


def test_banner_png_shows_the_brand_colour(kit):
    result = render(kit, "launch-banner", make_context(brand={"primary_color": "#aa3300"}), "png")

    assert Image.open(io.BytesIO(result.data)).convert("RGB").getpixel((5, 620)) == (170, 51, 0)


def test_email_html_has_css_inlined_and_no_style_block(kit, ctx):
    html = render(kit, "invite-email", ctx, "html").data.decode()

    assert "<style" not in html.lower()
    assert "@media" not in html
    assert 'style="color: #0b5cab;"' in html  # the h1 rule of _style.css, now inline
    assert 'src="https://app.example/kit-media/fixture-kit@1/hero.png?w=1200"' in html
    assert 'src="https://app.example/brand-logo/acme-brand@1"' in html
    assert "utm_content=invite-email" in html


def test_email_html_starts_with_the_hidden_preheader(kit, ctx):
    html = render(kit, "invite-email", ctx, "html").data.decode()

    body = html[html.index("<body") :]
    assert body.index("Live on 10 December 2026") < body.index("Restore drills for busy teams")
    assert "display:none" in body[: body.index("Live on")]


def test_email_text_comes_from_its_text_template(kit, ctx):
    text = render(kit, "invite-email", ctx, "txt").data.decode()

    assert text.startswith("Hello,\n\nAcme Cloud Services invites you")
    assert (
        "&amp;"
        not in render(
            kit, "invite-email", make_context(brand={"display_name": "A & B"}), "txt"
        ).data.decode()
    )


def test_email_text_is_derived_readably_from_html_without_a_text_template(kit, ctx):
    text = render(kit, "reminder-email", ctx, "txt").data.decode()

    assert text.startswith(
        "Reminder: Restore drills for busy teams\n\nWe start on Thursday 10 December."
    )
    assert "- Restore drills\n- Ransomware recovery" in text
    assert "Join the session\n(https://app.example/l/ACME-7Q2?" in text
    assert "only for HTML readers" not in text  # display: none stays hidden
    assert "<" not in text


def test_eml_is_multipart_alternative_with_rendered_subject(kit, ctx):
    message = email.message_from_bytes(
        render(kit, "invite-email", ctx, "eml").data, policy=policy.default
    )

    assert message["Subject"] == "Acme Cloud Services invites you: Restore drills for busy teams"
    assert message.get_content_type() == "multipart/alternative"
    assert str(message["From"]) == "Acme Cloud Services <events@acme.example>"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert plain.startswith("Hello,")
    assert "<style" not in html and "Restore drills for busy teams" in html


def test_eml_has_a_date_and_a_message_id_so_mail_programs_show_it_as_sent(kit, ctx):
    message = email.message_from_bytes(
        render(kit, "invite-email", ctx, "eml").data, policy=policy.default
    )

    assert message["Date"].datetime.tzinfo is not None
    assert message["Date"].datetime.year >= 2024
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith(
        "@acme.example>"
    )


def test_eml_subject_cannot_inject_headers(kit):
    ctx = make_context(fields={"headline": "Hi\r\nBcc: victim@example.com"})

    message = email.message_from_bytes(
        render(kit, "invite-email", ctx, "eml").data, policy=policy.default
    )

    assert message["Bcc"] is None
    assert message["Subject"].endswith("Hi Bcc: victim@example.com")


def test_landing_page_contains_the_lead_form_unescaped_and_fields_escaped(kit):
    ctx = make_context(fields={"headline": "<b>Bold</b>"})

    html = render(kit, "registration-page", ctx, "html").data.decode()

    assert '<form method="post" action="/l/ACME-7Q2/leads"><input name="email"></form>' in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "<b>Bold</b>" not in html


def test_social_txt_has_every_network_post_within_its_limit(kit, ctx):
    text = render(kit, "social-posts", ctx, "txt").data.decode()

    assert text.startswith("LinkedIn (")
    assert "\nX (" in text and "of 280 characters)" in text
    assert "\nFacebook (" in text
    assert "utm_content=x" in text


def test_social_json_maps_each_network_to_its_text(kit, ctx):
    posts = json.loads(render(kit, "social-posts", ctx, "json").data)

    assert set(posts) == {"linkedin", "x", "facebook"}
    assert len(posts["x"]) <= 280
    assert posts["x"].startswith("Restore drills for busy teams — live on 10 Dec")


def test_social_post_over_the_network_limit_names_network_and_length(kit):
    ctx = make_context(fields={"headline": "x" * 300})

    with pytest.raises(RenderError, match=r"The X post is \d{3} characters long; X allows 280"):
        render(kit, "social-posts", ctx, "json")


def test_unknown_asset_and_wrong_target_are_render_errors(kit, ctx):
    with pytest.raises(RenderError, match="no asset 'nope'"):
        render(kit, "nope", ctx, "pdf")
    with pytest.raises(RenderError, match="A banner asset can be rendered as png, not 'pdf'"):
        render(kit, "launch-banner", ctx, "pdf")


def test_output_size_limit(ctx):
    source = one_asset_kit(
        "{% for i in range(3000) %}<p>{{ i }} {{ 'x' * 900 }}</p>{% endfor %}", kind="landing"
    )

    with pytest.raises(RenderError, match=r"is 2\.6 MB, more than the 1 MB allowed"):
        render_in_process(source, "a", ctx, "html", max_output_bytes=1024 * 1024)


def test_bundle_zips_every_asset_file_under_clear_names(kit, ctx):
    result = render_bundle(kit, ctx, renderer=render)

    assert result.filename == "fixture-kit-ACME-7Q2.zip"
    names = set(zipfile.ZipFile(io.BytesIO(result.data)).namelist())
    assert names == {
        f"fixture-kit-ACME-7Q2/{name}"
        for name in (
            "datasheet.pdf",
            "datasheet-print-ready.pdf",
            "datasheet-preview.png",
            "invite-email.html",
            "invite-email.txt",
            "invite-email.eml",
            "reminder-email.html",
            "reminder-email.txt",
            "reminder-email.eml",
            "launch-banner.png",
            "social-posts.txt",
            "social-posts-image.png",
            "social-posts.json",
            "registration-page.html",
        )
    }


def test_email_asks_for_kit_images_at_twice_their_shown_width(kit, ctx):
    html = render(kit, "invite-email", ctx, "html").data.decode()

    assert 'src="https://app.example/kit-media/fixture-kit@1/hero.png?w=1200"' in html


def test_ask_shown_size_leaves_other_images_alone():
    from tcma.cobrand.render.emails import ask_shown_size

    base = "https://app.example/kit-media/7/"
    html = (
        f'<img src="{base}a.png" width="188" alt=""><img src="{base}b.png" alt="">'
        '<img src="https://elsewhere.example/c.png" width="50" alt="">'
    )

    out = ask_shown_size(html, base)

    assert f'src="{base}a.png?w=376"' in out
    assert f'src="{base}b.png"' in out
    assert 'src="https://elsewhere.example/c.png"' in out


def test_sample_email_gives_the_partner_logo_a_width_and_a_height():
    from pathlib import Path

    from tcma.cobrand.render.source import FolderKitSource

    kit_folder = Path(__file__).resolve().parents[2] / "campaigns" / "vault-launch-datasheet"
    html = render(FolderKitSource(kit_folder), "launch-email", make_context(), "html").data.decode()

    # The context's logo is 320 x 120 px: shown 40 px high it is 107 px wide.
    assert 'width="107" height="40"' in html

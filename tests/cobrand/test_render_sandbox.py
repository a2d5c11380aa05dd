"""Kit templates are vendor-authored data: they run sandboxed and see only plain values."""

from __future__ import annotations

import pytest

from tcma.cobrand.render import MappingKitSource, RenderError
from tcma.cobrand.render.sandbox import format_date
from tests.cobrand.support import make_context, one_asset_kit, pdf_text, render


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__.__mro__",
        "''.__class__.__mro__[1].__subclasses__()",
        "cycler.__init__.__globals__",
        "self._TemplateReference__context",
        "joiner.__init__.__globals__.os",
        "namespace.__init__.__globals__",
        "range.__self__",
        "media.__globals__",
        "campaign.tracking_url.__closure__",
        "fields.__class__",
        "lipsum.__globals__['os']",
    ],
)
def test_sandbox_escapes_are_render_errors(ctx, expression):
    source = one_asset_kit(f"<p>{{{{ {expression} }}}}</p>", kind="landing")

    with pytest.raises(RenderError, match="not allowed|has no attribute|undefined"):
        render(source, "a", ctx, "html")


def test_security_error_message_names_the_template(ctx):
    source = one_asset_kit("<p>{{ ''.__class__.__mro__ }}</p>", kind="landing")

    with pytest.raises(RenderError, match=r"^a\.html: the template tried something not allowed"):
        render(source, "a", ctx, "html")


def test_templates_cannot_mutate_the_values_they_see(ctx):
    source = one_asset_kit("{{ fields.update({'headline': 'x'}) }}", kind="landing")

    with pytest.raises(RenderError, match="not allowed"):
        render(source, "a", ctx, "html")


def test_huge_repetition_is_refused_not_allocated(ctx):
    source = one_asset_kit("{{ 'x' * 10000000000 }}", kind="landing")

    with pytest.raises(RenderError, match="too long"):
        render(source, "a", ctx, "html")


def test_huge_exponent_is_refused(ctx):
    source = one_asset_kit("{{ 7 ** 100000000 }}", kind="landing")

    with pytest.raises(RenderError, match="exponent"):
        render(source, "a", ctx, "html")


@pytest.mark.parametrize(
    "name",
    ["/etc/passwd", "../other-kit/a.html", "../../etc/hostname", "media/hero.png", "kit.toml"],
)
def test_include_serves_only_this_kits_templates(ctx, name):
    source = one_asset_kit(f"{{% include {name!r} %}}", kind="landing")

    with pytest.raises(RenderError, match="is not a template of this kit"):
        render(source, "a", ctx, "html")


def test_extends_another_kits_template_fails(ctx, tmp_path):
    other = tmp_path / "other-kit"
    other.mkdir()
    (other / "base.html").write_text("OTHER KIT {% block body %}{% endblock %}")
    base = str(other / "base.html")
    source = one_asset_kit(
        f"{{% extends {base!r} %}}{{% block body %}}x{{% endblock %}}", kind="landing"
    )

    with pytest.raises(RenderError, match="is not a template of this kit"):
        render(source, "a", ctx, "html")


def test_include_and_extends_within_the_kit_work(ctx):
    source = one_asset_kit(
        '{% extends "base.html" %}{% block body %}{% include "part.html" %}{% endblock %}',
        kind="landing",
        extra_files={
            "base.html": b"<main>{% block body %}{% endblock %}</main>",
            "part.html": b"<p>{{ partner.name }}</p>",
        },
    )

    assert render(source, "a", ctx, "html").data == b"<main><p>Acme Resellers Ltd</p></main>"


def test_field_markup_is_escaped_in_html_outputs(ctx):
    source = one_asset_kit("<h1>{{ fields.headline }}</h1>", kind="landing")
    hostile = make_context(fields={"headline": '<script>alert("x")</script>'})

    html = render(source, "a", hostile, "html").data.decode()

    assert html == "<h1>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</h1>"


def test_field_markup_is_escaped_in_included_txt_and_css_templates(ctx):
    source = one_asset_kit(
        '<style>{% include "s.css" %}</style>{% include "t.txt" %}',
        kind="landing",
        extra_files={
            "s.css": b"h1 { color: {{ brand.primary_color }} }",
            "t.txt": b"{{ fields.headline }}",
        },
    )
    hostile = make_context(
        fields={"headline": "<script>x</script>"}, brand={"primary_color": "red}</style><script>y"}
    )

    html = render(source, "a", hostile, "html").data.decode()

    assert "<script>" not in html
    assert "&lt;/style&gt;" in html


def test_html_templates_cannot_mark_field_values_safe(ctx):
    source = one_asset_kit("<h1>{{ fields.headline | safe }}</h1>", kind="landing")

    with pytest.raises(RenderError, match="No filter named 'safe'"):
        render(source, "a", ctx, "html")


def test_html_templates_cannot_turn_escaping_off(ctx):
    source = one_asset_kit(
        "<p>ok</p>\n{% autoescape false %}{{ fields.headline }}{% endautoescape %}", kind="landing"
    )

    with pytest.raises(RenderError, match=r"a\.html, line 2: HTML templates cannot turn escaping"):
        render(source, "a", ctx, "html")


def test_text_templates_may_use_autoescape_blocks_and_are_not_escaped(kit):
    source = MappingKitSource(
        {
            "slug": "t",
            "fields": [{"key": "headline"}],
            "assets": [
                {
                    "key": "s",
                    "kind": "social",
                    "template": "i.html",
                    "width": 9,
                    "height": 9,
                    "networks": {"x": "x.txt"},
                },
            ],
        },
        {"i.html": b"", "x.txt": b"{% autoescape false %}{{ fields.headline }}{% endautoescape %}"},
        "text-autoescape@1",
    )
    ctx = make_context(fields={"headline": "Tom & Jerry <3"})

    assert render(source, "s", ctx, "json").data == b'{\n  "x": "Tom & Jerry <3"\n}'


def test_field_markup_is_plain_text_in_the_pdf(kit):
    hostile = make_context(fields={"headline": "<script>alert(1)</script>"})

    text = pdf_text(render(kit, "datasheet", hostile, "pdf").data)

    assert "<script>alert(1)</script>" in text


def test_template_sees_only_the_documented_values(ctx):
    extra = make_context(partner={"name": "Acme", "internal_id": 42, "api_token": "s3cret"})
    source = one_asset_kit("{{ partner.api_token }}", kind="landing")

    with pytest.raises(RenderError, match="api_token"):
        render(source, "a", extra, "html")


@pytest.mark.parametrize(
    "name", ["config", "request", "session", "os", "g", "url_for", "self.__init__"]
)
def test_app_objects_are_not_in_the_template_context(ctx, name):
    source = one_asset_kit(f"{{{{ {name} }}}}", kind="landing")

    with pytest.raises(RenderError):
        render(source, "a", ctx, "html")


def test_undefined_names_and_fields_are_errors_with_line_numbers(ctx):
    source = one_asset_kit("<p>ok</p>\n<p>{{ fields.not_declared }}</p>", kind="landing")

    with pytest.raises(RenderError, match=r"a\.html, line 2: .*not_declared"):
        render(source, "a", ctx, "html")


def test_syntax_error_reports_the_line(ctx):
    source = one_asset_kit("<p>\n{% if %}\n</p>", kind="landing")

    with pytest.raises(RenderError, match=r"a\.html, line 2"):
        render(source, "a", ctx, "html")


def test_runtime_error_in_an_expression_is_a_render_error(ctx):
    source = one_asset_kit("<p>\n{{ 1 / 0 }}</p>", kind="landing")

    with pytest.raises(RenderError, match=r"a\.html, line 2: ZeroDivisionError"):
        render(source, "a", ctx, "html")


def test_campaign_tracking_url_adds_utm_parameters(ctx):
    source = one_asset_kit("{{ campaign.tracking_url('hero') }}", kind="social", networks={})
    text_source = MappingKitSource(
        {
            **source.manifest,
            "assets": [
                {
                    "key": "s",
                    "kind": "social",
                    "template": "a.html",
                    "width": 10,
                    "height": 10,
                    "networks": {"x": "x.txt"},
                }
            ],
        },
        {"a.html": b"", "x.txt": b"{{ campaign.tracking_url('hero') }}"},
        "tracking@1",
    )

    text = render(text_source, "s", ctx, "json").data.decode()

    assert (
        "https://app.example/l/ACME-7Q2?utm_source=partner&utm_medium=email"
        "&utm_campaign=fixture&utm_content=hero"
    ) in text


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        ("2026-12-10", None, "10 December 2026"),
        ("2026-01-05", None, "5 January 2026"),
        ("2026-12-10", "%d %b", "10 Dec"),
        ("2026-12-10", "%A", "Thursday"),
        ("2026-12-10", "%a %d %b %Y, 100%%", "Thu 10 Dec 2026, 100%"),
        ("2026-12-10", "%B %-d", "December 10"),
        ("2026-12-10T14:30:00", None, "10 December 2026"),
        ("next Tuesday", None, "next Tuesday"),
        ("", None, ""),
        ("2026-13-45", None, "2026-13-45"),
        (None, None, None),
        ("2026-12-10", 42, "2026-12-10"),
    ],
)
def test_date_filter(value, fmt, expected):
    assert format_date(value, fmt) == expected


def test_date_filter_in_a_template(ctx):
    source = one_asset_kit(
        "{{ fields.event_date | date }}|{{ fields.event_date | date('%d/%m') }}|"
        "{{ 'soon' | date }}",
        kind="landing",
    )

    assert render(source, "a", ctx, "html").data == b"10 December 2026|10/12|soon"

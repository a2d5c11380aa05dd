"""Template problems a kit author sees when saving or importing a kit."""

from __future__ import annotations

from tcma.cobrand.render import MappingKitSource, TemplateProblem, validate_kit, validate_template

DECLARED = ["headline", "event_date"]


def _source(files: dict[str, str], assets: list[dict] | None = None) -> MappingKitSource:
    manifest = {
        "slug": "v",
        "fields": [{"key": key} for key in DECLARED],
        "assets": assets or [],
    }
    return MappingKitSource(manifest, {k: v.encode() for k, v in files.items()}, "v@1")


def test_a_clean_template_has_no_problems(kit):
    assert (
        validate_template(kit, "datasheet.html", ["headline", "event_date", "offer", "team_photo"])
        == []
    )


def test_syntax_error_is_reported_with_its_line():
    source = _source({"a.html": "<p>\n<p>{% if fields.headline %}\n</p>"})

    [problem] = validate_template(source, "a.html", DECLARED)

    assert problem.path == "a.html"
    assert problem.line == 2  # where the unclosed block starts
    assert "endif" in problem.message


def test_unknown_filter_is_reported():
    source = _source({"a.html": "<p>\n{{ fields.headline | shout }}</p>"})

    [problem] = validate_template(source, "a.html", DECLARED)

    assert problem.line == 2 and "shout" in problem.message


def test_undeclared_fields_by_attribute_and_by_item_are_reported():
    source = _source(
        {
            "a.html": "{{ fields.headline }}\n{{ fields.speaker }}\n{{ fields['budget'] }}\n"
            "{% for k, v in fields.items() %}{{ k }}{% endfor %}"
        }
    )

    assert validate_template(source, "a.html", DECLARED) == [
        TemplateProblem("a.html", 2, "fields.speaker is not a field declared in kit.toml"),
        TemplateProblem("a.html", 3, "fields.budget is not a field declared in kit.toml"),
    ]


def test_undefined_top_level_names_are_reported():
    source = _source(
        {
            "a.html": "{{ partner.name }}{{ media('x.png') }}{% set local = 1 %}{{ local }}\n"
            "{{ config.SECRET_KEY }}\n{% for item in range(3) %}{{ item }}{{ request }}{% endfor %}"
        }
    )

    problems = validate_template(source, "a.html", DECLARED)

    assert [(p.line, p.message) for p in problems] == [
        (2, "'config' is not defined for kit templates"),
        (3, "'request' is not defined for kit templates"),
    ]


def test_including_a_missing_or_foreign_template_is_reported():
    source = _source({"a.html": '{% include "parts/x.html" %}\n{% include "/etc/passwd" %}'})

    problems = validate_template(source, "a.html", DECLARED)

    assert [p.line for p in problems] == [1, 2]
    assert all("is not a template of this kit" in p.message for p in problems)


def test_missing_template_is_reported():
    assert validate_template(_source({}), "nope.html", DECLARED) == [
        TemplateProblem("nope.html", 0, "The kit has no template 'nope.html'")
    ]


def test_validate_kit_checks_assets_includes_subjects_and_the_lead_form():
    source = _source(
        {
            "email.html": '{% include "part.html" %}',
            "part.html": "{{ fields.nope }}",
            "landing.html": "<h1>{{ fields.headline }}</h1>",
        },
        assets=[
            {
                "key": "e",
                "kind": "email",
                "template": "email.html",
                "subject": "{{ fields.title }}",
            },
            {"key": "l", "kind": "landing", "template": "landing.html"},
            {"key": "s", "kind": "social", "template": "img.html", "networks": {"x": "x.txt"}},
        ],
    )

    messages = {(p.path, p.message) for p in validate_kit(source)}

    assert messages == {
        ("kit.toml assets.e.subject", "fields.title is not a field declared in kit.toml"),
        ("part.html", "fields.nope is not a field declared in kit.toml"),
        ("landing.html", "A landing page must contain {{ lead_form }}"),
        ("img.html", "The kit has no template 'img.html'"),
        ("x.txt", "The kit has no template 'x.txt'"),
    }


def test_fixture_kit_is_valid(kit):
    assert validate_kit(kit) == []

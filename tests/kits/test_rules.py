"""Pure rules: the kit.toml schema, names inside a kit, field values, visibility."""

from __future__ import annotations

import tomllib

import pytest

from tcma.kits import rules
from tcma.kits.manifest import dump_manifest, manifest_problems, parse_manifest
from tcma.kits.rules import PackageError
from tests.kits.support import KIT_TOML, kit_files

PATHS = set(kit_files()) - {"kit.toml"}


def manifest(**changes: object) -> dict:
    data = tomllib.loads(KIT_TOML)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def problems_of(data: dict) -> str:
    return " | ".join(manifest_problems(data, PATHS))


def test_the_small_kit_is_valid() -> None:
    assert manifest_problems(manifest(), PATHS) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": None}, "kit.toml name: 'name' is required"),
        ({"slug": "Spring Promo"}, "kit.toml slug: use lowercase letters, digits and dashes"),
        ({"objective": "fame"}, "kit.toml objective: 'fame' is not one of"),
        (
            {"regions": ["Mars"]},
            "kit.toml regions: 'regions' has 'Mars'; use NA, LATAM, EMEA, APAC",
        ),
        ({"tags": "backup"}, "kit.toml tags: 'tags' must be a list of strings"),
        (
            {"cover": "media/missing.png"},
            "'cover' names 'media/missing.png', which is not in the kit",
        ),
        ({"colour": "blue"}, "kit.toml (top level): unknown key 'colour'"),
        ({"assets": []}, "kit.toml assets: a kit needs at least one [[assets]] entry"),
    ],
)
def test_manifest_problems_name_the_key(changes: dict, message: str) -> None:
    assert message in problems_of(manifest(**changes))


def test_asset_problems_name_the_asset_and_setting() -> None:
    data = manifest()
    data["assets"][0].pop("subject")
    data["assets"][2]["page_size"] = "A0"
    data["assets"][3]["networks"] = {"myspace": "post-x.txt"}
    data["assets"][4]["width"] = 99999
    data["assets"][1]["template"] = "nowhere.html"
    data["assets"].append({"key": "invite", "kind": "fax", "name": "Fax"})
    found = problems_of(data)
    assert "assets[0] (invite): 'subject' is required" in found
    assert "assets[2] (flyer): 'page_size' must be one of A4, Letter" in found
    assert "assets[3] (post): 'networks' has 'myspace'; use linkedin, x, facebook" in found
    assert "assets[4] (banner): 'width' must be from 50 to 4000 pixels" in found
    assert "assets[1] (page): 'template' names 'nowhere.html', which is not in the kit" in found
    assert "assets[5] (invite): the key 'invite' is used by two assets" in found
    assert "'kind' must be one of email, landing, print, social, banner" in found


def test_field_problems_check_type_limits_and_defaults() -> None:
    data = manifest()
    data["fields"] += [
        {"key": "when", "label": "When", "type": "date", "default": "next week"},
        {"key": "slot", "label": "Slot", "type": "choice"},
        {"key": "photo", "label": "Photo", "type": "image", "default": "me.png"},
        {"key": "Bad-Key", "label": "Bad", "type": "text"},
        {"key": "colour", "label": "Colour", "type": "colour", "max_length": 7},
        {"key": "headline", "label": "Again", "type": "telepathy"},
    ]
    found = problems_of(data)
    assert "fields[2] (when): 'default' must be a date written YYYY-MM-DD" in found
    assert "fields[3] (slot): 'choices' must list the options" in found
    assert "fields[4] (photo): image fields cannot have a default" in found
    assert "fields[5] (Bad-Key): 'key' must be lowercase letters, digits and underscores" in found
    assert "fields[6] (colour): 'max_length' is not used by colour fields" in found
    assert "fields[7] (headline): the key 'headline' is used by two fields" in found
    assert "'type' must be one of text, long_text" in found


def test_default_longer_than_max_length_is_refused() -> None:
    data = manifest()
    data["fields"][0]["default"] = "x" * 81
    assert "fields[0] (headline): 'default' is longer than 80 characters" in problems_of(data)


def test_broken_toml_says_where() -> None:
    with pytest.raises(PackageError) as caught:
        parse_manifest(b'name = "unterminated\n')
    assert "kit.toml is not valid TOML" in caught.value.problems[0]
    assert "line 1" in caught.value.problems[0]


def test_dump_then_parse_gives_the_same_manifest() -> None:
    data = manifest(change_note=None)
    again = parse_manifest(dump_manifest(data, "Second version"))
    assert again.pop("change_note") == "Second version"
    assert again == data


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../kit.toml", "'..'"),
        ("media/../../etc/passwd", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:/Windows/evil.html", "absolute"),
        ("media\\logo.png", "backslashes"),
        ("media//logo.png", "empty folder names"),
        ("bad\x00name.html", "control characters"),
    ],
)
def test_unsafe_paths_are_refused(path: str, reason: str) -> None:
    assert reason in rules.path_problem(path)


def test_safe_paths_pass() -> None:
    assert rules.path_problem("media/fonts/Inter.woff2") is None


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("kit.toml", "manifest"),
        ("invite.html", "template"),
        ("partials/footer.txt", "template"),
        ("media/logo.PNG", "image"),
        ("media/font.woff2", "font"),
        ("media/logo.svg", "svg"),
        ("logo.png", None),
        ("run.exe", None),
        ("script.py", None),
        ("media/kit.toml", None),
    ],
)
def test_file_kinds(path: str, kind: str | None) -> None:
    assert rules.file_kind(path) == kind


@pytest.mark.parametrize(
    ("tiers", "regions", "tier", "region", "visible"),
    [
        ([], [], "registered", "APAC", True),
        (["gold"], [], "gold", "NA", True),
        (["gold"], [], "registered", "NA", False),
        (["Gold", "platinum"], ["EMEA"], "gold", "EMEA", True),
        (["gold"], ["EMEA"], "gold", "NA", False),
        ([], ["NA", "LATAM"], "registered", "LATAM", True),
    ],
)
def test_visibility_by_tier_and_region(tiers, regions, tier, region, visible) -> None:
    assert rules.visible_to(tiers, regions, tier, region) is visible


@pytest.mark.parametrize(
    ("spec", "value", "ok"),
    [
        ({"type": "url"}, "https://example.com/x", True),
        ({"type": "url"}, "javascript:alert(1)", False),
        ({"type": "email"}, "events@acme.example", True),
        ({"type": "phone"}, "+44 20 7946 0000", True),
        ({"type": "phone"}, "call me", False),
        ({"type": "colour"}, "#0B5FFF", True),
        ({"type": "colour"}, "blue", False),
        ({"type": "choice", "choices": ["a", "b"]}, "c", False),
        ({"type": "text", "max_length": 3}, "abcd", False),
    ],
)
def test_field_values(spec: dict, value: str, ok: bool) -> None:
    assert (rules.field_value_problem(spec, value) is None) is ok


def test_content_digest_changes_with_any_file() -> None:
    files = {"a.html": {"sha256": "1", "size": 1}}
    same = rules.content_digest({"slug": "x"}, files)
    assert same == rules.content_digest({"slug": "x"}, dict(files))
    assert same != rules.content_digest({"slug": "x"}, {"a.html": {"sha256": "2", "size": 1}})
    assert same != rules.content_digest({"slug": "y"}, files)


def test_slugify() -> None:
    assert rules.slugify("Q3 Launch — EMEA!") == "q3-launch-emea"
    assert rules.slugify("???") == "kit"

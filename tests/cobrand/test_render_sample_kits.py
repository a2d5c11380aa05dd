"""Every asset of every sample kit in campaigns/ renders to every target, as a partner sees it."""

from __future__ import annotations

import email
import json
import re
import tomllib
from email import policy
from pathlib import Path
from typing import Any

import pytest

from tcma.cobrand.render import TARGETS, FolderKitSource, RenderContext, validate_kit
from tests.cobrand.support import HERO_PNG, LEAD_FORM, make_context, pdf_text, png_size, render

CAMPAIGNS = Path(__file__).resolve().parents[2] / "campaigns"
SAMPLE_KITS = sorted(path.parent for path in CAMPAIGNS.glob("*/kit.toml"))
PREVIEW_SIZES = {"A4": (1241, 1754), "Letter": (1275, 1650)}  # page 1 at 150 dpi
DISPLAY_NAME = "Acme Cloud Services"


def _cases() -> list[Any]:
    cases = []
    for folder in SAMPLE_KITS:
        try:
            manifest = tomllib.loads((folder / "kit.toml").read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            cases.append(pytest.param(folder, "kit.toml", "", id=f"{folder.name}-kit.toml"))
            continue
        for asset in manifest.get("assets", []):
            for target in TARGETS.get(asset.get("kind"), ("?",)):
                case_id = f"{folder.name}-{asset.get('key')}-{target}"
                cases.append(pytest.param(folder, asset.get("key"), target, id=case_id))
    return cases


def _sample_value(spec: dict[str, Any]) -> str:
    """A value a partner might type, distinct enough to find in the output."""
    kind, label = spec.get("type", "text"), spec.get("label", spec["key"])
    values = {
        "date": "2026-12-10",
        "url": "https://acme.example/resources/recording",
        "email": "events@acme.example",
        "phone": "+44 20 7946 0000",
        "colour": "#0b5cab",
        "choice": (spec.get("choices") or [""])[0],
    }
    value = values.get(kind, f"Acme {label}")
    return value[: spec["max_length"]] if spec.get("max_length") else value


def _partner_context(source: FolderKitSource) -> RenderContext:
    fields = source.manifest.get("fields", [])
    return make_context(
        fields={f["key"]: _sample_value(f) for f in fields if f.get("type") != "image"},
        field_images={f["key"]: HERO_PNG for f in fields if f.get("type") == "image"},
        field_image_urls={
            f["key"]: f"https://app.example/field-image/{f['key']}"
            for f in fields
            if f.get("type") == "image"
        },
    )


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.skipif(not SAMPLE_KITS, reason="no sample kit in campaigns/ yet")
@pytest.mark.parametrize(("folder", "asset_key", "target"), _cases())
def test_sample_kit_asset_renders(folder: Path, asset_key: str, target: str) -> None:
    source = FolderKitSource(folder)
    asset = next(a for a in source.manifest["assets"] if a["key"] == asset_key)
    ctx = _partner_context(source)

    result = render(source, asset_key, ctx, target)

    assert result.data
    assert result.refused_urls == (), "the kit asks for files WeasyPrint may not fetch"
    if target == "pdf":
        text = _flat(pdf_text(result.data))
        assert DISPLAY_NAME in text
        values = [_flat(v) for k, v in ctx.fields.items() if v]
        assert any(value in text for value in values), "no field value shows in the PDF"
    elif target == "png":
        if asset["kind"] == "print":
            expected = PREVIEW_SIZES[asset.get("page_size", "A4")]
        else:
            expected = (asset["width"], asset["height"])
        assert png_size(result.data) == expected
    elif target == "html" and asset["kind"] == "email":
        assert "<style" not in result.data.decode().lower()
    elif target == "html" and asset["kind"] == "landing":
        assert LEAD_FORM in result.data.decode()
    elif target == "eml":
        message = email.message_from_bytes(result.data, policy=policy.default)
        assert message["Subject"]
        assert message.get_body(("plain",)).get_content().strip()
    elif target == "json":
        posts = json.loads(result.data)
        assert len(posts.get("x", "")) <= 280


@pytest.mark.skipif(not SAMPLE_KITS, reason="no sample kit in campaigns/ yet")
@pytest.mark.parametrize("folder", SAMPLE_KITS, ids=[p.name for p in SAMPLE_KITS])
def test_sample_kit_templates_are_valid(folder: Path) -> None:
    assert validate_kit(FolderKitSource(folder)) == []

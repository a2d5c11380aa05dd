"""Helpers shared by the render engine tests: contexts, a fake storage, PDF and PNG readers."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import pypdf
from PIL import Image

from tcma.cobrand.render import MappingKitSource, RenderContext, render_asset
from tcma.storage import StorageNotFound

FIXTURE_KIT = Path(__file__).parent / "kits" / "fixture-kit"
HERO_PNG = (FIXTURE_KIT / "media" / "hero.png").read_bytes()

LEAD_FORM = '<form method="post" action="/l/ACME-7Q2/leads"><input name="email"></form>'

#: Renders in the test process: for tests that do not test the pool's limits.
render = partial(render_asset, pool=None)


def make_context(**overrides: Any) -> RenderContext:
    """A realistic partner context; keyword arguments replace any of its values."""
    values: dict[str, Any] = {
        "partner": {"name": "Acme Resellers Ltd", "tier": "gold", "region": "EMEA"},
        "brand": {
            "display_name": "Acme Cloud Services",
            "primary_color": "#0b5cab",
            "email": "events@acme.example",
            "phone": "+44 20 7946 0000",
            "website": "https://acme.example",
        },
        "brand_logo": HERO_PNG,
        "brand_version": "acme-brand@1",
        "fields": {"headline": "Restore drills for busy teams", "event_date": "2026-12-10"},
        "campaign": {
            "code": "ACME-7Q2",
            "landing_url": "https://app.example/l/ACME-7Q2",
            "utm": {"utm_source": "partner", "utm_medium": "email", "utm_campaign": "fixture"},
        },
        "kit": {"name": "Backup readiness kit", "slug": "fixture-kit", "version": "1"},
        "vendor": {"name": "Northbeam Software", "website": "https://northbeam.example"},
        "media_base_url": "https://app.example/kit-media/fixture-kit@1/",
        "brand_logo_url": "https://app.example/brand-logo/acme-brand@1",
        "lead_form_html": LEAD_FORM,
    }
    values.update(overrides)
    return RenderContext(**values)


def one_asset_kit(
    template: bytes | str,
    *,
    kind: str = "print",
    extra_files: dict[str, bytes] | None = None,
    version_key: str | None = None,
    **asset: Any,
) -> MappingKitSource:
    """A kit whose only asset ``a`` uses ``template`` (for focused sandbox tests)."""
    body = template.encode() if isinstance(template, str) else template
    files = {"a.html": body, **(extra_files or {})}
    if version_key is None:
        # Unique per content, as the version key contract requires (workers cache by it).
        digest = hashlib.sha256(repr((sorted(files.items()), asset)).encode()).hexdigest()
        version_key = f"one-asset@{digest[:16]}"
    manifest = {
        "slug": "one-asset",
        "name": "One asset",
        "fields": [{"key": "headline", "type": "text"}, {"key": "event_date", "type": "date"}],
        "assets": [{"key": "a", "kind": kind, "name": "A", "template": "a.html", **asset}],
    }
    return MappingKitSource(manifest, files, version_key)


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, as a reader would copy it."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_figures(data: bytes) -> list[str | None]:
    """The alternative text of each figure in a tagged PDF's structure tree (None: none),
    what a screen reader announces for each picture it meets."""
    found: list[str | None] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            if node.get("/S") == "/Figure":
                found.append(str(node["/Alt"]) if "/Alt" in node else None)
            if "/K" in node:
                walk(node["/K"])

    walk(pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]["/StructTreeRoot"])
    return found


def pdf_attachments(data: bytes) -> dict[str, Any]:
    """The files embedded in a PDF, by name."""
    return dict(pypdf.PdfReader(io.BytesIO(data)).attachments)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG (and proof that it is one)."""
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.size


class FakeStorage:
    """An in-memory tcma.storage.Storage that counts its calls."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.calls: Counter[str] = Counter()

    def put(self, key: str, data: bytes | BinaryIO, content_type: str = "") -> str:
        self.calls["put"] += 1
        self.files[key] = data if isinstance(data, bytes) else data.read()
        return key

    def read(self, key: str) -> bytes:
        self.calls["read"] += 1
        try:
            return self.files[key]
        except KeyError:
            raise StorageNotFound(key) from None

    def exists(self, key: str) -> bool:
        self.calls["exists"] += 1
        return key in self.files

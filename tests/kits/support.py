"""A small valid kit to build on, and helpers that make zips (good and hostile) in memory."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace
from typing import Any

from PIL import Image

from tcma.kits import importer
from tcma.kits.package import read_zip

KIT_TOML = """\
slug = "spring-promo"
name = "Spring backup promotion"
summary = "An email, a landing page, a flyer, a social post and a banner for the spring promotion."
objective = "lead_generation"
audience = "IT managers"
tags = ["backup", "promotion"]
tiers = []
regions = []
cover = "media/cover.png"
change_note = "First version"

[[fields]]
key = "headline"
label = "Headline"
type = "text"
required = true
default = "Backups you can restore"
max_length = 80

[[fields]]
key = "event_date"
label = "Event date"
type = "date"
required = false
default = "2027-03-01"

[[assets]]
key = "invite"
kind = "email"
name = "Invitation email"
template = "invite.html"
subject = "{{ fields.headline }}"

[[assets]]
key = "page"
kind = "landing"
name = "Landing page"
template = "page.html"

[[assets]]
key = "flyer"
kind = "print"
name = "Flyer"
template = "flyer.html"
page_size = "A4"

[[assets]]
key = "post"
kind = "social"
name = "Social post"
template = "post.html"
width = 400
height = 200
[assets.networks]
x = "post-x.txt"

[[assets]]
key = "banner"
kind = "banner"
name = "Banner"
template = "banner.html"
width = 300
height = 100
"""


def png_bytes(size: tuple[int, int] = (60, 40), colour: str = "#1f3a5f", fmt: str = "PNG") -> bytes:
    """A real image of the given size and format."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def kit_files() -> dict[str, bytes]:
    """The files of a small valid kit (kit.toml included)."""
    files: dict[str, bytes] = {
        "kit.toml": KIT_TOML.encode(),
        "invite.html": b"<table><tr><td><h1>{{ fields.headline }}</h1>"
        b"<p>{{ brand.display_name }} on {{ fields.event_date | date }}</p>"
        b"</td></tr></table>",
        "page.html": b"<h1>{{ fields.headline }}</h1>{{ lead_form }}",
        "flyer.html": b'<h1>{{ fields.headline }}</h1><img src="{{ media(\'logo.png\') }}" alt="">',
        "post.html": b'<div style="background:#123">{{ fields.headline }}</div>',
        "post-x.txt": b"{{ fields.headline }} with {{ brand.display_name }}",
        "banner.html": b"<p>{{ fields.headline }}</p>",
        "media/logo.png": png_bytes(),
        "media/cover.png": png_bytes((120, 63)),
    }
    return files


def with_files(changes: dict[str, bytes | str | None]) -> dict[str, bytes]:
    """The small kit with files replaced, added or (None) removed, by exact path."""
    files = kit_files()
    for path, data in changes.items():
        if data is None:
            files.pop(path, None)
        else:
            files[path] = data if isinstance(data, bytes) else data.encode()
    return files


def make_zip(
    files: dict[str, bytes], *, folder: str = "", compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """A zip of files, optionally inside one top-level folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for path, data in files.items():
            archive.writestr(folder + path, data)
    return buffer.getvalue()


def write_folder(root: Any, files: dict[str, bytes]) -> Any:
    """Write files into a folder (a kit folder) and return it."""
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def matrix_kit(ctx: SimpleNamespace) -> SimpleNamespace:
    """For the access matrix: the small kit published for gold partners in EMEA (partner A)."""
    if not hasattr(ctx, "kit_objects"):
        app = ctx.app
        toml = KIT_TOML.replace("tiers = []", 'tiers = ["gold"]').replace(
            "regions = []", 'regions = ["EMEA"]'
        )
        package = read_zip(make_zip({**kit_files(), "kit.toml": toml.encode()}))
        session = app.extensions["tcma.sessionmaker"]()
        result = importer.import_package(session, app.extensions["tcma.storage"], package, None)
        session.commit()
        ctx.kit_objects = SimpleNamespace(kit_id=result.kit.id, version_id=result.version.id)
        session.close()
    return ctx.kit_objects

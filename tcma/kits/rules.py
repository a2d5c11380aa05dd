"""Pure rules of kits: the kit.toml schema, file types and paths, limits, visibility."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from tcma.accounts import rules as account_rules
from tcma.exceptions import DomainError

REGIONS = account_rules.REGIONS
KINDS = ("email", "landing", "print", "social", "banner")
KIND_LABELS = {
    "email": "Email",
    "landing": "Landing page",
    "print": "Print (PDF)",
    "social": "Social post",
    "banner": "Banner",
}
FIELD_TYPES = ("text", "long_text", "date", "url", "email", "phone", "choice", "image", "colour")
FIELD_TYPE_LABELS = {
    "text": "Text",
    "long_text": "Long text",
    "date": "Date",
    "url": "Web address",
    "email": "Email address",
    "phone": "Phone number",
    "choice": "Choice",
    "image": "Image",
    "colour": "Colour",
}
OBJECTIVES = {
    "awareness": "Awareness",
    "lead_generation": "Lead generation",
    "pipeline_acceleration": "Pipeline acceleration",
    "customer_retention": "Customer retention",
}
PAGE_SIZES = ("A4", "Letter")
NETWORKS = ("linkedin", "x", "facebook")
LENGTH_TYPES = frozenset({"text", "long_text", "url", "email", "phone"})
MIN_PIXELS, MAX_PIXELS = 50, 4000
MAX_LENGTH_LIMIT = 5000

MAX_ENTRIES = 500
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
TEMPLATE_SUFFIXES = (".html", ".htm", ".txt", ".css")
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
FONT_MAGIC = {
    ".ttf": (b"\x00\x01\x00\x00", b"true"),
    ".otf": (b"OTTO",),
    ".woff": (b"wOFF",),
    ".woff2": (b"wOF2",),
}
ALLOWED_FILES_TEXT = (
    "only kit.toml, templates (.html, .htm, .txt, .css), images in media/ "
    "(.png, .jpg, .gif, .webp) and fonts in media/ (.ttf, .otf, .woff, .woff2) "
    "may be in a kit"
)

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
FIELD_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ASSET_KEY_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
LABEL_RE = re.compile(r"^[^|\x00-\x1f]{1,40}$")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{5,30}$")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

TOP_KEYS = frozenset(
    {
        "slug",
        "name",
        "summary",
        "objective",
        "audience",
        "tags",
        "tiers",
        "regions",
        "cover",
        "change_note",
        "fields",
        "assets",
    }
)
FIELD_KEYS = frozenset(
    {"key", "label", "type", "required", "default", "max_length", "help", "choices"}
)
ASSET_KEYS = frozenset({"key", "kind", "name", "template", "fields"})
#: A print asset's bleed for its print-ready PDF: millimetres, e.g. "3mm" (0 to 10).
MAX_BLEED_MM = 10
DEFAULT_BLEED = "3mm"


def bleed_mm(value: object) -> float | None:
    """The bleed in millimetres, or None when ``value`` is not like "3mm" within the limit."""
    if not isinstance(value, str) or not value.strip().lower().endswith("mm"):
        return None
    try:
        number = float(value.strip()[:-2])
    except ValueError:
        return None
    return number if 0 <= number <= MAX_BLEED_MM else None


KIND_KEYS = {
    "email": {"subject", "preheader", "text_template"},
    "landing": set(),
    "print": {"page_size", "bleed"},
    "banner": {"width", "height"},
    "social": {"width", "height", "networks"},
}


class KitError(DomainError):
    """A rule about kits was broken; the message is for the user, ``field`` names the input."""


class Problem(NamedTuple):
    """One thing wrong with a kit: the file (or 'kit.toml') it is in, its line (0: unknown)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path} line {self.line}" if self.line else self.path
        return self.message if self.message.startswith(where) else f"{where}: {self.message}"


class DraftRefused(KitError):
    """A change to a draft was refused: it would make the kit invalid."""

    def __init__(self, problems: list[Problem], slots: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems
        # Which form input each new file came from, so problems show next to it.
        self.slots = slots or {}


class PackageError(Exception):
    """A kit package (folder or zip) was refused; ``problems`` says every reason found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def path_problem(path: str) -> str | None:
    """Why ``path`` may not name a file inside a kit, or None when it is a safe relative path."""
    if not path:
        return "an entry has an empty name"
    if "\\" in path:
        return f"{path!r}: backslashes are not allowed in names"
    if _CONTROL_RE.search(path):
        return f"{path!r}: control characters are not allowed in names"
    if path.startswith("/") or _DRIVE_RE.match(path):
        return f"{path!r}: absolute paths are not allowed"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return f"{path!r}: '..', '.' and empty folder names are not allowed"
    if len(path) > 200:
        return f"{path!r}: the name is longer than 200 characters"
    return None


def file_kind(path: str) -> str | None:
    """What a kit file is by its name: manifest, template, image, font, svg or None."""
    lower = path.lower()
    if path == "kit.toml":
        return "manifest"
    suffix = lower[lower.rfind(".") :] if "." in lower.rsplit("/", 1)[-1] else ""
    if suffix in TEMPLATE_SUFFIXES:
        return "template"
    if suffix in (".svg", ".svgz"):
        return "svg"
    in_media = lower.startswith("media/")
    if suffix in IMAGE_FORMATS and in_media:
        return "image"
    if suffix in FONT_MAGIC and in_media:
        return "font"
    return None


def is_ignored_entry(path: str) -> bool:
    """Files archivers add on their own (macOS resource forks, Finder and Explorer metadata)."""
    name = path.rsplit("/", 1)[-1]
    return path.startswith("__MACOSX/") or name in (".DS_Store", "Thumbs.db", "desktop.ini")


def font_problem(path: str, data: bytes) -> str | None:
    """Why a font file is not what its name says, or None."""
    suffix = path.lower()[path.rfind(".") :]
    if not data.startswith(FONT_MAGIC[suffix]):
        return f"{path}: the content is not a {suffix[1:].upper()} font"
    return None


def visible_to(tiers: Iterable[str], regions: Iterable[str], tier: str, region: str) -> bool:
    """A kit lists the tiers and regions that may see it; an empty list means all of them."""
    tiers, regions = [t.casefold() for t in tiers], list(regions)
    return (not tiers or tier.casefold() in tiers) and (not regions or region in regions)


def content_digest(manifest: dict[str, Any], files: dict[str, dict[str, Any]]) -> str:
    """A hash of a kit's manifest and file contents: equal digests mean the same kit."""
    canonical = json.dumps(
        {"manifest": manifest, "files": {p: f["sha256"] for p, f in sorted(files.items())}},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def slugify(text: str) -> str:
    """A kit slug from a name: 'Q3 Launch — EMEA' -> 'q3-launch-emea'."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug[:60].strip("-") or "kit"


def field_value_problem(spec: dict[str, Any], value: str) -> str | None:
    """Why ``value`` does not suit the field ``spec`` (its type, choices, length), or None."""
    kind, max_length = spec.get("type"), spec.get("max_length")
    if kind in LENGTH_TYPES and isinstance(max_length, int) and len(value) > max_length:
        return f"is longer than {max_length} characters"
    if kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "must be a date written YYYY-MM-DD"
    if kind == "url" and not re.match(r"^https?://[^\s/]+", value):
        return "must be a web address starting with http:// or https://"
    if kind == "email" and not EMAIL_RE.match(value):
        return "must be an email address"
    if kind == "phone" and not PHONE_RE.match(value):
        return "must be a phone number (digits, spaces, + ( ) . - /)"
    if kind == "colour" and not COLOUR_RE.match(value):
        return "must be a colour written #rrggbb"
    if kind == "choice" and value not in (spec.get("choices") or []):
        return "must be one of the choices"
    return None

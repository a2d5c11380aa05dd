"""Pure rules of campaigns: co-brand field values by type, field images, tracking parameters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from tcma.cobrand import rules as brand_rules
from tcma.cobrand.rules import CleanImage

#: Longest value of a field type when the kit sets no max_length.
DEFAULT_MAX_LENGTH = {"text": 200, "long_text": 2000, "url": 2000, "email": 254, "phone": 40}
LENGTH_TYPES = frozenset(DEFAULT_MAX_LENGTH)
#: Longest value of any other field type (a date, a choice, a colour).
MAX_ANY_LENGTH = 200
MAX_NAME_LENGTH = 120
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
MAX_FIELD_IMAGE_BYTES = 5 * 1024 * 1024
MAX_FIELD_IMAGE_SIDE = 4000
#: The medium of tracking links in each kind of asset.
UTM_MEDIUM = {
    "email": "email",
    "landing": "landing-page",
    "print": "print",
    "social": "social",
    "banner": "display",
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Tabs and newlines are text; every other control character is refused.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FieldErrors(Exception):
    """Field values were refused; ``problems`` maps each field key to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def field_defaults(specs: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The kit's default value of each field that has one."""
    return {
        spec["key"]: str(spec["default"])
        for spec in specs
        if spec.get("default") is not None and spec.get("type") != "image"
    }


def max_length(spec: Mapping[str, Any]) -> int:
    """The longest value a field takes."""
    limit = spec.get("max_length")
    return (
        limit
        if isinstance(limit, int) and limit > 0
        else DEFAULT_MAX_LENGTH.get(spec.get("type", "text"), 200)
    )


def clean_field_value(spec: Mapping[str, Any], raw: str | None) -> tuple[str, str | None]:
    """Return (the value as stored, the problem or None) for one non-image field."""
    kind = spec.get("type", "text")
    value = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not value:
        if spec.get("required"):
            verb = "Choose" if kind in ("choice", "date", "colour") else "Enter"
            return "", f"{verb} a value: this field is required."
        return "", None
    if _CONTROL.search(value):
        return value, "Remove the control characters."
    if kind != "long_text" and "\n" in value:
        return value, "Use a single line."
    # Dates, choices and colours have a fixed form; their own check says what is wrong.
    if kind in LENGTH_TYPES and len(value) > max_length(spec):
        return value, f"Use at most {max_length(spec)} characters (now {len(value)})."
    if kind not in LENGTH_TYPES and len(value) > MAX_ANY_LENGTH:
        return value, f"Use at most {MAX_ANY_LENGTH} characters."
    return _typed(kind, value, spec)


def _typed(kind: str, value: str, spec: Mapping[str, Any]) -> tuple[str, str | None]:
    if kind == "date":
        try:
            if not _DATE.match(value):
                raise ValueError
            return dt.date.fromisoformat(value).isoformat(), None
        except ValueError:
            return value, "Enter a date as YYYY-MM-DD, for example 2026-12-10."
    if kind == "url":
        return value, brand_rules.web_address_problem(value)
    if kind == "email":
        return value, brand_rules.email_problem(value)
    if kind == "phone":
        return value, brand_rules.phone_problem(value)
    if kind == "choice":
        choices = [str(choice) for choice in spec.get("choices") or []]
        return value, None if value in choices else f"Choose one of: {', '.join(choices)}."
    if kind == "colour":
        try:
            return brand_rules.normalise_hex(value), None
        except ValueError:
            return value, "Enter a colour as #rrggbb, for example #0b5fff."
    return value, None


def clean_field_values(
    specs: Iterable[Mapping[str, Any]],
    raw: Mapping[str, str | None],
    image_keys: Mapping[str, str],
) -> dict[str, str]:
    """Every declared field's stored value, or FieldErrors naming every bad one.

    ``image_keys`` maps image fields to the storage key of their (already checked) image.
    """
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    for spec in specs:
        key = spec["key"]
        if spec.get("type") == "image":
            if image_keys.get(key):
                values[key] = image_keys[key]
            elif spec.get("required"):
                problems[key] = "Upload an image: this field is required."
            continue
        value, problem = clean_field_value(spec, raw.get(key))
        values[key] = value
        if problem:
            problems[key] = problem
    if problems:
        raise FieldErrors(problems)
    return values


def usable_values(
    specs: Iterable[Mapping[str, Any]], raw: Mapping[str, str | None]
) -> dict[str, str]:
    """The values a preview may show: the valid ones; an invalid one shows as empty."""
    values = {}
    for spec in specs:
        if spec.get("type") != "image" and spec["key"] in raw:
            value, problem = clean_field_value({**spec, "required": False}, raw[spec["key"]])
            values[spec["key"]] = "" if problem else value
    return values


def clean_field_image(data: bytes) -> CleanImage:
    """An image field's upload, checked by content and re-encoded (ImageRejected if bad)."""
    return brand_rules.clean_image(
        data, formats=IMAGE_FORMATS, max_bytes=MAX_FIELD_IMAGE_BYTES, max_side=MAX_FIELD_IMAGE_SIDE
    )


def campaign_name_problem(name: str) -> str | None:
    """Why a campaign name is refused, or None."""
    if not name.strip():
        return "Name the campaign so your team can find it."
    if len(name.strip()) > MAX_NAME_LENGTH:
        return f"Use at most {MAX_NAME_LENGTH} characters."
    if _CONTROL.search(name) or "\n" in name.strip():
        return "Use a single line."
    return None


def default_campaign_name(kit_name: str, today: dt.date) -> str:
    """What a new campaign is called until the partner renames it."""
    return f"{kit_name} – {today:%B %Y}"[:MAX_NAME_LENGTH]


def utm_parameters(kit_slug: str, code: str, asset_kind: str) -> dict[str, str]:
    """UTM parameters of the tracking links in one asset of a campaign."""
    return {
        "utm_source": "partner",
        "utm_medium": UTM_MEDIUM.get(asset_kind, asset_kind),
        "utm_campaign": f"{kit_slug}-{code}" if code else kit_slug,
    }

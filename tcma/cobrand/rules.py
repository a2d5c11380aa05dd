"""Pure rules of brands: colours and their contrast, contact details, uploaded images."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_PRIMARY = "#0b5fff"
DEFAULT_SECONDARY = "#14213d"
#: WCAG 2 AA for normal text: below this, text in the colour on white is hard to read.
MIN_CONTRAST = 4.5

LOGO_FORMATS = ("PNG", "JPEG")
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_SIDE = 4000

LIMITS = {
    "display_name": 120,
    "website": 300,
    "phone": 40,
    "email": 254,
    "address": 300,
    "description": 500,
}

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{3,38}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ImageRejected(Exception):
    """An uploaded image was refused; the message is for the user."""


class BrandError(Exception):
    """Brand values were refused; ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class CleanImage:
    """An image decoded, checked and re-encoded: nothing of the upload's bytes survives."""

    data: bytes
    width: int
    height: int
    format: str

    @property
    def content_type(self) -> str:
        return f"image/{self.format.lower()}"

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "JPEG" else self.format.lower()


def normalise_hex(value: str) -> str:
    """'#ABC' or 'aabbcc' -> '#aabbcc'; ValueError when it is not a hex colour."""
    match = _HEX.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a hex colour")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits


def _luminance(hex_colour: str) -> float:
    def channel(pair: str) -> float:
        c = int(pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    digits = normalise_hex(hex_colour)[1:]
    r, g, b = (channel(digits[i : i + 2]) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str = "#ffffff") -> float:
    """The WCAG 2 contrast ratio of two hex colours, from 1 (none) to 21 (black on white)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def contrast_warning(hex_colour: str, label: str = "This colour") -> str | None:
    """A warning when text in the colour on white would be hard to read, else None."""
    try:
        ratio = contrast_ratio(hex_colour)
    except ValueError:
        return None
    if ratio >= MIN_CONTRAST:
        return None
    return (
        f"{label} has a contrast of {ratio:.1f}:1 against white; text in it is hard to "
        f"read below {MIN_CONTRAST:g}:1. Pick a darker shade for text and buttons."
    )


def web_address_problem(value: str) -> str | None:
    """Why a web address is refused (only http and https with a host), or None."""
    if len(value) > 2000 or any(ch.isspace() for ch in value) or _CONTROL.search(value):
        return "Enter a web address without spaces."
    try:
        parts = urlsplit(value)
    except ValueError:
        return "Enter a valid web address."
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "Enter a web address starting with http:// or https://."
    return None


def email_problem(value: str) -> str | None:
    """Why an email address is refused, or None."""
    return None if _EMAIL.match(value) and not _CONTROL.search(value) else "Enter an email address."


def phone_problem(value: str) -> str | None:
    """Why a phone number is refused, or None."""
    if _PHONE.match(value):
        return None
    return "Enter a phone number: digits, spaces and + ( ) . - / only."


def check_brand_values(values: dict[str, str]) -> dict[str, str]:
    """Return the cleaned brand values, or raise BrandError naming every bad field."""
    clean = {
        key: (values.get(key) or "").strip()
        for key in (*LIMITS, "primary_color", "secondary_color")
    }
    problems: dict[str, str] = {}
    if not clean["display_name"]:
        problems["display_name"] = "Enter the name to show on your co-branded assets."
    for key, limit in LIMITS.items():
        if len(clean[key]) > limit:
            problems[key] = f"Use at most {limit} characters."
        elif key != "address" and key != "description" and "\n" in clean[key]:
            problems[key] = "Use a single line."
        elif _CONTROL.search(clean[key]):
            problems[key] = "Remove the control characters."
    colours = (("primary_color", DEFAULT_PRIMARY), ("secondary_color", DEFAULT_SECONDARY))
    for key, default in colours:
        try:
            clean[key] = normalise_hex(clean[key] or default)
        except ValueError:
            problems[key] = "Enter a colour as #rrggbb, for example #0b5fff."
    checks = (("website", web_address_problem), ("email", email_problem), ("phone", phone_problem))
    for key, check in checks:
        if clean[key] and key not in problems and (problem := check(clean[key])):
            problems[key] = problem
    if problems:
        raise BrandError(problems)
    return clean


def _looks_like_svg(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in head


def clean_image(
    data: bytes,
    *,
    formats: tuple[str, ...],
    max_bytes: int,
    max_side: int,
    to_png: bool = False,
) -> CleanImage:
    """Check an upload by its content (not its name) and re-encode it; ImageRejected if bad.

    Re-encoding drops metadata and anything hidden after the image data; JPEG stays JPEG
    (photos would grow tenfold as PNG) unless ``to_png``, everything else becomes PNG.
    """
    names = ", ".join(formats[:-1]) + f" or {formats[-1]}" if len(formats) > 1 else formats[0]
    if not data:
        raise ImageRejected("The file is empty.")
    if len(data) > max_bytes:
        raise ImageRejected(
            f"The file is {len(data) / 1048576:.1f} MB; the limit is {max_bytes / 1048576:g} MB."
        )
    if _looks_like_svg(data):
        raise ImageRejected(
            f"SVG images are not accepted (they can carry scripts); upload a {names} image."
        )
    try:
        with Image.open(io.BytesIO(data), formats=formats) as probe:
            found, (width, height) = probe.format or formats[0], probe.size
            if width > max_side or height > max_side:
                raise ImageRejected(
                    f"The image is {width} x {height} pixels; the limit is {max_side} x {max_side}."
                )
            probe.verify()
        with Image.open(io.BytesIO(data), formats=formats) as image:
            image.load()
            return _reencode(image, found, to_png)
    except ImageRejected:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ):
        raise ImageRejected(f"The file is not a valid {names} image.") from None


def _reencode(image: Image.Image, found: str, to_png: bool) -> CleanImage:
    # Photos carry their rotation in EXIF, which re-encoding drops: apply it first.
    image = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if found == "JPEG" and not to_png:
        image.convert("RGB").save(out, format="JPEG", quality=90)
        fmt = "JPEG"
    else:
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image.convert("RGBA" if has_alpha else "RGB").save(out, format="PNG")
        fmt = "PNG"
    return CleanImage(out.getvalue(), image.width, image.height, fmt)


def clean_logo(data: bytes) -> CleanImage:
    """A brand logo: PNG or JPEG by content, at most 2 MB and 4000 x 4000, stored as PNG."""
    return clean_image(
        data, formats=LOGO_FORMATS, max_bytes=MAX_LOGO_BYTES, max_side=MAX_LOGO_SIDE, to_png=True
    )

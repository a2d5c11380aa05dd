"""The plain values a render takes and returns, and the one error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Bump whenever the engine's output for the same inputs changes: it invalidates the cache.
RENDER_FORMAT_VERSION = "2"

#: Which files each asset kind can become.
TARGETS: dict[str, tuple[str, ...]] = {
    # xpdf: the print-ready PDF (PDF/X-4, bleed, crop marks), downloaded as -print-ready.pdf
    "print": ("pdf", "xpdf", "png"),
    "email": ("html", "txt", "eml"),
    "landing": ("html",),
    "banner": ("png",),
    "social": ("txt", "png", "json"),
}

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "xpdf": "application/pdf",
    "png": "image/png",
    "html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "eml": "message/rfc822",
    "json": "application/json",
    "zip": "application/zip",
}

#: Targets rendered by WeasyPrint; the others are delivered as HTML or text.
DOCUMENT_TARGETS = frozenset({"pdf", "xpdf", "png"})
#: How a target's file is named: (suffix before the extension, extension).
FILE_NAMES: dict[str, tuple[str, str]] = {"xpdf": ("-print-ready", "pdf")}


def file_suffix(target: str) -> str:
    """The end of an output's file name: ".pdf", "-print-ready.pdf", ..."""
    suffix, extension = FILE_NAMES.get(target, ("", target))
    return f"{suffix}.{extension}"


class RenderError(Exception):
    """A render failed; the message is meant for the person who asked for it."""


class KitFileNotFound(RenderError):
    """A kit file a template or stylesheet asked for does not exist."""


@dataclass(frozen=True)
class RenderContext:
    """Everything about one partner's campaign that a render may use."""

    partner: dict = field(default_factory=dict)
    brand: dict = field(default_factory=dict)
    brand_logo: bytes | None = None
    brand_version: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    field_images: dict[str, bytes] = field(default_factory=dict)
    campaign: dict = field(default_factory=dict)
    kit: dict = field(default_factory=dict)
    vendor: dict = field(default_factory=dict)
    media_base_url: str | None = None
    brand_logo_url: str | None = None
    field_image_urls: dict[str, str] = field(default_factory=dict)
    lead_form_html: str = ""


@dataclass(frozen=True)
class RenderedFile:
    """One output file; ``refused_urls`` lists what the document tried and failed to fetch."""

    filename: str
    content_type: str
    data: bytes
    refused_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong with a kit template, with the line it is on (0 when unknown)."""

    path: str
    line: int
    message: str

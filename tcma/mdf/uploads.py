"""Proof-of-performance uploads, checked by their content rather than their name."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from tcma.mdf.active_content import ActiveContent, check_pdf, check_xlsx
from tcma.mdf.rules import UploadRefused

MAX_PROOF_BYTES = 20 * 1024 * 1024
# Pillow's own bomb guard only errors at twice its limit; proof photos never need more.
MAX_IMAGE_PIXELS = 50_000_000
# An XLSX is a zip: refuse archives that would inflate to absurd sizes.
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024

PROOF_KINDS = {
    "invoice": "Invoice",
    "screenshot": "Screenshot",
    "attendee_list": "Attendee list",
    "photo": "Photo",
    "other": "Other",
}

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TYPE_BY_EXTENSION = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "csv": CSV,
    "xlsx": XLSX,
}
TYPE_LABELS = {
    PDF: "PDF",
    PNG: "PNG image",
    JPEG: "JPEG image",
    CSV: "CSV file",
    XLSX: "Excel file",
}
# Only these are shown in the browser; a CSV or spreadsheet is always downloaded.
INLINE_TYPES = (PDF, PNG, JPEG)
ACCEPT_ATTRIBUTE = ".pdf,.png,.jpg,.jpeg,.csv,.xlsx"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the content checks."""

    filename: str
    safe_name: str
    content_type: str
    size: int
    sha256: str

    @property
    def inline(self) -> bool:
        return self.content_type in INLINE_TYPES


def display_filename(name: str) -> str:
    """The name a person gave the file, without folders or control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip()
    return base[:200] or "upload"


def safe_filename(name: str) -> str:
    """An ASCII name fit for a storage key: letters, digits, dot, dash and underscore."""
    ascii_name = unicodedata.normalize("NFKD", display_filename(name))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip(".-")
    stem, dot, ext = ascii_name.rpartition(".")
    if not dot:
        stem, ext = ascii_name, ""
    stem = stem[:80] or "file"
    return f"{stem}.{ext[:10]}" if ext else stem


def check_proof(filename: str, data: bytes) -> CheckedFile:
    """Accept PDF, PNG, JPEG, CSV or XLSX whose content matches its name, up to 20 MB."""
    shown = display_filename(filename)
    if len(data) > MAX_PROOF_BYTES:
        limit_mb = MAX_PROOF_BYTES // (1024 * 1024)
        raise UploadRefused(f"{shown} is larger than {limit_mb} MB.", field="file")
    if not data:
        raise UploadRefused(f"{shown} is empty.", field="file")
    extension = shown.rpartition(".")[2].lower() if "." in shown else ""
    content_type = TYPE_BY_EXTENSION.get(extension)
    if content_type is None:
        raise UploadRefused(f"{shown}: upload a PDF, PNG, JPEG, CSV or XLSX file.", field="file")
    if not _CHECKS[content_type](data):
        raise UploadRefused(
            f"{shown} is not a valid {TYPE_LABELS[content_type]}; its content does not match "
            "its name.",
            field="file",
        )
    try:
        _ACTIVE_CHECKS.get(content_type, _no_active_check)(data)
    except ActiveContent as exc:
        raise UploadRefused(f"{shown} {exc}.", field="file") from exc
    return CheckedFile(
        filename=shown,
        safe_name=safe_filename(shown),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def _is_image(data: bytes, expected_format: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected_format:
                    return False
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return False
                image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return False
    return True


def _is_png(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n") and _is_image(data, "PNG")


def _is_jpeg(data: bytes) -> bool:
    return data.startswith(b"\xff\xd8\xff") and _is_image(data, "JPEG")


def _is_csv(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error):
        return False
    return any(any(cell.strip() for cell in row) for row in rows)


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    names = {info.filename for info in infos}
    if sum(info.file_size for info in infos) > MAX_XLSX_UNCOMPRESSED:
        return False
    return "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names)


_CHECKS = {PDF: _is_pdf, PNG: _is_png, JPEG: _is_jpeg, CSV: _is_csv, XLSX: _is_xlsx}


def _no_active_check(data: bytes) -> None:
    return None


def _xlsx_active_check(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        check_xlsx(archive)


_ACTIVE_CHECKS = {PDF: check_pdf, XLSX: _xlsx_active_check}

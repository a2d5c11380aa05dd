"""Active content in proof files: PDF scripts, launch actions and attachments, macros.

A proof is a document finance opens. A PDF that runs JavaScript, launches a program or
carries an attached file, or a spreadsheet with macros or ActiveX controls, is refused.
A PDF's dictionaries are read byte by byte, outside its streams and inside its object
streams (which hold the dictionaries of most modern PDFs), with ``#xx`` escapes in names
decoded first; encrypted PDFs cannot be read so, and are refused.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator

#: PDF names that make a document do something when it is opened or clicked.
PDF_ACTIVE_NAMES = (
    "JavaScript",
    "JS",
    "Launch",
    "EmbeddedFile",
    "EmbeddedFiles",
    "RichMedia",
    "XFA",
    "SubmitForm",
    "ImportData",
)
_NAME = re.compile(rb"/[^\s/\[\]<>(){}%]+")
_ACTIVE = frozenset(name.encode() for name in PDF_ACTIVE_NAMES)
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_ENCRYPTED = re.compile(rb"/Encrypt(?=[\s/\[<])")
# Inflated streams are capped so that a zip bomb cannot use the scan to exhaust memory.
MAX_INFLATED_BYTES = 200 * 1024 * 1024

XLSX_MACRO_MARKERS = ("vbaproject", "macroenabled", "activex", "vnd.ms-office.vba")


class ActiveContent(Exception):
    """The file holds active content; the message says what, in a person's words."""


def check_pdf(data: bytes) -> None:
    """Raise ActiveContent for a PDF with scripts, actions that launch or attached files."""
    for chunk in _dictionaries(data):
        if _ENCRYPTED.search(chunk):
            raise ActiveContent(
                "is password-protected, so its content cannot be checked; save an unprotected copy"
            )
        if found := _active_name(chunk):
            raise ActiveContent(f"contains active content ({found}); save it as a plain PDF")


def _dictionaries(data: bytes) -> Iterator[bytes]:
    """The parts of a PDF that hold its dictionaries: everything outside streams, and the
    inflated object streams (streams of images and fonts are skipped: their bytes could
    spell a name by chance)."""
    budget = MAX_INFLATED_BYTES
    outside = 0
    for match in _STREAM.finditer(data):
        if match.start() < outside:
            continue  # the word "stream" inside a stream's own bytes
        header = data[outside : match.start()]
        yield header
        body_start = match.end()
        body_end = data.find(b"endstream", body_start)
        if body_end == -1:
            body_end = len(data)
        outside = body_end
        if b"/ObjStm" not in header[header.rfind(b"obj") :]:
            continue
        try:
            inflated = zlib.decompressobj().decompress(data[body_start:body_end], budget + 1)
        except zlib.error as exc:
            raise ActiveContent("has an object stream that cannot be checked") from exc
        budget -= len(inflated)
        if budget < 0:
            raise ActiveContent("is too large to check once uncompressed")
        yield inflated
    yield data[outside:]


def _active_name(chunk: bytes) -> str | None:
    for match in _NAME.finditer(chunk):
        name = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group()[1:])
        if name in _ACTIVE:
            return "/" + name.decode("latin-1")
    return None


def check_xlsx(archive: zipfile.ZipFile) -> None:
    """Raise ActiveContent for a workbook with macros, ActiveX controls or embedded objects."""
    for name in archive.namelist():
        lowered = name.lower()
        if any(marker in lowered for marker in XLSX_MACRO_MARKERS):
            raise ActiveContent("contains macros or ActiveX controls; save it as a plain .xlsx")
        if lowered.startswith("xl/embeddings/"):
            raise ActiveContent("contains embedded objects; save it as a plain .xlsx")
    try:
        types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
    except KeyError:
        return
    if any(marker in types for marker in XLSX_MACRO_MARKERS):
        raise ActiveContent("is a macro-enabled workbook; save it as a plain .xlsx")

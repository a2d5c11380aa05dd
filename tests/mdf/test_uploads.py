"""Proof uploads are accepted or refused by what they contain, not by their names."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from tcma.mdf import uploads
from tcma.mdf.rules import UploadRefused
from tests.mdf.support import PDF_BYTES, jpeg_bytes, png_bytes


def xlsx_bytes(with_workbook: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_workbook:
            archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type", "inline"),
    [
        ("invoice.pdf", PDF_BYTES, "application/pdf", True),
        ("banner.PNG", png_bytes(), "image/png", True),
        ("booth.jpg", jpeg_bytes(), "image/jpeg", True),
        ("booth.jpeg", jpeg_bytes(), "image/jpeg", True),
        ("attendees.csv", "name,email\nÅsa,asa@example.com\n".encode(), "text/csv", False),
        ("attendees.xlsx", xlsx_bytes(), uploads.XLSX, False),
    ],
)
def test_real_files_are_accepted(name, data, content_type, inline):
    checked = uploads.check_proof(name, data)
    assert (checked.content_type, checked.inline, checked.size) == (content_type, inline, len(data))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("invoice.pdf", png_bytes()),
        ("invoice.pdf", b"This is really a text file pretending to be a PDF"),
        ("photo.png", b"PNG text, not an image"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        ("photo.jpg", png_bytes()),
        ("attendees.csv", b"\xff\xfe\x00n\x00a\x00m\x00e"),
        ("attendees.csv", b"\n\n"),
        ("attendees.xlsx", xlsx_bytes(with_workbook=False)),
        ("attendees.xlsx", PDF_BYTES),
    ],
)
def test_files_whose_content_does_not_match_are_refused(name, data):
    with pytest.raises(UploadRefused) as refused:
        uploads.check_proof(name, data)
    assert name in refused.value.message
    assert refused.value.field == "file"


def test_unknown_types_are_refused():
    with pytest.raises(UploadRefused) as refused:
        uploads.check_proof("setup.exe", b"MZ\x90\x00")
    assert "PDF, PNG, JPEG, CSV or XLSX" in refused.value.message


def test_oversized_and_empty_files_are_refused():
    with pytest.raises(UploadRefused) as big:
        uploads.check_proof("invoice.pdf", b"%PDF-" + b"0" * uploads.MAX_PROOF_BYTES)
    assert "larger than 20 MB" in big.value.message
    with pytest.raises(UploadRefused):
        uploads.check_proof("invoice.pdf", b"")


def test_images_with_too_many_pixels_are_refused():
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, "PNG")
    with pytest.raises(UploadRefused):
        uploads.check_proof("huge.png", buffer.getvalue())


@pytest.mark.parametrize(
    ("name", "safe", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ann\\Reçu n°5.pdf", "Recu-n5.pdf", "Reçu n°5.pdf"),
        ("evil\r\nname.png", "evilname.png", "evilname.png"),
        ("...", "file", "..."),
        ("", "upload", "upload"),
    ],
)
def test_file_names_are_made_safe(name, safe, shown):
    assert uploads.safe_filename(name) == safe
    assert uploads.display_filename(name) == shown


def _pdf(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _object_stream_pdf(dictionary: bytes) -> bytes:
    body = zlib.compress(b"1 0 " + dictionary)
    return (
        b"%PDF-1.5\n2 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(body)).encode()
        + b" >>\nstream\n"
        + body
        + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def _xlsx(*extra: tuple[str, str], types: str = "<Types/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for name, content in extra:
            archive.writestr(name, content)
    return buffer.getvalue()


MACRO_TYPES = (
    '<Types><Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        (
            "invoice.pdf",
            _pdf(lambda w: w.add_open_action(JavaScript("app.alert('hi');"))),
            "/JavaScript",
        ),
        (
            "invoice.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /J#61vaScript "
            b"/JS (app.launchURL('https://x.example')) >> >> endobj\n%%EOF\n",
            "/JavaScript",
        ),
        ("invoice.pdf", _object_stream_pdf(b"<< /S /JavaScript /JS (x) >>"), "/JavaScript"),
        ("invoice.pdf", _object_stream_pdf(b"<< /S /Launch /F (cmd.exe) >>"), "/Launch"),
        ("invoice.pdf", _pdf(lambda w: w.add_attachment("run.exe", b"MZ")), "/EmbeddedFile"),
        ("invoice.pdf", _pdf(lambda w: w.encrypt("", "owner")), "password-protected"),
        ("attendees.xlsx", _xlsx(("xl/vbaProject.bin", "VBA")), "macros"),
        ("attendees.xlsx", _xlsx(("xl/activeX/activeX1.xml", "<ax/>")), "ActiveX"),
        ("attendees.xlsx", _xlsx(types=MACRO_TYPES), "macro-enabled"),
        ("attendees.xlsx", _xlsx(("xl/embeddings/oleObject1.bin", "OLE")), "embedded"),
    ],
)
def test_active_content_is_refused_with_a_clear_message(name, data, says):
    with pytest.raises(UploadRefused) as refused:
        uploads.check_proof(name, data)
    assert refused.value.field == "file"
    assert name in refused.value.message and says in refused.value.message


def test_plain_pdfs_from_real_tools_are_accepted():
    weasyprint = pytest.importorskip("weasyprint")
    invoice = weasyprint.HTML(
        string="<h1>Invoice INV-7781</h1><p>Booth at CloudExpo: €3,800.00</p><img src="
        '"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNg'
        'YPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg==">'
    ).write_pdf()
    assert uploads.check_proof("invoice.pdf", invoice).content_type == uploads.PDF
    plain = _pdf(lambda w: w.add_metadata({"/Title": "Invoice"}))
    assert uploads.check_proof("invoice.pdf", plain).content_type == uploads.PDF

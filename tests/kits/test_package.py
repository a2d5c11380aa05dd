"""Kit packages: hostile zips and folders are refused with their reason and leave nothing."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Callable

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.kits import importer
from tcma.kits.models import Kit, KitAsset, KitField, KitVersion
from tcma.kits.package import _read_member, read_folder, read_package, read_zip
from tcma.kits.rules import PackageError
from tcma.storage import Storage, StorageError
from tests.kits.support import kit_files, make_zip, png_bytes, with_files, write_folder

MB = 1024 * 1024


def symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in kit_files().items():
            archive.writestr(path, data)
        link = zipfile.ZipInfo("media/passwd.png")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def bomb_zip() -> bytes:
    """51 MB of zeros: a few kilobytes compressed."""
    return make_zip({**kit_files(), "notes.txt": b"\0" * (51 * MB)})


def lying_header_zip() -> bytes:
    """A 1 MB file whose headers claim 100 bytes."""
    data = bytearray(make_zip({**kit_files(), "notes.txt": b"a" * MB}))
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_length = struct.unpack_from("<H", data, start + (28 if offset == 24 else 26))[0]
            name_start = start + (46 if offset == 24 else 30)
            if data[name_start : name_start + name_length] == b"notes.txt":
                struct.pack_into("<I", data, start + offset, 100)
            start += 4
    return bytes(data)


def huge_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, format="PNG")
    return buffer.getvalue()


HOSTILE = {
    "traversal": (lambda: make_zip({**kit_files(), "../evil.html": b"x"}), "'..'"),
    "absolute": (lambda: make_zip({**kit_files(), "/etc/cron.d/evil": b"x"}), "absolute paths"),
    "drive letter": (lambda: make_zip({**kit_files(), "C:/evil.html": b"x"}), "absolute paths"),
    "backslash": (lambda: make_zip({**kit_files(), "media\\evil.png": b"x"}), "backslashes"),
    "symlink": (symlink_zip, "'media/passwd.png': symbolic links are not allowed"),
    "501 entries": (
        lambda: make_zip({**kit_files(), **{f"p{i}.txt": b"x" for i in range(492)}}),
        "The kit has 501 entries; at most 500 are allowed.",
    ),
    "51 MB declared (zip bomb)": (bomb_zip, "51.0 MB unpacked; at most 50 MB are allowed"),
    "lying header": (lying_header_zip, "notes.txt: cannot be unpacked (Bad CRC-32"),
    "exe file": (
        lambda: make_zip({**kit_files(), "setup.exe": b"MZ\x90\x00"}),
        "setup.exe: this type of file is not allowed",
    ),
    "python file": (
        lambda: make_zip({**kit_files(), "hook.py": b"import os"}),
        "hook.py: this type of file is not allowed",
    ),
    "svg image": (
        lambda: make_zip({**kit_files(), "media/logo.svg": b"<svg onload='x'/>"}),
        "media/logo.svg: SVG images are refused",
    ),
    "text named png": (
        lambda: make_zip(with_files({"media/logo.png": "just text"})),
        "media/logo.png: the content is not a valid PNG, JPEG, GIF or WebP image",
    ),
    "jpeg named png": (
        lambda: make_zip(with_files({"media/logo.png": png_bytes(fmt="JPEG")})),
        "media/logo.png: the content is a JPEG image, not PNG",
    ),
    "too many pixels": (
        lambda: make_zip(with_files({"media/logo.png": huge_png()})),
        "media/logo.png: 8000 x 6000 pixels is more than the 40 megapixels",
    ),
    "broken kit.toml": (
        lambda: make_zip(with_files({"kit.toml": 'name = "Spring\n'})),
        "kit.toml is not valid TOML",
    ),
    "no kit.toml": (lambda: make_zip(with_files({"kit.toml": None})), "kit.toml is missing"),
    "undefined field": (
        lambda: make_zip(with_files({"banner.html": "<p>\n{{ fields.offer }}"})),
        "banner.html line 2: fields.offer is not a field declared in kit.toml",
    ),
    "syntax error": (
        lambda: make_zip(with_files({"flyer.html": "<h1>\n\n{% if %}</h1>"})),
        "flyer.html line 3: ",
    ),
    "not a zip": (lambda: b"%PDF-1.7 not a zip", "The file is not a zip archive."),
}


def _nothing_left(session: Session, storage: Storage) -> None:
    session.rollback()
    for model in (Kit, KitVersion, KitAsset, KitField):
        assert session.scalar(select(func.count()).select_from(model)) == 0
    assert storage.list_keys("kits/") == []


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_zip_is_refused_with_its_reason_and_leaves_nothing(
    case: str, db_session: Session, storage: Storage
) -> None:
    build, reason = HOSTILE[case]
    with pytest.raises(PackageError) as caught:
        package = read_zip(build())
        importer.import_package(db_session, storage, package, None)
    assert any(reason in problem for problem in caught.value.problems), caught.value.problems
    _nothing_left(db_session, storage)


def test_counting_defeats_a_header_that_understates_the_size() -> None:
    class LyingArchive:
        def open(self, info: zipfile.ZipInfo) -> io.BytesIO:
            return io.BytesIO(b"a" * 1000)

    info = zipfile.ZipInfo("notes.txt")
    info.file_size = 10
    with pytest.raises(PackageError, match="unpacks to more than the 10 bytes its header"):
        _read_member(LyingArchive(), info, 50 * MB)  # type: ignore[arg-type]


def test_all_problems_are_reported_at_once() -> None:
    files = with_files({"media/logo.svg": "<svg/>", "run.exe": b"MZ", "kit.toml": None})
    files["kit.toml"] = kit_files()["kit.toml"].replace(
        b'objective = "lead_generation"', b'objective = "fame"'
    )
    with pytest.raises(PackageError) as caught:
        read_zip(make_zip(files))
    text = " | ".join(caught.value.problems)
    assert "media/logo.svg" in text and "run.exe" in text and "'fame'" in text


def test_a_zip_of_the_kit_folder_is_accepted() -> None:
    package = read_zip(make_zip(kit_files(), folder="spring-promo/"))
    assert package.slug == "spring-promo"
    assert set(package.files) == set(kit_files()) - {"kit.toml"}
    assert package.change_note == "First version"
    assert "change_note" not in package.manifest


def test_mac_archive_litter_is_ignored() -> None:
    files = {**kit_files(), "__MACOSX/._invite.html": b"\0\5", ".DS_Store": b"\0"}
    assert "__MACOSX/._invite.html" not in read_zip(make_zip(files)).files


def test_a_folder_reads_like_its_zip(tmp_path) -> None:
    folder = write_folder(tmp_path / "spring-promo", kit_files())
    assert read_package(folder) == read_zip(make_zip(kit_files()))


def test_a_folder_with_a_symlink_is_refused(tmp_path) -> None:
    folder = write_folder(tmp_path / "kit", kit_files())
    os.symlink("/etc/passwd", folder / "media" / "secret.png")
    with pytest.raises(PackageError, match="symbolic links are not allowed"):
        read_folder(folder)


def test_a_failed_storage_write_removes_what_was_written(
    db_session: Session, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = read_zip(make_zip(kit_files()))
    real_put, calls = storage.put, []

    def flaky_put(key: str, data: bytes, content_type: str = "") -> str:
        calls.append(key)
        if len(calls) == 4:
            raise StorageError("disk full")
        return real_put(key, data, content_type)

    monkeypatch.setattr(storage, "put", flaky_put)
    with pytest.raises(StorageError):
        importer.import_package(db_session, storage, package, None)
    _nothing_left(db_session, storage)


def test_export_then_import_gives_the_same_kit(
    import_kit: Callable, db_session: Session, storage: Storage
) -> None:
    original = import_kit()
    exported = importer.export_zip(storage, original.version)
    again = read_zip(exported)
    assert again.manifest == original.version.manifest
    originals = {path: data for path, data in kit_files().items() if path != "kit.toml"}
    assert again.files == originals
    assert again.files == {
        path: storage.read(original.version.storage_key(path)) for path in original.version.files
    }
    assert again.change_note == original.version.change_note
    assert zipfile.ZipFile(io.BytesIO(exported)).namelist()[0] == "spring-promo/kit.toml"
    # Importing it back changes nothing: it is the same kit.
    assert importer.import_package(db_session, storage, again, None).created is False
    assert importer.export_zip(storage, original.version) == exported

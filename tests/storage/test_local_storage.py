"""What only the local backend does: atomic writes and an honest health check."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tcma.storage import LocalStorage, StorageError


class BrokenStream(io.RawIOBase):
    """An upload source that dies half-way, like a dropped client connection."""

    def __init__(self) -> None:
        self._sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._sent:
            raise OSError("connection reset by peer")
        self._sent = True
        buffer[:4] = b"half"
        return 4


def _unsigned(key: str, filename: str, expires_in: int, inline: bool) -> str:
    return f"/signed/{key}"


def test_failed_write_keeps_the_old_file_and_leaves_no_debris(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path, _unsigned)
    storage.put("kits/logo.png", b"old logo")
    with pytest.raises(StorageError):
        storage.put("kits/logo.png", BrokenStream())
    assert storage.read("kits/logo.png") == b"old logo"
    assert [p.name for p in (tmp_path / "kits").iterdir()] == ["logo.png"]


def test_listing_hides_files_being_written(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path, _unsigned)
    storage.put("kits/a.txt", b"a")
    (tmp_path / "kits" / ".tcma-tmp-half-written").write_bytes(b"par")
    assert storage.list_keys("") == ["kits/a.txt"]


def test_nothing_is_created_until_something_is_written(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "storage", _unsigned)
    assert storage.list_keys("") == []
    assert not (tmp_path / "storage").exists()


def test_check_fails_when_the_folder_cannot_be_used(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_bytes(b"")
    with pytest.raises(StorageError):
        LocalStorage(tmp_path / "not-a-folder", _unsigned).check()


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path, _unsigned)
    storage.put("kits/a/b.txt", b"b")
    assert not storage.exists("kits/a")
    with pytest.raises(StorageError):
        storage.read("kits/a")
    with pytest.raises(StorageError):
        storage.put("kits/a/b.txt/c", b"c")

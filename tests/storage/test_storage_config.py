"""Choosing a backend from TCMA_STORAGE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcma.storage import LocalStorage, S3Storage, StorageError, storage_from_url


def test_storage_from_url_parses_each_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = storage_from_url((tmp_path / "files").as_uri())
    assert isinstance(absolute, LocalStorage)
    assert absolute.root == tmp_path / "files"

    monkeypatch.chdir(tmp_path)
    relative = storage_from_url("file:instance/storage")
    assert isinstance(relative, LocalStorage)
    assert relative.root == tmp_path / "instance" / "storage"

    s3 = storage_from_url("s3://media-bucket/tcma/prod", s3_endpoint_url="http://127.0.0.1:9")
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.prefix) == ("media-bucket", "tcma/prod/")
    assert s3.client.meta.endpoint_url == "http://127.0.0.1:9"

    bare = storage_from_url("s3://media-bucket", s3_endpoint_url="http://127.0.0.1:9")
    assert isinstance(bare, S3Storage)
    assert bare.prefix == ""


@pytest.mark.parametrize(
    "url", ["", "ftp://host/files", "s3://", "file://otherhost/srv/files", "file:", "/srv/files"]
)
def test_storage_from_url_refuses_what_it_cannot_serve(url: str) -> None:
    with pytest.raises(StorageError):
        storage_from_url(url)


def test_local_storage_without_an_app_cannot_sign(tmp_path: Path) -> None:
    storage = storage_from_url(tmp_path.as_uri())
    storage.put("a.txt", b"a")
    with pytest.raises(StorageError):
        storage.download_url("a.txt", "a.txt")

"""Signed app download links, the way local storage hands out files."""

from __future__ import annotations

import time
from pathlib import Path

from flask import Flask
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tcma.storage import LocalStorage, Storage, get_storage


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_app_keeps_one_local_storage_at_the_configured_folder(
    storage_app: Flask, tmp_path: Path
) -> None:
    with storage_app.app_context():
        storage = get_storage()
        assert storage is get_storage()
    assert isinstance(storage, LocalStorage)
    assert storage.root == tmp_path / "storage"
    assert "storage.download" in storage_app.view_functions


def test_download_link_is_an_app_url(local_storage: Storage) -> None:
    local_storage.put("kits/a.txt", b"a")
    assert local_storage.download_url("kits/a.txt", "a.txt").startswith("/files/")


def test_download_sets_safe_headers(storage_app: Flask, local_storage: Storage) -> None:
    local_storage.put("claims/3/proof", b"%PDF-1.7")
    url = local_storage.download_url("claims/3/proof", "proof.pdf", expires_in=120)
    response = storage_app.test_client().get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.content_length == len(b"%PDF-1.7")
    cache_control = response.headers["Cache-Control"]
    assert cache_control.startswith("private, max-age=")
    assert 0 < int(cache_control.rsplit("=", 1)[1]) <= 120


def test_unknown_extension_is_sent_as_octet_stream(
    storage_app: Flask, local_storage: Storage
) -> None:
    local_storage.put("exports/data", b"\x00\x01")
    url = local_storage.download_url("exports/data", "data.unknownext")
    response = storage_app.test_client().get(url)
    assert response.mimetype == "application/octet-stream"


def test_html_asked_inline_is_still_an_attachment(
    storage_app: Flask, local_storage: Storage
) -> None:
    # Served inline from our own origin, HTML or SVG could run script as the signed-in user.
    local_storage.put("uploads/page.html", b"<script>alert(1)</script>")
    for filename in ("page.html", "logo.svg"):
        url = local_storage.download_url("uploads/page.html", filename, inline=True)
        response = storage_app.test_client().get(url)
        assert response.headers["Content-Disposition"].startswith("attachment;")


def test_tampered_token_is_not_found(storage_app: Flask, local_storage: Storage) -> None:
    local_storage.put("kits/secret.zip", b"zip")
    token = _token(local_storage.download_url("kits/secret.zip", "secret.zip"))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    client = storage_app.test_client()
    assert client.get(f"/files/{tampered}").status_code == 404
    assert client.get("/files/not-a-token").status_code == 404


def test_token_signed_with_another_key_is_not_found(
    storage_app: Flask, local_storage: Storage
) -> None:
    local_storage.put("kits/secret.zip", b"zip")
    forged = URLSafeTimedSerializer("guessed-secret", salt="tcma-storage-download").dumps(
        {"k": "kits/secret.zip", "f": "secret.zip", "i": False, "e": 300}
    )
    assert storage_app.test_client().get(f"/files/{forged}").status_code == 404


def test_link_older_than_its_expiry_is_not_found(
    storage_app: Flask, local_storage: Storage
) -> None:
    class SignedTenMinutesAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 600

    local_storage.put("kits/old.zip", b"zip")
    payload = {"k": "kits/old.zip", "f": "old.zip", "i": False, "e": 300}
    signer = URLSafeTimedSerializer(
        storage_app.secret_key, salt="tcma-storage-download", signer=SignedTenMinutesAgo
    )
    client = storage_app.test_client()
    assert client.get(f"/files/{signer.dumps(payload)}").status_code == 404
    payload["e"] = 3600
    assert client.get(f"/files/{signer.dumps(payload)}").status_code == 200


def test_link_to_a_deleted_file_is_not_found(storage_app: Flask, local_storage: Storage) -> None:
    local_storage.put("kits/gone.zip", b"zip")
    url = local_storage.download_url("kits/gone.zip", "gone.zip")
    local_storage.delete("kits/gone.zip")
    assert storage_app.test_client().get(url).status_code == 404


def test_rotated_secret_keeps_existing_links_working(
    storage_app: Flask, local_storage: Storage
) -> None:
    local_storage.put("kits/a.zip", b"zip")
    url = local_storage.download_url("kits/a.zip", "a.zip")
    storage_app.config["SECRET_KEY_FALLBACKS"] = [storage_app.secret_key]
    storage_app.secret_key = "the-new-secret"
    assert storage_app.test_client().get(url).status_code == 200

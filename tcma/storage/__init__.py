"""File storage: one interface, a local-folder backend and an S3 backend."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

from tcma.storage.base import (
    EXTENSION_KEY,
    Storage,
    StorageError,
    StorageNotFound,
    content_disposition,
    validate_key,
)
from tcma.storage.local import LocalStorage, UrlSigner
from tcma.storage.s3 import S3Storage
from tcma.storage.views import bp, sign_download

__all__ = [
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StorageError",
    "StorageNotFound",
    "UrlSigner",
    "content_disposition",
    "get_storage",
    "init_storage",
    "sign_download",
    "storage_from_url",
    "validate_key",
]


def _no_signer(key: str, filename: str, expires_in: int, inline: bool) -> str:
    raise StorageError("this local storage was built without a URL signer (no app)")


def storage_from_url(
    url: str, *, s3_endpoint_url: str | None = None, url_signer: UrlSigner | None = None
) -> Storage:
    """Build a storage from ``file:///abs``, ``file:relative`` or ``s3://bucket/prefix``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise StorageError(f"file storage URL must not name a host: {url!r}")
        if not parts.path:
            raise StorageError(f"file storage URL has no path: {url!r}")
        # "file:relative/path" has no leading slash: it is relative to the working folder.
        root = Path(unquote(parts.path))
        if not root.is_absolute():
            root = Path.cwd() / root
        return LocalStorage(root, url_signer or _no_signer)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise StorageError(f"S3 storage URL has no bucket: {url!r}")
        return S3Storage(
            parts.netloc, unquote(parts.path).strip("/"), endpoint_url=s3_endpoint_url or None
        )
    raise StorageError(f"unsupported storage URL (use file: or s3:): {url!r}")


def init_storage(app: Flask) -> None:
    """Build the app's storage from its config and register the download route."""
    app.extensions[EXTENSION_KEY] = storage_from_url(
        app.config["STORAGE_URL"],
        s3_endpoint_url=app.config.get("S3_ENDPOINT_URL"),
        url_signer=sign_download,
    )
    app.register_blueprint(bp)


def get_storage() -> Storage:
    """Return the current app's storage."""
    return current_app.extensions[EXTENSION_KEY]

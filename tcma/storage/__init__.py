"""File storage: one interface, a local-folder backend and an S3 backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

from tcma.storage.base import (
    EXTENSION_KEY,
    Storage,
    StorageError,
    StorageNotFound,
    StorageUnavailable,
    content_disposition,
    validate_key,
)
from tcma.storage.health import check_within
from tcma.storage.local import LocalStorage, UrlSigner
from tcma.storage.s3 import S3Storage
from tcma.storage.transactional import delete_after_commit, put_in_transaction
from tcma.storage.views import bp, sign_download

__all__ = [
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StorageError",
    "StorageNotFound",
    "StorageUnavailable",
    "UrlSigner",
    "check_within",
    "content_disposition",
    "delete_after_commit",
    "get_storage",
    "init_storage",
    "put_in_transaction",
    "sign_download",
    "storage_from_url",
    "validate_key",
]


# S3Storage argument → app setting (TCMA_S3_CONNECT_TIMEOUT, ...).
_S3_TIMEOUT_SETTINGS = {
    "connect_timeout": "S3_CONNECT_TIMEOUT",
    "read_timeout": "S3_READ_TIMEOUT",
    "max_attempts": "S3_MAX_ATTEMPTS",
}


def _no_signer(key: str, filename: str, expires_in: int, inline: bool) -> str:
    raise StorageError("this local storage was built without a URL signer (no app)")


def storage_from_url(
    url: str,
    *,
    s3_endpoint_url: str | None = None,
    url_signer: UrlSigner | None = None,
    s3_timeouts: dict[str, Any] | None = None,
) -> Storage:
    """Build a storage from ``file:///abs``, ``file:relative`` or ``s3://bucket/prefix``.

    ``s3_timeouts`` holds S3Storage's connect_timeout, read_timeout and max_attempts.
    """
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
            parts.netloc,
            unquote(parts.path).strip("/"),
            endpoint_url=s3_endpoint_url or None,
            **(s3_timeouts or {}),
        )
    raise StorageError(f"unsupported storage URL (use file: or s3:): {url!r}")


def init_storage(app: Flask) -> None:
    """Build the app's storage from its config and register the download route."""
    app.extensions[EXTENSION_KEY] = storage_from_url(
        app.config["STORAGE_URL"],
        s3_endpoint_url=app.config.get("S3_ENDPOINT_URL"),
        url_signer=sign_download,
        s3_timeouts={
            name: app.config[setting]
            for name, setting in _S3_TIMEOUT_SETTINGS.items()
            if app.config.get(setting) is not None
        },
    )
    app.register_blueprint(bp)


def get_storage() -> Storage:
    """Return the current app's storage."""
    return current_app.extensions[EXTENSION_KEY]

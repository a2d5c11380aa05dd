"""The storage interface every backend implements, and the rules all backends share."""

from __future__ import annotations

import abc
import re
import unicodedata
from typing import BinaryIO
from urllib.parse import quote

#: Where an app keeps its Storage in ``app.extensions``.
EXTENSION_KEY = "tcma.storage"

# Control characters (NUL, CR, LF, ...) in a key would end up in file names, S3 keys,
# log lines and HTTP headers; none of those should ever see them.
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# RFC 5987 attr-char minus the ones quote() always keeps (letters, digits, "_.-~").
_ATTR_CHARS = "!#$&+^`|"


class StorageError(Exception):
    """A storage operation failed or was refused."""


class StorageNotFound(StorageError):
    """The key does not exist in the storage."""


class StorageUnavailable(StorageError):
    """The storage could not be reached or did not answer in time."""


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative path, else raise StorageError."""
    if not isinstance(key, str) or not key:
        raise StorageError("storage key must be a non-empty string")
    _refuse_unsafe_path(key)
    if key.endswith("/"):
        raise StorageError(f"storage key must not end with '/': {key!r}")
    return key


def validate_prefix(prefix: str) -> str:
    """Return ``prefix`` if it may start keys ("" and a trailing "/" allowed)."""
    if not isinstance(prefix, str):
        raise StorageError("storage prefix must be a string")
    if prefix:
        _refuse_unsafe_path(prefix.removesuffix("/"))
    return prefix


def _refuse_unsafe_path(path: str) -> None:
    if "\\" in path or _CONTROL_CHARS.search(path):
        raise StorageError(f"storage key contains a forbidden character: {path!r}")
    if path.startswith("/"):
        raise StorageError(f"storage key must be relative: {path!r}")
    # "." and empty segments are refused too: "a/./b" and "a//b" name the same file
    # locally but different objects in S3, and backends must agree on what a key means.
    if any(segment in ("", ".", "..") for segment in path.split("/")):
        raise StorageError(f"storage key has an empty, '.' or '..' segment: {path!r}")


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """Build a Content-Disposition value with an ASCII fallback and RFC 5987 filename*."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    # Quotes, backslashes and path separators would break the quoted-string or let an
    # old browser pick a directory; control characters would break the header itself.
    fallback = re.sub(r'[\x00-\x1f\x7f"\\/]', "_", fallback).strip() or "download"
    encoded = quote(filename, safe=_ATTR_CHARS)
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


class Storage(abc.ABC):
    """A flat store of files addressed by relative keys like ``kits/webinar/3/logo.png``."""

    @abc.abstractmethod
    def put(
        self,
        key: str,
        data: bytes | BinaryIO,
        content_type: str = "application/octet-stream",
    ) -> str:
        """Store ``data`` (bytes or a binary file object, streamed) under ``key``."""

    @abc.abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Open the file at ``key`` for reading; the caller closes it."""

    def read(self, key: str) -> bytes:
        """Return the whole content stored at ``key``."""
        with self.open(key) as stream:
            try:
                return stream.read()
            except OSError as exc:
                raise StorageError(f"cannot read {key!r}: {exc}") from exc

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Tell whether a file is stored at ``key``."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file at ``key``; a missing key is not an error."""

    @abc.abstractmethod
    def list_keys(self, prefix: str) -> list[str]:
        """Return the sorted keys that start with ``prefix``."""

    @abc.abstractmethod
    def download_url(
        self, key: str, filename: str, *, expires_in: int = 300, inline: bool = False
    ) -> str:
        """Return a URL that lets its holder download ``key`` as ``filename`` for a while."""

    @abc.abstractmethod
    def check(self) -> None:
        """Raise StorageError when the backend cannot be used."""

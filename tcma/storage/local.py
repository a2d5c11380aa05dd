"""Storage in a folder of the local filesystem (development, single-box installs)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from tcma.storage.base import Storage, StorageError, StorageNotFound, validate_key, validate_prefix

#: Builds a download URL from (key, filename, expires_in, inline).
UrlSigner = Callable[[str, str, int, bool], str]

# Temporary files live next to their target so os.replace stays a same-filesystem rename;
# list_keys hides them by this prefix.
_TEMP_PREFIX = ".tcma-tmp-"
_COPY_CHUNK = 1024 * 1024


class LocalStorage(Storage):
    """Files under ``root``, written atomically; downloads go through signed app URLs."""

    def __init__(self, root: Path, url_signer: UrlSigner) -> None:
        self.root = Path(root)
        self._url_signer = url_signer

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def put(
        self,
        key: str,
        data: bytes | BinaryIO,
        content_type: str = "application/octet-stream",
    ) -> str:
        """Store ``data`` under ``key``; readers see the old or the new file, never a part."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)
        except OSError as exc:
            raise StorageError(f"cannot write {key!r}: {exc}") from exc
        try:
            with os.fdopen(fd, "wb") as temp:
                if isinstance(data, bytes | bytearray | memoryview):
                    temp.write(data)
                else:
                    shutil.copyfileobj(data, temp, _COPY_CHUNK)
                temp.flush()
                # Without fsync a crash right after the rename can leave an empty file.
                os.fsync(temp.fileno())
            os.replace(temp_name, path)
        except OSError as exc:
            Path(temp_name).unlink(missing_ok=True)
            raise StorageError(f"cannot write {key!r}: {exc}") from exc
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        """Open the file at ``key`` for reading."""
        path = self._path(key)
        try:
            return path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise StorageNotFound(key) from exc
        except OSError as exc:
            raise StorageError(f"cannot open {key!r}: {exc}") from exc

    def exists(self, key: str) -> bool:
        """Tell whether a file is stored at ``key``."""
        try:
            return self._path(key).is_file()
        except OSError as exc:
            raise StorageError(f"cannot look up {key!r}: {exc}") from exc

    def delete(self, key: str) -> None:
        """Remove the file at ``key`` if it is there."""
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except (IsADirectoryError, NotADirectoryError):
            return
        except OSError as exc:
            raise StorageError(f"cannot delete {key!r}: {exc}") from exc

    def list_keys(self, prefix: str) -> list[str]:
        """Return the sorted keys starting with ``prefix``."""
        validate_prefix(prefix)
        # Only the folder the prefix points into can hold matches; no need to walk the rest.
        folder, _, _ = prefix.rpartition("/")
        start = self.root.joinpath(*folder.split("/")) if folder else self.root
        keys: list[str] = []
        try:
            if not start.is_dir():
                return []
            for dirpath, _dirnames, filenames in os.walk(start, onerror=_walk_error):
                relative = Path(dirpath).relative_to(self.root).as_posix()
                for name in filenames:
                    if name.startswith(_TEMP_PREFIX):
                        continue
                    key = name if relative == "." else f"{relative}/{name}"
                    if key.startswith(prefix):
                        keys.append(key)
        except OSError as exc:
            raise StorageError(f"cannot list {prefix!r}: {exc}") from exc
        return sorted(keys)

    def download_url(
        self, key: str, filename: str, *, expires_in: int = 300, inline: bool = False
    ) -> str:
        """Return a signed app URL that serves ``key`` as ``filename``."""
        return self._url_signer(validate_key(key), filename, expires_in, inline)

    def check(self) -> None:
        """Raise StorageError unless the root folder exists (or can be made) and is writable."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            # os.access lies for root and on some network filesystems; a real write does not.
            with tempfile.TemporaryFile(prefix=_TEMP_PREFIX, dir=self.root):
                pass
        except OSError as exc:
            raise StorageError(f"storage folder {str(self.root)!r} is not usable: {exc}") from exc


def _walk_error(exc: OSError) -> None:
    # os.walk swallows errors by default, which would turn an unreadable folder into a
    # silently short listing; a folder deleted while we walk simply has no keys left.
    if not isinstance(exc, FileNotFoundError):
        raise exc

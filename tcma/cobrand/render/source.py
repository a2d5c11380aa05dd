"""Where a kit version's manifest and files come from: a folder, or any mapping/loader."""

from __future__ import annotations

import abc
import hashlib
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tcma.cobrand.render.context import KitFileNotFound, RenderError
from tcma.storage import StorageNotFound


def normalise_kit_path(path: str) -> str:
    """Return ``path`` as a clean relative kit path, or raise KitFileNotFound."""
    if not isinstance(path, str) or not path or "\\" in path or "\x00" in path:
        raise KitFileNotFound(f"Not a kit file name: {path!r}")
    # Refusing "..", ".", absolute paths and empty segments outright is simpler to trust
    # than resolving them and checking where they land.
    if any(part in ("..", ".", "") for part in path.split("/")):
        raise KitFileNotFound(f"Not a kit file name: {path!r}")
    return path


class KitSource(abc.ABC):
    """One kit version: its parsed ``kit.toml``, its files and a key unique to the version."""

    manifest: dict[str, Any]
    version_key: str

    @abc.abstractmethod
    def read(self, path: str) -> bytes:
        """Return the bytes of the kit file at ``path`` (relative); raise KitFileNotFound."""


class FolderKitSource(KitSource):
    """A kit folder on disk, such as the sample kits in ``campaigns/``."""

    def __init__(self, path: str | Path, version_key: str | None = None) -> None:
        self.root = Path(path).resolve()
        try:
            self.manifest = tomllib.loads((self.root / "kit.toml").read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RenderError(f"Cannot read {self.root / 'kit.toml'}: {exc}") from exc
        # A folder has no version number: its content hash, taken now, stands for one, so
        # an edited folder is a new version for every cache.
        self.version_key = version_key or self._content_version()

    def __repr__(self) -> str:
        return f"FolderKitSource({str(self.root)!r})"

    def _content_version(self) -> str:
        digest = hashlib.sha256()
        for file in sorted(p for p in self.root.rglob("*") if p.is_file()):
            digest.update(file.relative_to(self.root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
        return f"{self.manifest.get('slug', self.root.name)}@{digest.hexdigest()[:16]}"

    def read(self, path: str) -> bytes:
        """Read a file of the folder; symlinks or names leading outside it are refused."""
        target = (self.root / normalise_kit_path(path)).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            raise KitFileNotFound(f"The kit has no file {path!r}")
        return target.read_bytes()


class MappingKitSource(KitSource):
    """A kit stored elsewhere: files from a mapping, or from a loader function."""

    def __init__(
        self,
        manifest: dict[str, Any],
        files: Mapping[str, bytes] | Callable[[str], bytes],
        version_key: str,
    ) -> None:
        self.manifest = manifest
        self.version_key = version_key
        self._files = files

    def __repr__(self) -> str:
        return f"MappingKitSource({self.version_key!r})"

    def read(self, path: str) -> bytes:
        """Return a file; a loader signals a missing one with KeyError or StorageNotFound."""
        path = normalise_kit_path(path)
        try:
            if callable(self._files):
                return self._files(path)
            return self._files[path]
        except (LookupError, FileNotFoundError, StorageNotFound) as exc:
            raise KitFileNotFound(f"The kit has no file {path!r}") from exc


def find_asset(manifest: Mapping[str, Any], asset_key: str) -> dict[str, Any]:
    """Return the ``[[assets]]`` entry named ``asset_key``, or raise RenderError."""
    for asset in manifest.get("assets", []):
        if asset.get("key") == asset_key:
            return asset
    raise RenderError(f"The kit has no asset {asset_key!r}")


def declared_fields(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the ``[[fields]]`` entries by key."""
    return {f["key"]: f for f in manifest.get("fields", []) if "key" in f}

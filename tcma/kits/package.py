"""Read a kit package (a folder or a zip of it) and refuse anything unsafe or invalid.

Nothing here writes anywhere: a package is read into memory under hard limits, checked
completely, and only a package with no problem at all comes back.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image, UnidentifiedImageError

from tcma.cobrand.render import MappingKitSource, TemplateProblem, validate_kit
from tcma.kits import rules
from tcma.kits.manifest import MANIFEST_NAME, manifest_problems, parse_manifest
from tcma.kits.rules import MAX_ENTRIES, MAX_UNPACKED_BYTES, PackageError

_CHUNK = 64 * 1024
_MB = 1024 * 1024
# Mode bits of a zip entry made on Unix live in the top half of external_attr.
_UNIX_MODE_SHIFT = 16


@dataclass(frozen=True)
class KitPackage:
    """A checked kit: its manifest (without change_note), its files, the note to publish with."""

    manifest: dict[str, Any]
    files: dict[str, bytes]
    change_note: str = ""

    @property
    def slug(self) -> str:
        return self.manifest["slug"]

    def index(self) -> dict[str, dict[str, Any]]:
        """{path: {"sha256", "size"}} of every file, as a KitVersion keeps it."""
        return {path: file_entry(data) for path, data in sorted(self.files.items())}


def file_entry(data: bytes) -> dict[str, Any]:
    """How a version's index describes one file."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def read_package(path_or_stream: str | Path | BinaryIO) -> KitPackage:
    """Read a kit from a folder, a .zip file path or a zip stream; PackageError if refused."""
    if isinstance(path_or_stream, str | Path):
        path = Path(path_or_stream)
        if path.is_dir():
            return read_folder(path)
        try:
            with path.open("rb") as stream:
                return read_zip(stream)
        except OSError as exc:
            raise PackageError([f"Cannot read {path}: {exc.strerror or exc}"]) from None
    return read_zip(path_or_stream)


def read_zip(stream: BinaryIO | bytes) -> KitPackage:
    """Read and check a zipped kit (kit.toml at the top or in one top-level folder)."""
    if isinstance(stream, bytes):
        stream = io.BytesIO(stream)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise PackageError(["The file is not a zip archive."]) from None
    with archive:
        infos = archive.infolist()
        _check_counts(len(infos), sum(info.file_size for info in infos), "declares")
        problems = [problem for info in infos if (problem := _entry_problem(info))]
        if problems:
            raise PackageError(problems)
        entries: dict[str, bytes] = {}
        budget = MAX_UNPACKED_BYTES
        for info in infos:
            if info.is_dir() or rules.is_ignored_entry(info.filename):
                continue
            if info.filename in entries:
                raise PackageError([f"{info.filename}: the zip holds this name twice"])
            entries[info.filename] = _read_member(archive, info, budget)
            budget -= len(entries[info.filename])
    return check_entries(_strip_top_folder(entries))


def _check_counts(entries: int, size: int, verb: str) -> None:
    if entries > MAX_ENTRIES:
        raise PackageError([f"The kit has {entries} entries; at most {MAX_ENTRIES} are allowed."])
    if size > MAX_UNPACKED_BYTES:
        raise PackageError(
            [
                f"The kit {verb} {size / _MB:.1f} MB unpacked; at most "
                f"{MAX_UNPACKED_BYTES // _MB} MB are allowed."
            ]
        )


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    problem = rules.path_problem(name.removesuffix("/"))
    if problem:
        return problem
    if stat.S_ISLNK(info.external_attr >> _UNIX_MODE_SHIFT):
        return f"{name!r}: symbolic links are not allowed"
    if info.flag_bits & 0x1:
        return f"{name!r}: encrypted entries are not allowed"
    return None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    # The sizes in the central directory are only claims: count what really comes out.
    chunks, total = [], 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                total += len(chunk)
                if total > info.file_size:
                    raise PackageError(
                        [
                            f"{info.filename}: unpacks to more than the "
                            f"{info.file_size} bytes its header declares"
                        ]
                    )
                if total > budget:
                    raise PackageError(
                        [
                            f"The kit unpacks to more than "
                            f"{MAX_UNPACKED_BYTES // _MB} MB; at most "
                            f"{MAX_UNPACKED_BYTES // _MB} MB are allowed."
                        ]
                    )
                chunks.append(chunk)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        OSError,
    ) as exc:
        raise PackageError([f"{info.filename}: cannot be unpacked ({exc})"]) from None
    return b"".join(chunks)


def _strip_top_folder(entries: dict[str, bytes]) -> dict[str, bytes]:
    """Accept 'my-kit/kit.toml' too, as zipping a folder usually makes."""
    if MANIFEST_NAME in entries or not entries:
        return entries
    tops = {name.split("/", 1)[0] for name in entries}
    if len(tops) == 1 and all("/" in name for name in entries):
        top = tops.pop() + "/"
        return {name.removeprefix(top): data for name, data in entries.items()}
    return entries


def read_folder(root: Path) -> KitPackage:
    """Read and check a kit folder; symbolic links anywhere in it are refused."""
    root = Path(root)
    files: list[tuple[str, Path]] = []
    problems: list[str] = []
    count = size = 0
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        for name in sorted(dirnames + filenames):
            full = Path(folder, name)
            relative = full.relative_to(root).as_posix()
            count += 1
            info = full.lstat()
            if stat.S_ISLNK(info.st_mode):
                problems.append(f"{relative!r}: symbolic links are not allowed")
            elif stat.S_ISREG(info.st_mode) and not rules.is_ignored_entry(relative):
                size += info.st_size
                files.append((relative, full))
    _check_counts(count, size, "has")
    if problems:
        raise PackageError(problems)
    entries: dict[str, bytes] = {}
    budget = MAX_UNPACKED_BYTES
    for relative, full in files:
        with full.open("rb") as stream:
            data = stream.read(budget + 1)
        if len(data) > budget:
            raise PackageError(
                [
                    f"The kit has more than {MAX_UNPACKED_BYTES // _MB} MB; at most "
                    f"{MAX_UNPACKED_BYTES // _MB} MB are allowed."
                ]
            )
        budget -= len(data)
        entries[relative] = data
    return check_entries(entries)


def check_entries(entries: dict[str, bytes]) -> KitPackage:
    """Check every file and the manifest of an unpacked kit; PackageError lists all problems."""
    if MANIFEST_NAME not in entries:
        raise PackageError(["kit.toml is missing: a kit has kit.toml at its top level."])
    files = {path: data for path, data in entries.items() if path != MANIFEST_NAME}
    problems = [
        problem for path, data in sorted(files.items()) if (problem := file_problem(path, data))
    ]
    try:
        manifest = parse_manifest(entries[MANIFEST_NAME])
    except PackageError as exc:
        raise PackageError(problems + exc.problems) from None
    problems += manifest_problems(manifest, set(files))
    if not problems:
        problems += template_problems(manifest, files)
    if problems:
        raise PackageError(problems)
    change_note = manifest.pop("change_note", "") or ""
    return KitPackage(manifest, files, change_note)


def file_problem(path: str, data: bytes) -> str | None:
    """Why one kit file is refused (its name, type or content), or None."""
    problem = rules.path_problem(path)
    if problem:
        return problem
    kind = rules.file_kind(path)
    if kind == "svg":
        return f"{path}: SVG images are refused (they can carry scripts); use PNG or WebP"
    if kind == "template":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return f"{path}: templates must be UTF-8 text"
        return f"{path}: templates must not contain NUL characters" if "\x00" in text else None
    if kind == "image":
        return image_problem(path, data)
    if kind == "font":
        return rules.font_problem(path, data)
    return f"{path}: this type of file is not allowed; {rules.ALLOWED_FILES_TEXT}"


def image_problem(path: str, data: bytes) -> str | None:
    """Check an image by its content: a real PNG/JPEG/GIF/WebP, as named, not too large."""
    expected = rules.IMAGE_FORMATS[path.lower()[path.rfind(".") :]]
    allowed = sorted(set(rules.IMAGE_FORMATS.values()))
    try:
        with Image.open(io.BytesIO(data), formats=allowed) as image:
            width, height = image.size
            found = image.format
            if width * height > rules.MAX_IMAGE_PIXELS:
                return (
                    f"{path}: {width} x {height} pixels is more than the "
                    f"{rules.MAX_IMAGE_PIXELS // 1_000_000} megapixels allowed"
                )
            image.verify()
    except Image.DecompressionBombError:
        return f"{path}: the image has far too many pixels"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return f"{path}: the content is not a valid PNG, JPEG, GIF or WebP image"
    if found != expected:
        return f"{path}: the content is a {found} image, not {expected}; rename the file"
    return None


def format_problem(problem: TemplateProblem) -> str:
    """'invite.html line 3: message' (no line when the engine does not know it)."""
    where = f"{problem.path} line {problem.line}" if problem.line else problem.path
    return f"{where}: {problem.message}"


def template_problems(manifest: dict[str, Any], files: dict[str, bytes]) -> list[str]:
    """Compile every template of a kit in the render engine's sandbox and report problems."""
    source = MappingKitSource(manifest, files, "validation")
    return [format_problem(problem) for problem in validate_kit(source)]

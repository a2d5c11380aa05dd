"""The pipe protocol between the app and its render workers: JSON headers plus raw bytes.

JSON, not pickle, on purpose: a worker runs vendor-authored templates, and unpickling
what it sends back would hand it the app process if the sandbox were ever escaped.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import struct
import time
from collections.abc import Callable, Sequence
from typing import Any

from tcma.cobrand.render.context import RenderContext

_LENGTH = struct.Struct(">Q")
#: Largest JSON header accepted (a kit manifest is a few kilobytes).
MAX_HEADER_BYTES = 8 * 1024 * 1024

Message = tuple[dict[str, Any], list[bytes]]


class ProtocolError(Exception):
    """The other end sent something malformed or closed the pipe."""


class Timeout(Exception):
    """The deadline passed before a whole message arrived."""


def encode(header: dict[str, Any], blobs: Sequence[bytes] = ()) -> bytes:
    """Frame a header and its blobs: length-prefixed JSON, then each length-prefixed blob."""
    body = json.dumps({**header, "blobs": len(blobs)}, default=str).encode()
    parts = [_LENGTH.pack(len(body)), body]
    for blob in blobs:
        parts += [_LENGTH.pack(len(blob)), blob]
    return b"".join(parts)


def decode(read_exact: Callable[[int], bytes], max_blob_bytes: int) -> Message:
    """Read one framed message with ``read_exact(n)``; refuse oversized parts."""
    try:
        header = json.loads(read_exact(_length(read_exact, MAX_HEADER_BYTES)))
    except ValueError as exc:
        raise ProtocolError(f"malformed message header: {exc}") from None
    if not isinstance(header, dict) or not isinstance(header.get("blobs"), int):
        raise ProtocolError("malformed message header")
    blobs = [read_exact(_length(read_exact, max_blob_bytes)) for _ in range(header["blobs"])]
    return header, blobs


def _length(read_exact: Callable[[int], bytes], limit: int) -> int:
    (length,) = _LENGTH.unpack(read_exact(_LENGTH.size))
    if length > limit:
        raise ProtocolError(f"message part of {length} bytes is over the {limit} limit")
    return length


def stream_reader(stream: Any) -> Callable[[int], bytes]:
    """A blocking ``read_exact`` over a binary file object (the worker's side)."""

    def read_exact(size: int) -> bytes:
        data = stream.read(size)
        if len(data) != size:
            raise ProtocolError("pipe closed")
        return data

    return read_exact


def deadline_reader(fd: int, deadline: float) -> Callable[[int], bytes]:
    """A ``read_exact`` over a pipe that raises Timeout once ``deadline`` has passed."""

    def read_exact(size: int) -> bytes:
        chunks, missing = [], size
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise Timeout
            chunk = os.read(fd, min(missing, 1 << 20))
            if not chunk:
                raise ProtocolError("pipe closed")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    return read_exact


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to a pipe."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def context_to_wire(ctx: RenderContext) -> Message:
    """Split a RenderContext into a JSON-able header and its binary images."""
    blobs: list[bytes] = []

    def blob(data: bytes) -> int:
        blobs.append(bytes(data))
        return len(blobs) - 1

    header = {
        f.name: getattr(ctx, f.name)
        for f in dataclasses.fields(ctx)
        if f.name not in ("brand_logo", "field_images")
    }
    header["brand_logo"] = None if ctx.brand_logo is None else blob(ctx.brand_logo)
    header["field_images"] = {key: blob(data) for key, data in ctx.field_images.items()}
    return header, blobs


def context_from_wire(header: dict[str, Any], blobs: list[bytes]) -> RenderContext:
    """Rebuild the RenderContext sent by context_to_wire."""
    values = dict(header)
    logo = values.pop("brand_logo")
    images = values.pop("field_images")
    return RenderContext(
        **values,
        brand_logo=None if logo is None else blobs[logo],
        field_images={key: blobs[index] for key, index in images.items()},
    )

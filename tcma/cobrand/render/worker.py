"""A render worker: a long-lived child process that renders the jobs its parent sends.

The worker holds no credentials and opens no storage: every kit file it needs is asked
of the parent over the pipe, so a template that escaped the sandbox would find nothing.
"""

from __future__ import annotations

import logging
import math
import os
import resource
import signal
import sys
from collections import OrderedDict
from typing import Any, BinaryIO

from tcma.cobrand.render.context import KitFileNotFound, RenderContext, RenderError
from tcma.cobrand.render.documents import html_to_pdf, pdf_page_to_png, pixel_page_css
from tcma.cobrand.render.fetcher import KitURLFetcher
from tcma.cobrand.render.outputs import KitEnvironments, render_in_process
from tcma.cobrand.render.protocol import (
    ProtocolError,
    context_from_wire,
    decode,
    encode,
    stream_reader,
)
from tcma.cobrand.render.source import KitSource, normalise_kit_path

log = logging.getLogger(__name__)

#: Kit versions whose compiled templates and files a worker keeps.
CACHED_VERSIONS = 8
#: Bytes of kit files kept per cached version (media is re-read beyond this).
CACHED_BYTES_PER_VERSION = 32 * 1024 * 1024
#: Seconds past the parent's time limit after which a worker kills itself anyway.
WATCHDOG_GRACE = 5


class _Channel:
    """The worker's end of the pipe."""

    def __init__(self, incoming: BinaryIO, outgoing: BinaryIO, max_blob_bytes: int) -> None:
        self._read = stream_reader(incoming)
        self._out = outgoing
        self.max_blob_bytes = max_blob_bytes

    def send(self, header: dict[str, Any], blobs: list[bytes] | None = None) -> None:
        self._out.write(encode(header, blobs or []))
        self._out.flush()

    def receive(self) -> tuple[dict[str, Any], list[bytes]]:
        return decode(self._read, self.max_blob_bytes)


class ParentKitSource(KitSource):
    """A kit version whose files are read by the parent process, on request."""

    def __init__(
        self, manifest: dict[str, Any], version_key: str, channel: _Channel, files: dict
    ) -> None:
        self.manifest = manifest
        self.version_key = version_key
        self._channel = channel
        self._files: dict[str, bytes] = files

    def read(self, path: str) -> bytes:
        """Return a kit file, asking the parent the first time."""
        path = normalise_kit_path(path)
        if path not in self._files:
            self._channel.send({"op": "read", "path": path})
            header, blobs = self._channel.receive()
            if header.get("op") != "file":
                raise ProtocolError(f"expected a file, got {header.get('op')!r}")
            if not header.get("found"):
                raise KitFileNotFound(str(header.get("message") or f"No kit file {path!r}"))
            if sum(map(len, self._files.values())) + len(blobs[0]) > CACHED_BYTES_PER_VERSION:
                return blobs[0]
            self._files[path] = blobs[0]
        return self._files[path]


class _VersionCache:
    """Compiled templates and files of recently rendered kit versions (they never change)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[KitEnvironments, dict]] = OrderedDict()

    def source(self, job: dict[str, Any], channel: _Channel) -> tuple[KitSource, KitEnvironments]:
        key = str(job["version_key"])
        envs, files = self._entries.pop(key, (None, {}))
        source = ParentKitSource(job["manifest"], key, channel, files)
        if envs is None:
            envs = KitEnvironments(source)
        envs.use(source)
        self._entries[key] = (envs, files)
        while len(self._entries) > CACHED_VERSIONS:
            self._entries.popitem(last=False)
        return source, envs


def warm_up() -> None:
    """Render a tiny document once so fonts and libraries are loaded before the first job."""
    fetcher = KitURLFetcher(lambda path: b"")
    html = "<p style='font-family: sans-serif'>Warm</p>"
    pdf = html_to_pdf(html, fetcher, pixel_page_css(40, 20), tagged=False)
    pdf_page_to_png(pdf, (40, 20))


def handle_render(
    job: dict[str, Any], blobs: list[bytes], channel: _Channel, cache: _VersionCache
) -> None:
    """Render one job and send the result or the error back."""
    source, envs = cache.source(job, channel)
    ctx: RenderContext = context_from_wire(job["ctx"], blobs)
    # If the parent died or lost track of us, a runaway render still ends.
    signal.alarm(math.ceil(float(job["time_limit"])) + WATCHDOG_GRACE)
    try:
        result = render_in_process(
            source,
            job["asset_key"],
            ctx,
            job["target"],
            environments=envs,
            max_output_bytes=int(job["max_output_bytes"]),
        )
    except RenderError as exc:
        channel.send({"op": "error", "message": str(exc)})
        return
    except MemoryError:
        # Memory may be fragmented or half-freed: report, then let the parent replace us.
        channel.send({"op": "error", "message": "The render ran out of memory", "fatal": True})
        raise SystemExit(1) from None
    finally:
        signal.alarm(0)
    header = {"op": "result", "filename": result.filename, "content_type": result.content_type}
    channel.send({**header, "refused": list(result.refused_urls)}, [result.data])


def _limit_memory(limit: int) -> None:
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main() -> None:
    """Run the worker loop until the parent closes the pipe."""
    logging.basicConfig(level=logging.WARNING, format="render worker %(levelname)s: %(message)s")
    # The protocol gets private copies of stdin/stdout; fd 1 then points at stderr so a
    # stray print() from any library cannot corrupt a message.
    incoming = os.fdopen(os.dup(0), "rb")
    outgoing = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    memory_limit, max_output_bytes = (int(arg) for arg in sys.argv[1:3])
    _limit_memory(memory_limit)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle.
    warm_up()
    channel = _Channel(incoming, outgoing, max_output_bytes + (64 << 20))
    channel.send({"op": "ready", "pid": os.getpid()})
    cache = _VersionCache()
    while True:
        try:
            header, blobs = channel.receive()
        except ProtocolError:
            return  # The parent closed the pipe: time to go.
        try:
            handle_render(header, blobs, channel, cache)
        except ProtocolError:
            return
        except Exception as exc:
            # An engine bug, not the template's fault: the details go to the log only.
            log.exception("render failed")
            message = f"The asset could not be rendered ({type(exc).__name__})"
            channel.send({"op": "error", "message": message})

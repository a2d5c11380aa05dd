"""Fixtures of the render engine tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tcma.cobrand.render import FolderKitSource, RenderContext, RenderPool
from tests.cobrand.support import FIXTURE_KIT, make_context


@pytest.fixture
def kit() -> FolderKitSource:
    return FolderKitSource(FIXTURE_KIT)


@pytest.fixture
def ctx() -> RenderContext:
    return make_context()


@pytest.fixture(scope="module")
def pool() -> Iterator[RenderPool]:
    """One worker with a short time limit, shared by a module's tests."""
    render_pool = RenderPool(size=1, time_limit=3)
    yield render_pool
    render_pool.close()


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"secret-from-the-network")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()

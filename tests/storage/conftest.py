"""Storage fixtures: a minimal Flask app for local storage, a moto S3 server for S3."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from flask import Flask
from moto.server import ThreadedMotoServer

from tcma.storage import S3Storage, Storage, get_storage, init_storage

BUCKET = "tcma-test-bucket"


@dataclass(frozen=True)
class Fetched:
    """What a browser would get from a download URL."""

    status: int
    headers: dict[str, str]
    body: bytes


Fetch = Callable[[str], Fetched]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1, reached over real HTTP, with dummy credentials."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
            env.delenv(name, raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
            Bucket=BUCKET
        )
        try:
            yield endpoint
        finally:
            server.stop()


@pytest.fixture
def s3_storage(s3_endpoint: str) -> S3Storage:
    """An S3Storage with its own prefix, so tests sharing the bucket never see each other."""
    return S3Storage(BUCKET, f"tcma-test/{uuid.uuid4().hex}/", endpoint_url=s3_endpoint)


@pytest.fixture
def storage_app(tmp_path: Path) -> Flask:
    """The smallest app that serves local storage downloads."""
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config.update(
        SECRET_KEY="storage-test-secret",
        STORAGE_URL=(tmp_path / "storage").as_uri(),
        S3_ENDPOINT_URL=None,
        TESTING=True,
    )
    init_storage(app)
    return app


@pytest.fixture
def local_storage(storage_app: Flask) -> Iterator[Storage]:
    """The app's local storage, inside a request so it can sign download URLs."""
    with storage_app.test_request_context():
        yield get_storage()


def _fetch_with_client(app: Flask) -> Fetch:
    def fetch(url: str) -> Fetched:
        response = app.test_client().get(url)
        return Fetched(response.status_code, dict(response.headers), response.get_data())

    return fetch


def _fetch_over_http(url: str) -> Fetched:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return Fetched(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, dict(error.headers), error.read())


@dataclass(frozen=True)
class Backend:
    """A storage under test and how a browser would fetch its download URLs."""

    name: str
    storage: Storage
    fetch: Fetch


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each storage backend in turn, for the contract tests every backend must pass."""
    if request.param == "local":
        app = request.getfixturevalue("storage_app")
        storage = request.getfixturevalue("local_storage")
        return Backend("local", storage, _fetch_with_client(app))
    return Backend("s3", request.getfixturevalue("s3_storage"), _fetch_over_http)

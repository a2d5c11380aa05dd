"""A storage endpoint that accepts connections and never answers fails requests in seconds."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcma.config import ConfigError, load_config
from tcma.storage import S3Storage, StorageUnavailable, get_storage
from tests.conftest import make_test_app
from tests.faults import dummy_aws_credentials, hanging_listener
from tests.storage.conftest import BUCKET

# Per try: connect (instant: the listener accepts) + read timeout; two tries.
READ_TIMEOUT, ATTEMPTS = 0.5, 2
# The bound asserted: every try's timeout plus generous slack for a busy test machine.
BOUND = READ_TIMEOUT * ATTEMPTS + 3.0


@pytest.fixture
def hanging_endpoint() -> Iterator[str]:
    with dummy_aws_credentials(), hanging_listener() as url:
        yield url


def _hanging_storage(endpoint: str) -> S3Storage:
    return S3Storage(
        BUCKET,
        "tcma-test",
        endpoint_url=endpoint,
        connect_timeout=READ_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        max_attempts=ATTEMPTS,
    )


@pytest.mark.parametrize(
    "operation",
    [
        lambda s: s.put("a/b.txt", b"hello"),
        lambda s: s.read("a/b.txt"),
        lambda s: s.exists("a/b.txt"),
        lambda s: s.delete("a/b.txt"),
        lambda s: s.list_keys("a/"),
        lambda s: s.check(),
    ],
    ids=["put", "read", "exists", "delete", "list_keys", "check"],
)
def test_each_storage_call_gives_up_within_its_timeouts(hanging_endpoint: str, operation) -> None:
    storage = _hanging_storage(hanging_endpoint)
    started = time.monotonic()
    with pytest.raises(StorageUnavailable, match="S3 did not answer"):
        operation(storage)
    assert time.monotonic() - started < BOUND


def test_after_one_unanswered_call_the_next_fail_at_once(hanging_endpoint: str) -> None:
    storage = _hanging_storage(hanging_endpoint)
    with pytest.raises(StorageUnavailable):
        storage.read("a/b.txt")
    for call in (lambda: storage.put("a/c.txt", b"x"), lambda: storage.exists("a/c.txt")):
        started = time.monotonic()
        with pytest.raises(StorageUnavailable, match="did not answer a moment ago"):
            call()
        assert time.monotonic() - started < READ_TIMEOUT  # not even one more timeout


def test_healthz_answers_503_quickly_while_storage_hangs(
    database_url: str, tmp_path: Path, hanging_endpoint: str
) -> None:
    # The app's own S3 settings (5 s x 2 tries) would hold a request for 10 s; the
    # health check must not wait for them.
    app = make_test_app(
        database_url,
        tmp_path,
        STORAGE_URL=f"s3://{BUCKET}/tcma-test",
        S3_ENDPOINT_URL=hanging_endpoint,
        HEALTH_CHECK_TIMEOUT=1.0,
    )
    client = app.test_client()
    for _ in range(3):  # later probes do not pile up behind the hanging one either
        started = time.monotonic()
        response = client.get("/healthz")
        assert time.monotonic() - started < 1.0 + 2.0
        assert response.status_code == 503
        assert response.get_json() == {"status": "error", "database": "ok", "storage": "error"}
    app.extensions["tcma.engine"].dispose()


def test_healthz_is_ok_on_a_working_s3(database_url: str, tmp_path: Path, s3_endpoint: str) -> None:
    app = make_test_app(
        database_url,
        tmp_path,
        STORAGE_URL=f"s3://{BUCKET}/tcma-test/{uuid.uuid4().hex}",
        S3_ENDPOINT_URL=s3_endpoint,
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["storage"] == "ok"
    app.extensions["tcma.engine"].dispose()


def test_the_app_builds_its_s3_client_from_the_timeout_settings(
    database_url: str, tmp_path: Path, s3_endpoint: str
) -> None:
    app = make_test_app(
        database_url,
        tmp_path,
        STORAGE_URL=f"s3://{BUCKET}/tcma-test",
        S3_ENDPOINT_URL=s3_endpoint,
        S3_CONNECT_TIMEOUT=1.5,
        S3_READ_TIMEOUT=4.0,
        S3_MAX_ATTEMPTS=3,
    )
    with app.app_context():
        config = get_storage().client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (1.5, 4.0)
    assert config.retries["total_max_attempts"] == 3
    app.extensions["tcma.engine"].dispose()


def test_timeout_settings_have_short_defaults_and_refuse_nonsense(tmp_path: Path) -> None:
    defaults = load_config(str(tmp_path), {})
    assert (defaults["S3_CONNECT_TIMEOUT"], defaults["S3_READ_TIMEOUT"]) == (2.0, 5.0)
    assert defaults["S3_MAX_ATTEMPTS"] == 2
    set_ = load_config(
        str(tmp_path),
        {
            "TCMA_S3_READ_TIMEOUT": "2.5",
            "TCMA_S3_CONNECT_TIMEOUT": "1",
            "TCMA_S3_MAX_ATTEMPTS": "1",
        },
    )
    assert (set_["S3_CONNECT_TIMEOUT"], set_["S3_READ_TIMEOUT"], set_["S3_MAX_ATTEMPTS"]) == (
        1.0,
        2.5,
        1,
    )
    for bad in ("soon", "0", "-1", "9999"):
        with pytest.raises(ConfigError, match="TCMA_S3_READ_TIMEOUT"):
            load_config(str(tmp_path), {"TCMA_S3_READ_TIMEOUT": bad})

"""What only the S3 backend does: prefixes, content types, presigning, failing honestly."""

from __future__ import annotations

import calendar
import io
import socket
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from tcma.storage import S3Storage, StorageError, StorageNotFound


def _raw_client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_prefix_is_applied_to_every_key(s3_endpoint: str, s3_storage: S3Storage) -> None:
    s3_storage.put("kits/a.txt", b"a")
    raw = _raw_client(s3_endpoint)
    listed = raw.list_objects_v2(Bucket=s3_storage.bucket, Prefix=s3_storage.prefix)["Contents"]
    assert [item["Key"] for item in listed] == [f"{s3_storage.prefix}kits/a.txt"]
    # Objects outside the prefix belong to someone else and stay invisible.
    raw.put_object(Bucket=s3_storage.bucket, Key="kits/outside.txt", Body=b"x")
    assert s3_storage.list_keys("") == ["kits/a.txt"]
    assert not s3_storage.exists("kits/outside.txt")


def test_prefix_is_normalised(s3_endpoint: str) -> None:
    assert (
        S3Storage("any-bucket", "/tcma-test/x/", endpoint_url=s3_endpoint).prefix == "tcma-test/x/"
    )
    assert S3Storage("any-bucket", "", endpoint_url=s3_endpoint).prefix == ""
    with pytest.raises(StorageError):
        S3Storage("any-bucket", "a/../b", endpoint_url=s3_endpoint)


def test_content_type_is_stored(s3_endpoint: str, s3_storage: S3Storage) -> None:
    s3_storage.put("a.png", b"png", "image/png")
    s3_storage.put("b.pdf", io.BytesIO(b"pdf"), "application/pdf")
    raw = _raw_client(s3_endpoint)
    head_a = raw.head_object(Bucket=s3_storage.bucket, Key=f"{s3_storage.prefix}a.png")
    head_b = raw.head_object(Bucket=s3_storage.bucket, Key=f"{s3_storage.prefix}b.pdf")
    assert head_a["ContentType"] == "image/png"
    assert head_b["ContentType"] == "application/pdf"


def test_presigned_url_expires_when_asked(s3_storage: S3Storage) -> None:
    s3_storage.put("a.txt", b"a")
    before = time.time()
    query = parse_qs(urlsplit(s3_storage.download_url("a.txt", "a.txt", expires_in=90)).query)
    assert query["X-Amz-Expires"] == ["90"]
    signed_at = calendar.timegm(time.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ"))
    assert abs(signed_at - before) <= 5


def test_check_fails_for_a_missing_bucket(s3_endpoint: str) -> None:
    with pytest.raises(StorageError) as raised:
        S3Storage("no-such-bucket-here", endpoint_url=s3_endpoint).check()
    assert not isinstance(raised.value, StorageNotFound)


def test_check_fails_for_an_unreachable_endpoint(s3_endpoint: str) -> None:
    storage = S3Storage("any-bucket", endpoint_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(StorageError):
        storage.check()
    with pytest.raises(StorageError):
        storage.put("a.txt", b"a")


def test_missing_bucket_errors_are_storage_errors(s3_endpoint: str) -> None:
    storage = S3Storage("no-such-bucket-here", endpoint_url=s3_endpoint)
    with pytest.raises(StorageError):
        storage.put("a.txt", b"a")
    with pytest.raises(StorageError):
        storage.put("a.txt", io.BytesIO(b"a"))
    with pytest.raises(StorageError):
        storage.list_keys("")

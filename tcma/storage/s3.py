"""Storage in an S3 bucket (AWS, MinIO or any S3-compatible endpoint)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import boto3
from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from tcma.storage.base import (
    Storage,
    StorageError,
    StorageNotFound,
    StorageUnavailable,
    content_disposition,
    validate_key,
    validate_prefix,
)

_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
_BACKEND_ERRORS = (BotoCoreError, ClientError, Boto3Error)
# Could not connect, timed out, or the connection broke off: the endpoint is not answering.
_UNREACHABLE_ERRORS = (BotoConnectionError, HTTPClientError)
#: Defaults of TCMA_S3_CONNECT_TIMEOUT, TCMA_S3_READ_TIMEOUT (seconds), TCMA_S3_MAX_ATTEMPTS.
DEFAULT_CONNECT_TIMEOUT = 2.0
DEFAULT_READ_TIMEOUT = 5.0
DEFAULT_MAX_ATTEMPTS = 2


#: Seconds after an unanswered call during which calls fail at once instead of waiting again.
UNREACHABLE_COOLDOWN = 5.0


class _Unreachable:
    """Remembers that the endpoint just did not answer: for a few seconds every call fails
    at once, so a hanging S3 costs each request one timeout at most, not one per call."""

    def __init__(self, cooldown: float = UNREACHABLE_COOLDOWN) -> None:
        self.cooldown = cooldown
        self._until = 0.0

    def refuse_while_down(self, action: str, key: str) -> None:
        if time.monotonic() < self._until:
            raise StorageUnavailable(
                f"S3 did not answer a moment ago; cannot {action} {key!r} (try again shortly)"
            )

    def mark_down(self) -> None:
        self._until = time.monotonic() + self.cooldown

    def mark_up(self) -> None:
        self._until = 0.0


@contextmanager
def _translated(action: str, key: str, down: _Unreachable | None = None) -> Iterator[None]:
    """Turn boto3/botocore failures into StorageError / StorageNotFound / StorageUnavailable."""
    if down is not None:
        down.refuse_while_down(action, key)
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _NOT_FOUND_CODES:
            raise StorageNotFound(key) from exc
        raise StorageError(f"cannot {action} {key!r}: {exc}") from exc
    except _UNREACHABLE_ERRORS as exc:
        if down is not None:
            down.mark_down()
        raise StorageUnavailable(f"S3 did not answer; cannot {action} {key!r}: {exc}") from exc
    except (BotoCoreError, Boto3Error) as exc:
        raise StorageError(f"cannot {action} {key!r}: {exc}") from exc


class _ObjectStream(io.RawIOBase):
    """A readable view of an S3 object body that raises StorageError instead of botocore's."""

    def __init__(self, body: Any, key: str, down: _Unreachable) -> None:
        self._body = body
        self._key = key
        self._down = down

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with _translated("read", self._key, self._down):
            chunk = self._body.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def readall(self) -> bytes:
        # RawIOBase.readall would loop in 8 KiB steps; the body can hand over all at once.
        with _translated("read", self._key, self._down):
            return self._body.read()

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3Storage(Storage):
    """Objects in ``bucket`` under ``prefix``; downloads are presigned GET URLs."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        client: Any = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        self.bucket = bucket
        prefix = validate_prefix(prefix.strip("/"))
        self.prefix = f"{prefix}/" if prefix else ""
        if client is None:
            # Short timeouts and few attempts: a hanging endpoint must fail a request in
            # seconds (attempts x read timeout), well before the web server's own timeout.
            config = Config(
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"total_max_attempts": max(1, max_attempts), "mode": "standard"},
                signature_version="s3v4",
                # MinIO-style endpoints rarely have wildcard DNS for bucket subdomains.
                s3={"addressing_style": "path" if endpoint_url else "auto"},
            )
            # Clients are thread-safe and costly to build: one per storage, not per call.
            # A private Session because boto3's shared default one is not thread-safe.
            client = boto3.session.Session().client(
                "s3", endpoint_url=endpoint_url, region_name=region_name, config=config
            )
        self.client = client
        self._down = _Unreachable()

    def __repr__(self) -> str:
        return f"S3Storage({self.bucket!r}, {self.prefix!r})"

    def _object_key(self, key: str) -> str:
        return self.prefix + validate_key(key)

    def put(
        self,
        key: str,
        data: bytes | BinaryIO,
        content_type: str = "application/octet-stream",
    ) -> str:
        """Upload ``data`` to ``key``; file objects go up in parts, never read whole."""
        object_key = self._object_key(key)
        with _translated("write", key, self._down):
            if isinstance(data, bytes | bytearray | memoryview):
                self.client.put_object(
                    Bucket=self.bucket, Key=object_key, Body=bytes(data), ContentType=content_type
                )
            else:
                self.client.upload_fileobj(
                    data, self.bucket, object_key, ExtraArgs={"ContentType": content_type}
                )
        return key

    def open(self, key: str) -> BinaryIO:
        """Open the object at ``key`` as a stream of its body."""
        object_key = self._object_key(key)
        with _translated("open", key, self._down):
            body = self.client.get_object(Bucket=self.bucket, Key=object_key)["Body"]
        return io.BufferedReader(_ObjectStream(body, key, self._down))

    def exists(self, key: str) -> bool:
        """Tell whether an object is stored at ``key``."""
        object_key = self._object_key(key)
        try:
            with _translated("look up", key, self._down):
                self.client.head_object(Bucket=self.bucket, Key=object_key)
        except StorageNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        """Delete the object at ``key`` (S3 does not mind a missing one)."""
        object_key = self._object_key(key)
        with _translated("delete", key, self._down):
            self.client.delete_object(Bucket=self.bucket, Key=object_key)

    def list_keys(self, prefix: str) -> list[str]:
        """Return the sorted keys starting with ``prefix``, without the storage prefix."""
        full_prefix = self.prefix + validate_prefix(prefix)
        keys: list[str] = []
        with _translated("list", prefix, self._down):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix):
                keys.extend(item["Key"][len(self.prefix) :] for item in page.get("Contents", []))
        return sorted(keys)

    def download_url(
        self, key: str, filename: str, *, expires_in: int = 300, inline: bool = False
    ) -> str:
        """Return a presigned GET URL that downloads ``key`` as ``filename``."""
        object_key = self._object_key(key)
        params = {
            "Bucket": self.bucket,
            "Key": object_key,
            "ResponseContentDisposition": content_disposition(filename, inline=inline),
        }
        with _translated("sign", key):
            return self.client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires_in
            )

    def check(self) -> None:
        """Raise StorageError unless the bucket exists and these credentials reach it."""
        # Not refused while marked down: the health check is what notices S3 is back.
        try:
            self.client.head_bucket(Bucket=self.bucket)
            self._down.mark_up()
        except _UNREACHABLE_ERRORS as exc:
            self._down.mark_down()
            raise StorageUnavailable(
                f"S3 did not answer for bucket {self.bucket!r}: {exc}"
            ) from exc
        except _BACKEND_ERRORS as exc:
            raise StorageError(f"bucket {self.bucket!r} is not usable: {exc}") from exc

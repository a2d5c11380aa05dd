"""Helpers for tests that go through a real queue: worker processes, an SMTP inbox, Redis."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import redis

from tcma.jobs.models import FAILED, JobRecord

TCMA = str(Path(sys.executable).with_name("tcma"))
REDIS_URL = os.environ.get("TCMA_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


def redis_or_skip() -> str:
    """The test Redis database, or skip when no Redis answers."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis suite: no Redis at {REDIS_URL} (.ci/run starts redis-server)")
    return REDIS_URL


@contextmanager
def redis_queue_name() -> Iterator[str]:
    """A queue name of this test's own (tests share the Redis db); its keys go at the end."""
    name = f"tcma-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"*{name}*"))
    if keys:
        client.delete(*keys)


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(envelope.content, policy=email.policy.default)
            for envelope in self.envelopes
        ]


def wait_for(check: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def worker_env(app_config: dict[str, Any], **extra: str) -> dict[str, str]:
    """The environment a `tcma worker` needs to work on the test app's database and queue."""
    env = dict(os.environ)
    env.update(
        TCMA_DATABASE_URL=app_config["DATABASE_URL"],
        TCMA_STORAGE_URL=app_config["STORAGE_URL"],
        TCMA_QUEUE_URL=app_config["QUEUE_URL"],
        TCMA_QUEUE_NAME=app_config["QUEUE_NAME"],
        TCMA_SMTP_URL=app_config["SMTP_URL"],
        TCMA_BASE_URL=app_config["BASE_URL"],
        TCMA_SECRET_KEY=app_config["SECRET_KEY"],
        TCMA_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@contextmanager
def worker_process(env: dict[str, str], *args: str, cwd: Path) -> Iterator[subprocess.Popen]:
    """A `tcma worker` process, started and ready; stopped with Ctrl+C (SIGINT) at the end."""
    proc = subprocess.Popen(
        [TCMA, "worker", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("tcma worker:"), f"worker did not start: {line}"
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def matrix_job(ctx: Any) -> Any:
    """A failed export of partner A's user (ben), for the access matrix."""
    if not hasattr(ctx, "job_record_id"):
        session = ctx.app.extensions["tcma.sessionmaker"]()
        user = ctx.world.users["a_user"]
        record = JobRecord(
            task="pipeline.export_csv",
            kind="export",
            title="Leads export (Salesforce CSV)",
            params={
                "kind": "leads",
                "crm": "salesforce",
                "filter": {"partner_id": user.partner_id},
                "token": "matrix",
            },
            user_id=user.id,
            partner_id=user.partner_id,
            status=FAILED,
            error="Storage was unreachable.",
        )
        session.add(record)
        session.commit()
        ctx.job_record_id = record.id
        session.close()
    return ctx

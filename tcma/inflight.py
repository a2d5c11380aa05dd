"""How much work one person may have running at once (live previews), across processes.

Counts live in Redis when ``TCMA_RATELIMIT_STORAGE_URL`` is ``redis://…`` (every process on
every machine shares them), else in this process. A slot a crashed process never gave back
expires after ``SLOT_TTL`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import redis
from flask import Flask, current_app

log = logging.getLogger(__name__)

EXTENSION_KEY = "tcma.inflight"
#: Longest a slot can be held: a render's time limit plus its wait in the queue, with room.
SLOT_TTL = 120
# Drop expired holders, then take a slot if fewer than the limit are held; Redis' own
# clock, so that machines with skewed clocks agree.
_ACQUIRE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], t, ARGV[3])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


class TooManyInFlight(Exception):
    """The person already has as much work running as they may."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} at once")
        self.limit = limit


class SlotStore(Protocol):
    """Where the slots in use are counted."""

    def acquire(self, key: str, limit: int) -> str | None:
        """Take a slot under ``key`` if fewer than ``limit`` are taken; a token, else None."""

    def release(self, key: str, token: str) -> None:
        """Give the slot back."""


class MemorySlots:
    """Slots counted in this process (one process, or development)."""

    def __init__(self) -> None:
        self._held: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str, limit: int) -> str | None:
        with self._lock:
            held = self._held.setdefault(key, set())
            if len(held) >= limit:
                return None
            token = uuid.uuid4().hex
            held.add(token)
            return token

    def release(self, key: str, token: str) -> None:
        with self._lock:
            held = self._held.get(key, set())
            held.discard(token)
            if not held:
                self._held.pop(key, None)


class RedisSlots:
    """Slots counted in Redis, shared by every process that uses the same server."""

    def __init__(self, url: str, ttl: int = SLOT_TTL) -> None:
        # Every call to another system has a timeout: a stuck Redis costs a second, no more.
        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._acquire = self._redis.register_script(_ACQUIRE)
        self.ttl = ttl

    def acquire(self, key: str, limit: int) -> str | None:
        token = uuid.uuid4().hex
        taken = self._acquire(keys=[f"tcma:inflight:{key}"], args=[limit, self.ttl, token])
        return token if taken else None

    def release(self, key: str, token: str) -> None:
        self._redis.zrem(f"tcma:inflight:{key}", token)


def slots_from_url(url: str) -> SlotStore:
    """Redis slots for ``redis://`` / ``rediss://`` URLs, in-process slots otherwise."""
    if url.startswith(("redis://", "rediss://")):
        return RedisSlots(url)
    return MemorySlots()


def init_inflight(app: Flask) -> None:
    """Give the app its slot store, next to its rate-limit counters."""
    app.extensions[EXTENSION_KEY] = slots_from_url(app.config.get("RATELIMIT_STORAGE_URI", ""))


@contextmanager
def slot(kind: str, owner: object, limit: int) -> Iterator[None]:
    """Hold one of ``limit`` slots of ``kind`` for ``owner``; TooManyInFlight if none is free.

    If the store cannot be reached the work goes ahead: a preview limit is not worth an outage.
    """
    store: SlotStore = current_app.extensions[EXTENSION_KEY]
    key = f"{kind}:{owner}"
    try:
        token = store.acquire(key, limit)
    except redis.RedisError as exc:
        log.warning("in-flight limit for %s not checked: %s", key, exc)
        yield
        return
    if token is None:
        raise TooManyInFlight(limit)
    started = time.monotonic()
    try:
        yield
    finally:
        try:
            store.release(key, token)
        except redis.RedisError as exc:
            log.warning(
                "slot of %s not given back after %.1fs (it expires): %s",
                key,
                time.monotonic() - started,
                exc,
            )

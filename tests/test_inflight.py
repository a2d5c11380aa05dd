"""Slots of work in flight per person: counted in this process or shared through Redis."""

from __future__ import annotations

import time

import pytest
import redis
from flask import Flask

from tcma.inflight import MemorySlots, RedisSlots, init_inflight, slot, slots_from_url

# Redis db 5 is this test suite's (the task gave it); every key the tests use is removed.
REDIS_URL = "redis://127.0.0.1:6379/5"


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis suite: no Redis on 127.0.0.1:6379 (needed for shared slots)")
    return client


@pytest.fixture
def redis_key():
    client = _redis_or_skip()
    key = f"test-{time.time_ns()}"
    yield key
    client.delete(f"tcma:inflight:{key}")


def test_memory_slots_hold_at_most_the_limit() -> None:
    slots = MemorySlots()
    first, second = slots.acquire("preview:1", 2), slots.acquire("preview:1", 2)
    assert first and second and first != second
    assert slots.acquire("preview:1", 2) is None
    assert slots.acquire("preview:2", 2), "another person has slots of their own"
    slots.release("preview:1", first)
    assert slots.acquire("preview:1", 2)


def test_redis_slots_are_shared_by_every_process(redis_key: str) -> None:
    web_1, web_2 = RedisSlots(REDIS_URL), RedisSlots(REDIS_URL)  # two gunicorn processes
    first = web_1.acquire(redis_key, 2)
    second = web_2.acquire(redis_key, 2)
    assert first and second
    assert web_1.acquire(redis_key, 2) is None and web_2.acquire(redis_key, 2) is None
    web_1.release(redis_key, second)  # any process may give a slot back
    assert web_2.acquire(redis_key, 2)


def test_a_slot_a_crashed_process_kept_expires(redis_key: str) -> None:
    slots = RedisSlots(REDIS_URL, ttl=1)
    assert slots.acquire(redis_key, 1)
    assert slots.acquire(redis_key, 1) is None
    time.sleep(1.2)
    assert slots.acquire(redis_key, 1)


def test_the_store_follows_the_rate_limit_storage_setting() -> None:
    assert isinstance(slots_from_url("memory://"), MemorySlots)
    assert isinstance(slots_from_url(REDIS_URL), RedisSlots)


def test_work_goes_ahead_when_redis_is_down() -> None:
    app = Flask(__name__)
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:9/0"  # nothing listens there
    init_inflight(app)
    ran = []
    with app.app_context(), slot("preview", 1, 1):
        ran.append("render")
    assert ran == ["render"]

"""Renders run in worker processes with a hard time limit, a size limit and a memory limit."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tcma.cobrand.render import (
    MappingKitSource,
    RenderBusy,
    RenderError,
    RenderPool,
    configure_shared_pool,
    render_asset,
    shared_pool,
)
from tests.cobrand.support import one_asset_kit, pdf_text, png_size, render

RUNAWAY = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_pool_renders_the_same_files_as_in_process(pool, kit, ctx):
    for asset, target in [("invite-email", "html"), ("social-posts", "json")]:
        assert pool.render(kit, asset, ctx, target) == render(kit, asset, ctx, target)
    assert "Acme Cloud Services" in pdf_text(pool.render(kit, "datasheet", ctx, "pdf").data)
    assert png_size(pool.render(kit, "launch-banner", ctx, "png").data) == (1200, 627)


def test_runaway_template_is_stopped_at_the_time_limit_and_its_worker_replaced(pool, ctx):
    pool.render(one_asset_kit("<p>warm</p>", kind="landing"), "a", ctx, "html")
    [old_pid] = pool.worker_pids
    started = time.monotonic()

    with pytest.raises(RenderError, match=r"took longer than 3 s"):
        pool.render(one_asset_kit(RUNAWAY), "a", ctx, "pdf")

    assert time.monotonic() - started < 4.5
    assert not _alive(old_pid)
    [new_pid] = pool.worker_pids
    assert new_pid != old_pid
    source = one_asset_kit("<p>{{ partner.name }}</p>", kind="landing")
    assert pool.render(source, "a", ctx, "html").data == b"<p>Acme Resellers Ltd</p>"


def test_default_output_size_limit_is_25_mb(pool, ctx):
    source = one_asset_kit("{% for i in range(90000) %}{{ 'x' * 300 }}{% endfor %}", kind="landing")

    # 90,000 x 300 bytes = 25.7 MB (of 1,048,576 bytes), the limit is 25 MB.
    with pytest.raises(RenderError, match=r"is 25\.7 MB, more than the 25 MB allowed"):
        pool.render(source, "a", ctx, "html")


def test_refused_urls_come_back_from_the_worker(pool, ctx):
    source = one_asset_kit('<img src="file:///etc/passwd"><p>x</p>')

    assert pool.render(source, "a", ctx, "pdf").refused_urls == ("file:///etc/passwd",)


def test_worker_reads_kit_files_through_the_app_once_per_kit_version(pool, ctx):
    reads: list[str] = []
    files = {"a.html": b'{% include "part.html" %}', "part.html": b"<p>{{ kit.slug }}</p>"}

    def load(path: str) -> bytes:
        reads.append(path)
        return files[path]

    manifest = {
        "slug": "counted",
        "assets": [{"key": "a", "kind": "landing", "template": "a.html"}],
    }
    source = MappingKitSource(manifest, load, "counted@1")

    for _ in range(3):
        assert pool.render(source, "a", ctx, "html").data == b"<p>counted</p>"
    assert sorted(reads) == ["a.html", "part.html"]


def test_missing_template_through_the_pool_is_a_render_error(pool, ctx):
    source = one_asset_kit('{% include "nope.html" %}', kind="landing")

    with pytest.raises(RenderError, match="'nope.html' is not a template of this kit"):
        pool.render(source, "a", ctx, "html")


def test_concurrent_renders_share_the_pool(pool, kit, ctx):
    with ThreadPoolExecutor(4) as executor:
        results = list(
            executor.map(lambda _: pool.render(kit, "invite-email", ctx, "txt"), range(4))
        )

    assert len({r.data for r in results}) == 1


def test_memory_hungry_template_fails_and_worker_is_replaced(ctx):
    small_pool = RenderPool(size=1, memory_limit=700 * 1024**2)
    try:
        source = one_asset_kit("{{ '{:>900000000}'.format('x') }}", kind="landing")
        small_pool.render(one_asset_kit("<p>warm</p>", kind="landing"), "a", ctx, "html")
        [old_pid] = small_pool.worker_pids

        with pytest.raises(RenderError, match="memory"):
            small_pool.render(source, "a", ctx, "html")

        assert small_pool.worker_pids != [old_pid]
        ok = one_asset_kit("<p>ok</p>", kind="landing")
        assert small_pool.render(ok, "a", ctx, "html").data == b"<p>ok</p>"
    finally:
        small_pool.close()


def test_workers_do_not_inherit_app_secrets(ctx, monkeypatch):
    monkeypatch.setenv("TCMA_SECRET_KEY", "app-secret-value")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value")
    fresh = RenderPool(size=1)
    try:
        source = one_asset_kit("<p>ok</p>", kind="landing")
        assert fresh.render(source, "a", ctx, "html").data == b"<p>ok</p>"
        [pid] = fresh.worker_pids
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    finally:
        fresh.close()

    assert b"app-secret-value" not in environ
    assert b"aws-secret-value" not in environ
    assert b"PYTHONPATH=" in environ


def test_render_asset_uses_the_shared_pool_by_default(kit, ctx):
    configure_shared_pool(size=1, time_limit=5)
    try:
        result = render_asset(kit, "launch-banner", ctx, "png")
        assert png_size(result.data) == (1200, 627)
        assert shared_pool() is shared_pool()
        assert shared_pool().time_limit == 5
    finally:
        configure_shared_pool()


def test_a_forked_child_never_uses_or_stops_its_parents_pool(pool, ctx):
    parent_pool = shared_pool()
    parent_pids = parent_pool.worker_pids
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            try:
                parent_pool.render(one_asset_kit("<p>x</p>", kind="landing"), "a", ctx, "html")
                code = 1
            except RuntimeError:
                pass
            own = shared_pool()
            if own is parent_pool or own.owner_pid != os.getpid():
                code = 2
            source = one_asset_kit("<p>child</p>", kind="landing")
            if own.render(source, "a", ctx, "html").data != b"<p>child</p>":
                code = 3
            own.close()
            parent_pool.close()  # must not touch the parent's workers
        except BaseException:
            code = 4
        os._exit(code)
    _, status = os.waitpid(child, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert parent_pool.worker_pids == parent_pids
    assert all(_alive(pid) for pid in parent_pids)
    source = one_asset_kit("<p>parent</p>", kind="landing")
    assert parent_pool.render(source, "a", ctx, "html").data == b"<p>parent</p>"
    configure_shared_pool()


def test_a_full_render_queue_refuses_at_once_instead_of_piling_up(ctx):
    busy_pool = RenderPool(size=1, time_limit=3, max_waiting=1)
    quick = one_asset_kit("<p>{{ partner.name }}</p>", kind="landing")
    try:
        busy_pool.render(quick, "a", ctx, "html")  # the worker is warm
        with ThreadPoolExecutor(2) as executor:
            runaway = executor.submit(busy_pool.render, one_asset_kit(RUNAWAY), "a", ctx, "pdf")
            _wait_for(lambda: busy_pool._idle.qsize() == 0)
            queued = executor.submit(busy_pool.render, quick, "a", ctx, "html")
            _wait_for(lambda: busy_pool._waiting == 1)
            # The worker is busy and one render waits: the next is refused without waiting.
            with pytest.raises(RenderBusy, match="busy"):
                busy_pool.render(quick, "a", ctx, "html")
            assert not runaway.done() and not queued.done()
            with pytest.raises(RenderError, match="took longer"):
                runaway.result(timeout=30)
            assert queued.result(timeout=90).data == b"<p>Acme Resellers Ltd</p>"
    finally:
        busy_pool.close()


def _wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)

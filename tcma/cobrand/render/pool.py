"""A small pool of pre-warmed render worker processes with a hard time limit per render."""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import threading
import time
import weakref
from typing import Any

from tcma.cobrand.render.context import RenderContext, RenderedFile, RenderError
from tcma.cobrand.render.outputs import DEFAULT_MAX_OUTPUT_BYTES
from tcma.cobrand.render.protocol import (
    ProtocolError,
    Timeout,
    context_to_wire,
    deadline_reader,
    decode,
    encode,
    write_all,
)
from tcma.cobrand.render.source import KitSource

log = logging.getLogger(__name__)

DEFAULT_POOL_SIZE = 2
DEFAULT_TIME_LIMIT = 20.0
#: Address space a worker may use; WeasyPrint needs a few hundred MB for big documents.
DEFAULT_MEMORY_LIMIT = 2 * 1024**3
#: How long a new worker may take to import WeasyPrint and render its warm-up page.
STARTUP_TIMEOUT = 60.0
#: Renders that may wait for a busy pool, per worker; more are refused (RenderBusy).
DEFAULT_WAITING_PER_WORKER = 4
#: Longest a render waits for a worker before it is refused.
DEFAULT_QUEUE_TIMEOUT = 15.0
_BOOT = "from tcma.cobrand.render.worker import main; main()"
# What a worker inherits from the app's environment: locale, paths and font settings.
# Secrets (TCMA_SECRET_KEY, database URLs, AWS keys) stay out of a process that runs
# vendor-authored templates.
_WORKER_ENV = frozenset(
    {"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "FONTCONFIG_FILE", "FONTCONFIG_PATH"}
    | {"XDG_CACHE_HOME", "XDG_DATA_DIRS", "XDG_CONFIG_HOME", "LD_LIBRARY_PATH", "VIRTUAL_ENV"}
)


def worker_environment() -> dict[str, str]:
    """The environment of a render worker: the allow-listed variables and our sys.path."""
    env = {k: v for k, v in os.environ.items() if k in _WORKER_ENV or k.startswith("LC_")}
    # The worker must import the same tcma as this process, wherever it came from.
    env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in sys.path if p)
    return env


class RenderBusy(RenderError):
    """Every worker is busy and the queue in front of them is full (or too slow)."""


class _Worker:
    """One worker process and the app's end of its pipes."""

    def __init__(self, memory_limit: int, max_output_bytes: int) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", _BOOT, str(memory_limit), str(max_output_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=worker_environment(),
            # Its own session: a Ctrl-C or a signal to the app's process group is not its.
            start_new_session=True,
        )
        self.max_message_bytes = max_output_bytes + (64 << 20)
        self.ready = False
        # Set when the worker reported a failure it cannot recover from (out of memory).
        self.fatal = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, header: dict[str, Any], blobs: list[bytes] | None = None) -> None:
        try:
            write_all(self.process.stdin.fileno(), encode(header, blobs or []))  # type: ignore[union-attr]
        except OSError as exc:
            raise ProtocolError(f"cannot write to the worker: {exc}") from exc

    def receive(self, deadline: float) -> tuple[dict[str, Any], list[bytes]]:
        read = deadline_reader(self.process.stdout.fileno(), deadline)  # type: ignore[union-attr]
        return decode(read, self.max_message_bytes)

    def wait_ready(self) -> None:
        if not self.ready:
            header, _ = self.receive(time.monotonic() + STARTUP_TIMEOUT)
            if header.get("op") != "ready":
                raise ProtocolError("the worker did not start")
            self.ready = True

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self._close_pipes()

    def stop(self) -> None:
        """Ask the worker to exit (end of its input), killing it if it does not."""
        self._close_pipes()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()

    def _close_pipes(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


def _stop_workers(workers: set[_Worker], owner_pid: int) -> None:
    # After a fork the child sees the parent's workers: they are not the child's to stop.
    if os.getpid() == owner_pid:
        for worker in list(workers):
            worker.stop()
        workers.clear()


class RenderPool:
    """Renders in long-lived worker processes; a render over ``time_limit`` is killed."""

    def __init__(
        self,
        size: int = DEFAULT_POOL_SIZE,
        *,
        time_limit: float = DEFAULT_TIME_LIMIT,
        max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        max_waiting: int | None = None,
        queue_timeout: float = DEFAULT_QUEUE_TIMEOUT,
    ) -> None:
        if size < 1:
            raise ValueError("a render pool needs at least one worker")
        self.size = size
        # A bounded queue: past it a render is refused at once instead of holding a web
        # request (and the thread serving it) for as long as the queue is deep.
        self.max_waiting = DEFAULT_WAITING_PER_WORKER * size if max_waiting is None else max_waiting
        self.queue_timeout = queue_timeout
        self._waiting = 0
        self._waiting_lock = threading.Lock()
        self.time_limit = time_limit
        self.max_output_bytes = max_output_bytes
        self.memory_limit = memory_limit or 0
        self.owner_pid = os.getpid()
        self._workers: set[_Worker] = set()
        # LIFO: the most recently used worker has the warmest caches.
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self.closed = False
        # Workers start now so they are warm (fonts loaded) before the first request.
        for _ in range(size):
            self._idle.put(self._spawn())
        self._finalizer = weakref.finalize(self, _stop_workers, self._workers, self.owner_pid)

    def __repr__(self) -> str:
        return f"RenderPool(size={self.size}, time_limit={self.time_limit:g})"

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the current workers (for monitoring and tests)."""
        return sorted(worker.pid for worker in self._workers)

    def render(
        self, source: KitSource, asset_key: str, ctx: RenderContext, target: str
    ) -> RenderedFile:
        """Render in a worker; RenderError if it fails, takes too long or is too large."""
        if os.getpid() != self.owner_pid:
            raise RuntimeError("a RenderPool cannot be used after fork; use one per process")
        if self.closed:
            raise RuntimeError("this RenderPool is closed")
        worker = self._take_worker()
        finished = False
        try:
            outcome = self._run(worker, source, asset_key, ctx, target)
            finished = True
        finally:
            # A worker interrupted mid-job (time limit, crash, any exception) is in an
            # unknown state: it is killed and a fresh one takes its place.
            if not finished or worker.fatal:
                self._replace(worker)
            else:
                self._idle.put(worker)
        if isinstance(outcome, RenderError):
            raise outcome
        return outcome

    def _take_worker(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._waiting_lock:
            if self._waiting >= self.max_waiting:
                raise RenderBusy("Rendering is busy right now; try again in a moment")
            self._waiting += 1
        try:
            return self._idle.get(timeout=self.queue_timeout)
        except queue.Empty:
            raise RenderBusy("Rendering is busy right now; try again in a moment") from None
        finally:
            with self._waiting_lock:
                self._waiting -= 1

    def close(self) -> None:
        """Stop every worker."""
        self.closed = True
        self._finalizer()

    def _spawn(self) -> _Worker:
        worker = _Worker(self.memory_limit, self.max_output_bytes)
        self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        self._workers.discard(worker)
        worker.kill()
        if not self.closed:
            self._idle.put(self._spawn())

    def _run(
        self, worker: _Worker, source: KitSource, asset_key: str, ctx: RenderContext, target: str
    ) -> RenderedFile | RenderError:
        # Returns the template's RenderError rather than raising it: raising means the
        # conversation with the worker broke off and the worker must be replaced.
        try:
            worker.wait_ready()
        except (ProtocolError, Timeout):
            raise RenderError("The render worker could not start; see the server log") from None
        header, blobs = context_to_wire(ctx)
        job = {
            "op": "render",
            "manifest": source.manifest,
            "version_key": source.version_key,
            "asset_key": asset_key,
            "target": target,
            "ctx": header,
            "time_limit": self.time_limit,
            "max_output_bytes": self.max_output_bytes,
        }
        deadline = time.monotonic() + self.time_limit
        try:
            worker.send(job, blobs)
            while True:
                reply, data = worker.receive(deadline)
                op = reply.get("op")
                if op == "read":
                    self._serve_file(worker, source, reply.get("path"))
                elif op == "result":
                    return self._result(reply, data)
                elif op == "error":
                    worker.fatal = bool(reply.get("fatal"))
                    return RenderError(str(reply.get("message")))
                else:
                    raise ProtocolError(f"unexpected message {op!r}")
        except Timeout:
            log.warning("render of %s/%s killed after %gs", asset_key, target, self.time_limit)
            raise RenderError(
                f"Rendering {asset_key!r} as {target.upper()} took longer than "
                f"{self.time_limit:g} s and was stopped"
            ) from None
        except ProtocolError as exc:
            log.error("render worker %s failed: %s", worker.pid, exc)
            raise RenderError("The render stopped unexpectedly; see the server log") from None

    def _serve_file(self, worker: _Worker, source: KitSource, path: Any) -> None:
        try:
            data = source.read(str(path))
        except RenderError as exc:
            worker.send({"op": "file", "found": False, "message": str(exc)})
        else:
            worker.send({"op": "file", "found": True}, [data])

    def _result(self, reply: dict[str, Any], data: list[bytes]) -> RenderedFile | RenderError:
        if len(data) != 1:
            raise ProtocolError("a result carries exactly one file")
        if len(data[0]) > self.max_output_bytes:
            return RenderError(f"The rendered file is over {self.max_output_bytes / 1e6:g} MB")
        return RenderedFile(
            filename=str(reply["filename"]),
            content_type=str(reply["content_type"]),
            data=data[0],
            refused_urls=tuple(str(url) for url in reply.get("refused", [])),
        )


_shared: dict[str, Any] = {"pid": None, "pool": None, "settings": {}}
# One lock per process id: dict.setdefault is atomic, and a lock a forked child inherits
# (possibly held by a thread that does not exist in the child) is never used again.
_locks: dict[int, threading.Lock] = {}


def configure_shared_pool(**settings: Any) -> None:
    """Set the RenderPool arguments (size, time_limit, ...) of the per-process shared pool.

    The same settings again change nothing (every app built in a process calls this).
    """
    with _locks.setdefault(os.getpid(), threading.Lock()):
        if settings == _shared["settings"]:
            return
        _shared["settings"] = settings
        if _shared["pool"] is not None and _shared["pid"] == os.getpid():
            _shared["pool"].close()
        _shared["pool"] = None


def shared_pool() -> RenderPool:
    """The pool of this process, created on first use (so after a gunicorn fork, not before)."""
    pid = os.getpid()
    with _locks.setdefault(pid, threading.Lock()):
        pool = _shared["pool"]
        if pool is None or _shared["pid"] != pid or pool.closed:
            pool = RenderPool(**_shared["settings"])
            _shared.update(pid=pid, pool=pool)
        return pool

"""A storage check with a deadline, for /healthz: a hanging backend answers "no" quickly."""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from tcma.storage.base import Storage, StorageUnavailable

# At most one check runs per storage: while one hangs, later health checks wait on it
# (up to their own deadline) instead of piling up threads against a dead endpoint.
_running: weakref.WeakKeyDictionary[Storage, Future[None]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def check_within(storage: Storage, timeout: float) -> None:
    """Run ``storage.check()``; StorageUnavailable if it has not answered in ``timeout`` s."""
    with _lock:
        check = _running.get(storage)
        if check is None or check.done():
            check = _start(storage)
            _running[storage] = check
    try:
        check.result(timeout)
    except FutureTimeout:
        raise StorageUnavailable(f"storage did not answer within {timeout:g} s") from None


def _start(storage: Storage) -> Future[None]:
    check: Future[None] = Future()

    def run() -> None:
        try:
            storage.check()
        except BaseException as exc:  # handed to whoever waits on the result
            check.set_exception(exc)
        else:
            check.set_result(None)

    threading.Thread(target=run, name="tcma-storage-check", daemon=True).start()
    return check

"""A job for queue tests: it appends its key and its process id to a file, one line a run."""

from __future__ import annotations

import os

from tcma import jobs


@jobs.task("tests.append_line")
def append_line(session, path: str, key: str) -> None:
    """One short line per run (O_APPEND keeps concurrent writers' lines whole)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{key} {os.getpid()}\n".encode())
    finally:
        os.close(fd)

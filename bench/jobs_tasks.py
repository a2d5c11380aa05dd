"""The job bench/jobs.py measures: one database round trip and one line appended to a file."""

from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.orm import Session

from tcma import jobs


def record_run(session: Session, path: str, n: int) -> None:
    """What the job does, also called directly in a loop for the baseline."""
    session.execute(text("SELECT 1"))
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{n}\n".encode())
    finally:
        os.close(fd)


record_job = jobs.task("bench.record_run")(record_run)

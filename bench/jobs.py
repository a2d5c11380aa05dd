"""Job queue benchmark: jobs per second through tcma's queue vs the same function in a loop.

The job does one database round trip (SELECT 1 on its own session) and appends a line to a
file. Baseline: the function called N times in a loop, each call with its own app context,
session and commit, as the worker's job runner does. Queue: N jobs enqueued, then run by
`tcma worker` processes (1 worker thread each, 1 or 2 processes) on the SQLite queue (the
default) and on Redis; the time runs from the first enqueue to the last line written.
Overhead ratio = loop rate / queue rate (how much slower a job is than a function call).

Run: .venv/bin/python bench/jobs.py [--jobs N] [--redis redis://127.0.0.1:6379/1]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import jobs_tasks  # noqa: E402 - defines the bench job before the app binds its jobs
import redis  # noqa: E402

from tcma import create_app, db  # noqa: E402
from tcma import jobs as tcma_jobs  # noqa: E402

TCMA = str(Path(sys.executable).with_name("tcma"))


def lines(path: Path) -> int:
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def loop_rate(config: dict, count: int, folder: Path) -> float:
    """Jobs per second when the function is called directly, one transaction per call."""
    app = create_app(config)
    out = folder / "loop.txt"
    start = time.perf_counter()
    for n in range(count):
        with app.app_context():
            session = db.session()
            jobs_tasks.record_run(session, str(out), n)
            session.commit()
    elapsed = time.perf_counter() - start
    assert lines(out) == count
    app.extensions["tcma.engine"].dispose()
    return count / elapsed


def start_workers(env: dict, processes: int, folder: Path) -> list[subprocess.Popen]:
    procs = []
    for _ in range(processes):
        proc = subprocess.Popen(
            [TCMA, "worker", "--workers", "1", "--no-periodic"],
            env=env,
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("tcma worker:"):
            raise SystemExit(f"worker did not start: {line}")
        procs.append(proc)
    return procs


def queue_rate(config: dict, count: int, processes: int, folder: Path) -> tuple[float, float]:
    """(jobs per second from first enqueue to last run, enqueues per second)."""
    app = create_app(config)
    out = folder / f"queue-{uuid.uuid4().hex[:6]}.txt"
    env = dict(os.environ)
    env.update(
        TCMA_DATABASE_URL=config["DATABASE_URL"],
        TCMA_QUEUE_URL=config["QUEUE_URL"],
        TCMA_QUEUE_NAME=config["QUEUE_NAME"],
        TCMA_JOB_MODULES="jobs_tasks",
        TCMA_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(Path(__file__).resolve().parent)]),
    )
    procs = start_workers(env, processes, folder)
    try:
        start = time.perf_counter()
        with app.app_context():
            for n in range(count):
                tcma_jobs.enqueue_now(jobs_tasks.record_job, str(out), n)
        enqueued = time.perf_counter() - start
        while lines(out) < count:
            time.sleep(0.01)
        elapsed = time.perf_counter() - start
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            proc.wait(timeout=30)
    assert lines(out) == count
    app.extensions["tcma.engine"].dispose()
    return count / elapsed, count / enqueued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tcma-bench-jobs-"))
    base = {
        "INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": f"sqlite:///{folder / 'tcma.sqlite3'}",
        "STORAGE_URL": f"file://{folder / 'storage'}",
        "LOG_LEVEL": "WARNING",
        "QUEUE_NAME": f"tcma-bench-{uuid.uuid4().hex[:8]}",
    }
    queues = {"sqlite": f"sqlite:///{folder / 'queue.sqlite3'}"}
    try:
        redis.Redis.from_url(args.redis, socket_connect_timeout=1).ping()
        queues["redis"] = args.redis
    except redis.RedisError:
        print(f"(no Redis at {args.redis}: Redis rows skipped)")

    baseline = loop_rate({**base, "QUEUE_URL": "immediate"}, args.jobs, folder)
    print(f"{args.jobs} jobs; the function in a loop: {baseline:,.0f} calls/s")
    print(f"{'queue':<8}{'workers':>8}{'jobs/s':>10}{'enqueue/s':>11}{'overhead':>10}")
    for name, url in queues.items():
        for processes in (1, 2):
            config = {**base, "QUEUE_URL": url, "QUEUE_NAME": f"{base['QUEUE_NAME']}-{processes}"}
            rate, enqueue = queue_rate(config, args.jobs, processes, folder)
            print(f"{name:<8}{processes:>8}{rate:>10,.0f}{enqueue:>11,.0f}{baseline / rate:>9.1f}x")
        if name == "redis":
            client = redis.Redis.from_url(url)
            stale = list(client.scan_iter(f"*{base['QUEUE_NAME']}*"))
            if stale:
                client.delete(*stale)


if __name__ == "__main__":
    main()

"""Two worker processes on one Redis queue share 1,000 jobs: each runs exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcma import jobs
from tests.conftest import make_test_app
from tests.jobs import tasks
from tests.jobs.support import redis_or_skip, wait_for, worker_env, worker_process

pytestmark = pytest.mark.slow
JOBS = 1000
ROOT = Path(__file__).resolve().parents[2]


def test_two_workers_on_redis_run_each_of_1000_jobs_once(
    request, database_url, tmp_path: Path
) -> None:
    url = redis_or_skip()
    name = request.getfixturevalue("redis_name")
    app = make_test_app(
        database_url, tmp_path, QUEUE_URL=url, QUEUE_NAME=name, JOB_MODULES=["tests.jobs.tasks"]
    )
    runs = tmp_path / "runs.txt"
    env = worker_env(app.config, TCMA_JOB_MODULES="tests.jobs.tasks", PYTHONPATH=str(ROOT))
    with (
        worker_process(env, "--workers", "2", "--no-periodic", cwd=tmp_path) as first,
        worker_process(env, "--workers", "2", "--no-periodic", cwd=tmp_path) as second,
    ):
        with app.app_context():  # both are ready: now the queue fills
            for n in range(JOBS):
                jobs.enqueue_now(tasks.append_line, str(runs), f"job-{n}")

        def finished() -> bool:
            return runs.exists() and len(runs.read_text().splitlines()) >= JOBS

        wait_for(finished, timeout=120, what=f"{JOBS} jobs")
        assert jobs.get_queue(app).pending_count() == 0
        pids = {first.pid, second.pid}
    lines = [line.split() for line in runs.read_text().splitlines()]
    keys = [key for key, _ in lines]
    assert len(keys) == JOBS
    assert set(keys) == {f"job-{n}" for n in range(JOBS)}
    assert {int(pid) for _, pid in lines} == pids  # both processes took their share
    app.extensions["tcma.engine"].dispose()

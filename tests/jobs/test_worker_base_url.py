"""`tcma worker` says at start which base URL the links in its emails use."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_test_app
from tests.jobs.support import worker_env, worker_process


def _second_line(env: dict[str, str], cwd: Path) -> str:
    with worker_process(env, "--workers", "1", "--no-periodic", cwd=cwd) as proc:
        assert proc.stdout is not None
        return proc.stdout.readline().strip()


def test_the_worker_prints_the_base_url_of_its_links(database_url: str, tmp_path: Path) -> None:
    app = make_test_app(database_url, tmp_path, QUEUE_URL=f"sqlite:///{tmp_path}/q.sqlite3")
    env = worker_env(app.config, TCMA_BASE_URL="https://partners.example.com")
    assert _second_line(env, tmp_path) == (
        "Links in emails use https://partners.example.com "
        "(from TCMA_BASE_URL; set TCMA_BASE_URL to the public address)"
    )
    env = worker_env(app.config, PORT="8123")
    del env["TCMA_BASE_URL"]
    assert _second_line(env, tmp_path).startswith(
        "Links in emails use http://127.0.0.1:8123 (from $PORT, as the web server"
    )
    app.extensions["tcma.engine"].dispose()

"""gunicorn hooks for tcma: `gunicorn -c python:tcma.gunicorn_conf 'tcma:create_app()'`.

Bind address, worker count and timeouts stay on the command line (or GUNICORN_CMD_ARGS);
this file only adds what tcma needs from gunicorn's process model.
"""

from __future__ import annotations

from typing import Any

from tcma.cobrand.render import shared_pool


def post_worker_init(worker: Any) -> None:
    """Start this web worker's render workers (TCMA_RENDER_WORKERS) right after the fork.

    They import WeasyPrint and load fonts now, not during a partner's first download, and
    never in the master (a pool belongs to the process that started it).
    """
    pool = shared_pool()
    worker.log.info("render workers %s ready for web worker %s", pool.worker_pids, worker.pid)

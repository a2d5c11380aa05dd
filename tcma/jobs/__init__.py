"""Background jobs: the task queue and enqueue-after-commit.

The queue is Huey. ``TCMA_QUEUE_URL`` chooses its storage: a SQLite file under ``instance/``
by default (nothing to install), ``redis://host:6379/0`` for workers on many machines, or
``immediate`` to run each job in-process right after the commit (tests, debugging). Nothing
is created at import: ``init_jobs(app)`` builds the queue in ``create_app`` and binds every
task defined so far to it; ``tcma worker`` runs the consumer.

Defining a task (an area keeps its tasks in its ``tasks.py``)::

    from tcma import jobs

    @jobs.task(retries=5, retry_delay=30, retry_backoff=2)
    def deliver_webhook(session, delivery_id: int) -> None:
        ...  # runs in a worker, inside its own app context and session

The function gets a fresh session of its own first; the job commits it once when the
function returns and rolls it back if it raises (then Huey retries it, if it has retries
left, after retry_delay, retry_delay × backoff, ...). Arguments must be plain JSON-like values
(ids, strings), never ORM objects: the job re-reads what it needs.

Enqueuing from a request, a CLI command or another job::

    jobs.enqueue(session, deliver_webhook, delivery.id)          # after session commits
    jobs.enqueue(session, deliver_webhook, delivery.id, delay=60)

``enqueue`` registers the job with ``tcma.db.after_commit``: if the transaction rolls back,
the job is never queued. A job may run twice (a retry after it did its work, a worker that
died before it finished); make each effect idempotent with ``tcma.jobs.effects`` (one key per
effect: ``effects.once(key, send)`` for the outside world, ``effects.claim(session, key)`` for
database writes). Emails go through ``tcma.mail.queue_mail``, which does both for you.

Periodic work: ``@jobs.periodic(jobs.crontab(minute="0", hour="3"))`` on a function that
takes a session; every consumer started without ``--no-periodic`` schedules it, so the
function must be idempotent (several worker machines each run it).

User-started long work with a visible job record (exports, zips): ``tcma.jobs.records``.
A job that fails after its last retry becomes a failed record the vendor admins can retry,
and running records whose worker died are failed by a sweep: ``tcma.jobs.failures``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from sqlalchemy.orm import Session

from tcma import db

__all__ = ["crontab", "enqueue", "get_queue", "init_jobs", "periodic", "task", "TaskSpec"]

log = logging.getLogger(__name__)

QUEUE_KEY = "tcma.queue"
TASKS_KEY = "tcma.queue_tasks"
QUEUE_NAME = "tcma"
IMMEDIATE = "immediate"


@dataclass(frozen=True)
class TaskSpec:
    """A job definition: its function and retry policy; bound to a queue by init_jobs."""

    name: str
    func: Callable[..., Any]
    retries: int = 0
    retry_delay: int = 0
    retry_backoff: float = 0
    schedule: Any = None  # a crontab() validator for periodic tasks
    options: dict[str, Any] = field(default_factory=dict)

    def __call__(self, session: Session, *args: Any) -> Any:
        """Run the function directly (what a worker does, without the queue)."""
        return self.func(session, *args)


_REGISTRY: dict[str, TaskSpec] = {}


def _register(spec: TaskSpec) -> TaskSpec:
    if spec.name in _REGISTRY and _REGISTRY[spec.name].func is not spec.func:
        raise ValueError(f"two jobs are named {spec.name!r}")
    _REGISTRY[spec.name] = spec
    return spec


def task(
    name: str | None = None,
    *,
    retries: int = 0,
    retry_delay: int = 0,
    retry_backoff: float = 0,
    **options: Any,
) -> Callable[[Callable[..., Any]], TaskSpec]:
    """Declare a job: ``fn(session, *args)``; retried ``retries`` times with back-off.

    Options: ``retry_delay_setting`` names the config key that overrides ``retry_delay``;
    ``kind`` and ``describe(*args)`` name the job on the failed-jobs page if it fails for good.
    """

    def decorate(func: Callable[..., Any]) -> TaskSpec:
        spec_name = name or f"{func.__module__}.{func.__name__}"
        return _register(
            TaskSpec(spec_name, func, retries, retry_delay, retry_backoff, options=options)
        )

    return decorate


def periodic(schedule: Any, name: str | None = None) -> Callable[[Callable[..., Any]], TaskSpec]:
    """Declare periodic work, ``fn(session)``, run by consumers at ``schedule`` (a crontab)."""

    def decorate(func: Callable[..., Any]) -> TaskSpec:
        spec_name = name or f"{func.__module__}.{func.__name__}"
        return _register(TaskSpec(spec_name, func, schedule=schedule))

    return decorate


def registered() -> dict[str, TaskSpec]:
    """Every job defined so far, by name."""
    return dict(_REGISTRY)


def make_queue(url: str, instance_path: str, name: str = QUEUE_NAME) -> Huey:
    """A Huey instance for TCMA_QUEUE_URL: sqlite (default), redis://, or immediate."""
    if url == IMMEDIATE:
        return MemoryHuey(name, immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
    elif url == "":
        path = Path(instance_path) / "queue.sqlite3"
    else:
        raise ValueError(f"TCMA_QUEUE_URL must be sqlite:///PATH, redis://… or immediate: {url!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path))


def _runner(app: Flask, spec: TaskSpec) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        # Its own app context, so its own session (also when immediate mode runs it inside a
        # request); one commit at the end, a rollback if it fails.
        with app.app_context():
            session = db.session()
            try:
                result = spec.func(session, *args)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            return result

    run.__name__ = spec.name
    return run


def _retry_delay(app: Flask, spec: TaskSpec) -> int:
    """The first wait before a retry: the spec's, or the setting it names, in this process."""
    return app.config.get(spec.options.get("retry_delay_setting", ""), spec.retry_delay)


def bind(app: Flask, huey: Huey) -> dict[str, TaskWrapper]:
    """Bind every registered job to ``huey`` for ``app``; returns the Huey tasks by name."""
    bound: dict[str, TaskWrapper] = {}
    for spec in _REGISTRY.values():
        if spec.schedule is not None:
            wrapper = huey.periodic_task(spec.schedule, name=spec.name)(_runner(app, spec))
        else:
            wrapper = huey.task(
                name=spec.name,
                retries=spec.retries,
                retry_delay=_retry_delay(app, spec),
                retry_backoff=spec.retry_backoff,
            )(_runner(app, spec))
        bound[spec.name] = wrapper

    # Huey writes the retry delay into the queued message, so the process that queued a job
    # (a web server) would decide how long the worker waits. The worker running the first try
    # sets it from its own settings instead; later tries keep the backed-off delay.
    @huey.pre_execute(name="tcma.retry_delay")
    def retry_delay_of_this_worker(task: Any) -> None:
        spec = _REGISTRY.get(task.name)
        if spec is not None and spec.schedule is None and task.retries == spec.retries:
            task.retry_delay = _retry_delay(app, spec)

    return bound


def init_jobs(app: Flask) -> None:
    """Build the app's queue from QUEUE_URL and bind the jobs defined so far.

    JOB_MODULES names extra modules with jobs (plugins, tests, benchmarks) to import first.
    """
    for module in app.config.get("JOB_MODULES", ()):
        importlib.import_module(module)
    huey = make_queue(
        app.config["QUEUE_URL"], app.instance_path, app.config.get("QUEUE_NAME") or QUEUE_NAME
    )
    app.extensions[QUEUE_KEY] = huey
    app.extensions[TASKS_KEY] = bind(app, huey)


def get_queue(app: Flask | None = None) -> Huey:
    """The current app's Huey instance."""
    return (app or current_app).extensions[QUEUE_KEY]


def enqueue_now(spec: TaskSpec | str, *args: Any, delay: int | None = None) -> None:
    """Put a job on the queue at once (prefer ``enqueue``, which waits for the commit)."""
    name = spec if isinstance(spec, str) else spec.name
    wrapper: TaskWrapper = current_app.extensions[TASKS_KEY][name]
    if delay:
        wrapper.schedule(args=args, delay=delay)
    else:
        wrapper(*args)


def enqueue(session: Session, spec: TaskSpec | str, *args: Any, delay: int | None = None) -> None:
    """Queue a job once ``session`` commits; a rollback drops it."""
    name = spec if isinstance(spec, str) else spec.name
    tasks: dict[str, TaskWrapper] = current_app.extensions[TASKS_KEY]
    if name not in tasks:
        raise KeyError(f"no job named {name!r} (is its tasks module imported before create_app?)")
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def put() -> None:
        with app.app_context():
            enqueue_now(name, *args, delay=delay)

    db.after_commit(session, put)

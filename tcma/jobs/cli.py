"""`tcma worker` (runs jobs) and `tcma jobs list|retry` (job records)."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from tcma import db, jobs
from tcma.jobs import records
from tcma.jobs.models import STATES


@click.command("worker")
@click.option("--workers", "-w", type=int, default=2, show_default=True, help="Jobs at a time.")
@click.option(
    "--worker-type",
    type=click.Choice(["thread", "process"]),
    default="thread",
    show_default=True,
    help="Threads share one process; processes use more cores.",
)
@click.option("--no-periodic", is_flag=True, help="Leave periodic work to other workers.")
@with_appcontext
def worker_command(workers: int, worker_type: str, no_periodic: bool) -> None:
    """Run queued jobs (emails, exports, zips, previews, periodic work) until Ctrl+C."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue = jobs.get_queue(app)
    if queue.immediate:
        raise click.ClickException("TCMA_QUEUE_URL=immediate runs jobs in the web process.")
    # Forked worker processes must not share the parent's database connections.
    db.get_engine().dispose()
    logging.getLogger("huey").setLevel(app.config["LOG_LEVEL"])
    consumer = queue.create_consumer(
        workers=workers, worker_type=worker_type, periodic=not no_periodic
    )
    click.echo(
        f"tcma worker: {workers} {worker_type} worker(s) on {describe_queue(app.config)}"
        f"{'' if no_periodic else ', periodic work on'}  (Ctrl+C to stop)"
    )
    # Emails sent by jobs carry links: say where they point, so a wrong address shows at once.
    source = "TCMA_BASE_URL" if app.config["BASE_URL_IS_SET"] else "$PORT, as the web server"
    click.echo(
        f"Links in emails use {app.config['BASE_URL']} "
        f"(from {source}; set TCMA_BASE_URL to the public address)"
    )
    consumer.run()


def describe_queue(config: dict) -> str:
    """The queue's location without its password."""
    url = config["QUEUE_URL"] or "sqlite (instance/queue.sqlite3)"
    if "@" in url:
        scheme, _, rest = url.partition("://")
        url = f"{scheme}://…@{rest.rpartition('@')[2]}"
    return url


@click.group("jobs")
def jobs_group() -> None:
    """Job records: list them, retry failed ones."""


@jobs_group.command("list")
@click.option("--status", type=click.Choice(STATES), default=None)
@click.option("--limit", type=int, default=50, show_default=True)
@with_appcontext
def list_command(status: str | None, limit: int) -> None:
    """List job records, newest first."""
    items = records.listed(db.session(), status, limit)
    for item in items:
        line = f"{item.id:>6}  {item.status:<8} {item.created_at:%Y-%m-%d %H:%M}  {item.title}"
        if item.status == "running" and item.progress_total:
            line += f"  ({item.percent}%)"
        if item.error:
            line += f"  — {item.error}"
        click.echo(line)
    click.echo(f"{len(items)} job(s).")


@jobs_group.command("retry")
@click.argument("record_id", type=int)
@with_appcontext
def retry_command(record_id: int) -> None:
    """Queue a failed job again."""
    session = db.session()
    try:
        record = records.retry(session, record_id)
    except records.NotRetryable as exc:
        raise click.ClickException(f"job {record_id}: {exc}") from exc
    session.commit()
    click.echo(f"Job {record.id} ({record.title}) is queued again.")

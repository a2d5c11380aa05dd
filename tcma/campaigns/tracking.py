"""Tracking: UTM links per asset, UTM values of a visit, and daily page views without cookies."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from flask import current_app
from sqlalchemy import Date, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tcma import db
from tcma.campaigns.rules import utm_parameters
from tcma.cobrand.render.variables import tracking_url
from tcma.kits.models import KitVersion
from tcma.pipeline.models import PageViewDay

log = logging.getLogger(__name__)

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
COUNTER_KEY = "tcma.page_views"
#: How long views may wait in a busy process before they are written (PAGE_VIEW_WRITE_SECONDS).
DEFAULT_WRITE_SECONDS = 1.0
MAX_UTM_LENGTH = 100
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]*$")


@dataclass(frozen=True)
class AssetLink:
    """The tracking link one asset of a campaign should point to."""

    asset_key: str
    asset_name: str
    kind: str
    url: str
    utm: dict[str, str]


def asset_links(version: KitVersion, code: str, landing_url: str) -> list[AssetLink]:
    """For each asset that links to the landing page, its URL with UTM source, medium,
    campaign and content (the same parameters the render engine puts into the assets)."""
    slug = str(version.manifest.get("slug", ""))
    links = []
    for asset in version.assets:
        if asset.kind == "landing":
            continue  # the page itself is where the links lead
        utm = {**utm_parameters(slug, code, asset.kind), "utm_content": asset.key}
        links.append(
            AssetLink(asset.key, asset.name, asset.kind, tracking_url(landing_url, utm), utm)
        )
    return links


def visit_utm(args: Mapping[str, str]) -> dict[str, str]:
    """The UTM values a visitor arrived with, trimmed; anything odd is dropped, not stored."""
    found = {}
    for key in UTM_KEYS:
        value = " ".join((args.get(key) or "").split())[:MAX_UTM_LENGTH]
        if value and _PRINTABLE.match(value):
            found[key] = value
    return found


@functools.cache
def _upsert(dialect: str) -> Any:
    # Built once per dialect; counts are added to what the table holds, never set, so any
    # number of processes and machines can write the same rows.
    table = cast(
        Table, PageViewDay.__table__
    )  # a Core statement: it runs as written, for many rows
    values = {
        "campaign_id": bindparam("campaign_id"),
        "day": bindparam("day", type_=Date),
        "views": bindparam("views"),
    }
    if dialect == "postgresql":
        # View counts are worth less than a disk flush: this transaction commits without
        # waiting for one (a crash may lose a second of views, never a lead, as leads
        # commit in transactions of their own). set_config in the statement saves a round
        # trip.
        relaxed = select(func.set_config("synchronous_commit", "off", True)).cte("relaxed")
        source = select(*values.values()).select_from(relaxed)
        stmt: Any = pg_insert(table).from_select(list(values), source)
    else:
        stmt = sqlite_insert(table).values(**values)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.campaign_id, table.c.day],
        set_={"views": table.c.views + stmt.excluded.views},
    )


def write_views(connection: Connection, counts: Mapping[tuple[int, dt.date], int]) -> None:
    """Add counted views to the daily rows: one upsert per campaign and day."""
    rows = [
        {"campaign_id": campaign_id, "day": day, "views": views}
        for (campaign_id, day), views in sorted(counts.items())
    ]
    if rows:
        connection.execute(_upsert(connection.dialect.name), rows)


class ViewCounter:
    """Landing page views counted in this process and written at most once per ``interval``.

    Landing pages are read far more than anything else: a write transaction per view would
    make every visit cost as much as a lead. Under load, views are added up here and written
    by the next visit after ``interval`` seconds (one upsert per campaign and day); a quiet
    page writes each view at once. What is still pending when the process exits is written
    then; a crashed process loses at most its last ``interval`` of views.
    """

    def __init__(self, engine: Engine, interval: float) -> None:
        self.engine, self.interval = engine, interval
        self._counts: Counter[tuple[int, dt.date]] = Counter()
        self._lock = threading.Lock()
        self._written = -interval

    def add(self, campaign_id: int, day: dt.date) -> dict[tuple[int, dt.date], int] | None:
        """Count one view; return the counts to write now, or None while they can wait."""
        with self._lock:
            self._counts[(campaign_id, day)] += 1
            now = time.monotonic()
            if now - self._written < self.interval:
                return None
            due, self._counts, self._written = dict(self._counts), Counter(), now
            return due

    def write_pending(self) -> None:
        """Write what is still counted (at exit); a failure is logged, never raised."""
        with self._lock:
            due, self._counts = dict(self._counts), Counter()
        if not due:
            return
        try:
            with self.engine.begin() as connection:
                write_views(connection, due)
        except Exception:  # noqa: BLE001 - the process is ending; say so and go
            log.exception("%d pending page views could not be written", sum(due.values()))


def count_page_view(session: Session, campaign_id: int, day: dt.date) -> None:
    """Count one view of a campaign's landing page (no cookie, no visitor id)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    counter = app.extensions.get(COUNTER_KEY)
    if counter is None:
        interval = float(app.config.get("PAGE_VIEW_WRITE_SECONDS", DEFAULT_WRITE_SECONDS))
        counter = app.extensions.setdefault(COUNTER_KEY, ViewCounter(db.get_engine(), interval))
        # Tests make many short-lived apps whose databases are gone by the time we exit.
        if counter.interval > 0 and not app.testing:
            atexit.register(counter.write_pending)
    due = counter.add(campaign_id, day)
    if due:
        write_views(session.connection(), due)

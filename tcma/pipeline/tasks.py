"""Pipeline jobs: large lead and opportunity exports written to storage as CSV files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import secrets
import tempfile
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.jobs import records
from tcma.jobs.models import JobRecord
from tcma.pipeline import export
from tcma.pipeline.listing import ListFilter
from tcma.storage import get_storage

LEADS, OPPORTUNITIES = "leads", "opportunities"
KINDS = (LEADS, OPPORTUNITIES)
EXPORT_PREFIX = "exports/"


def filter_params(flt: ListFilter) -> dict[str, Any]:
    """A list filter as JSON values for a job record."""
    values = dataclasses.asdict(flt)
    for name in ("date_from", "date_to"):
        values[name] = values[name].isoformat() if values[name] else None
    return values


def filter_from(values: dict[str, Any]) -> ListFilter:
    """The list filter a job record holds."""
    values = dict(values)
    for name in ("date_from", "date_to"):
        values[name] = dt.date.fromisoformat(values[name]) if values.get(name) else None
    return ListFilter(**values)


def export_title(kind: str, crm: str) -> str:
    """'Leads export (Salesforce CSV)'."""
    return (
        f"{kind.capitalize()} export ({'HubSpot' if crm == export.HUBSPOT else 'Salesforce'} CSV)"
    )


def start_export(session: Session, user: Any, kind: str, crm: str, flt: ListFilter) -> JobRecord:
    """Queue an export of the filtered list, or return the same one if it is still waiting or
    running (a second click, or the link opened twice, starts no second copy)."""
    params = filter_params(flt)
    running = records.active(session, user.id, "export", kind=kind, crm=crm, filter=params)
    if running is not None:
        return running
    return records.start(
        session,
        user,
        export_csv,
        export_title(kind, crm),
        {"kind": kind, "crm": crm, "filter": params, "token": secrets.token_hex(16)},
    )


@records.tracked("pipeline.export_csv", kind="export")
def export_csv(session: Session, params: dict[str, Any], progress: records.Progress):
    """Write the filtered list as CSV to storage through the export module, with progress."""
    kind, crm = params["kind"], params["crm"]
    flt = filter_from(params["filter"])
    if kind == LEADS:
        stmt, write = export.leads_export_statement(flt), export.write_leads_csv
    else:
        stmt, write = export.opportunities_export_statement(flt), export.write_opportunities_csv
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    progress(0, total)
    stamp = dt.date.today().isoformat()
    with tempfile.TemporaryFile() as file:
        text = io.TextIOWrapper(file, encoding="utf-8", newline="")
        rows = write(session, flt, text, crm=crm, progress=lambda done: progress(done, total))
        text.flush()
        progress(rows, total)
        file.seek(0)
        key = f"{EXPORT_PREFIX}{params['token']}/{kind}-{stamp}.csv"
        get_storage().put(key, file, "text/csv")
        text.detach()
    return key, f"{kind}-{stamp}.csv"

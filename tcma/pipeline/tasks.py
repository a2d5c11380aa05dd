"""Pipeline jobs: large lead and opportunity exports written to storage as CSV files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma.jobs import records
from tcma.pipeline import export
from tcma.pipeline.listing import ListFilter, leads_statement, opportunities_statement
from tcma.storage import get_storage

LEADS, OPPORTUNITIES = "leads", "opportunities"
KINDS = (LEADS, OPPORTUNITIES)
BATCH = 500
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


@records.tracked("pipeline.export_csv", kind="export")
def export_csv(session: Session, params: dict[str, Any], progress: records.Progress):
    """Write the filtered list as CSV to storage, reporting progress every BATCH rows."""
    kind, crm = params["kind"], params["crm"]
    flt = filter_from(params["filter"])
    if kind == LEADS:
        stmt = leads_statement(flt)
        headers = export.LEAD_HEADERS[crm]

        def row(record: Any) -> list[Any]:
            return export.lead_row(record)
    else:
        stmt = opportunities_statement(flt)
        headers = export.OPPORTUNITY_HEADERS[crm]

        def row(record: Any) -> list[Any]:
            return export.opportunity_row(record, crm)

    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    progress(0, total)
    done = 0

    def rows():
        nonlocal done
        for record in session.scalars(stmt.execution_options(yield_per=BATCH)):
            yield row(record)
            done += 1
            if done % BATCH == 0:
                progress(done, total)

    stamp = dt.date.today().isoformat()
    with tempfile.TemporaryFile() as file:
        for line in export.csv_lines(headers, rows()):
            file.write(line.encode("utf-8"))
        progress(done, total)
        file.seek(0)
        key = f"{EXPORT_PREFIX}{params['token']}/{kind}-{stamp}.csv"
        get_storage().put(key, file, "text/csv")
    return key, f"{kind}-{stamp}.csv"

"""CSV exports of leads and opportunities with Salesforce or HubSpot column names.

The public interface, used by the streamed download and by background export jobs alike:

    write_leads_csv(session, flt, out, crm=..., progress=None) -> rows written
    write_opportunities_csv(session, flt, out, crm=..., progress=None) -> rows written
    leads_csv_chunks(session, flt, crm=...) / opportunities_csv_chunks(...) -> text chunks

``out`` is any object with ``write(str)`` (a text file, io.StringIO, a TextIOWrapper over a
storage upload); ``progress(rows_so_far)`` is called after every chunk. Each export reads
only the exported columns (one SELECT with two outer joins, fetched in batches by a
server-side cursor on PostgreSQL) and writes chunks of about CHUNK_CHARS characters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from tcma.accounts.models import User
from tcma.campaigns.models import Campaign
from tcma.pipeline import rules
from tcma.pipeline.csvmap import STAGE_EXPORT, safe_cell
from tcma.pipeline.listing import ListFilter, leads_statement, opportunities_statement

#: Rows fetched from the database per batch, and characters written per chunk.
BATCH_ROWS = 5_000
CHUNK_CHARS = 256 * 1024

SALESFORCE, HUBSPOT = "salesforce", "hubspot"
CRMS = (SALESFORCE, HUBSPOT)

LEAD_HEADERS = {
    SALESFORCE: (
        "First Name",
        "Last Name",
        "Email",
        "Company",
        "Title",
        "Phone",
        "Country",
        "Lead Status",
        "Lead Source",
        "Campaign",
        "Created Date",
        "Consent",
        "Consent Wording",
        "Owner",
    ),
    HUBSPOT: (
        "First name",
        "Last name",
        "Email",
        "Company name",
        "Job title",
        "Phone number",
        "Country/Region",
        "Lead status",
        "Original source",
        "Campaign",
        "Create date",
        "Consent",
        "Consent wording",
        "Owner",
    ),
}
OPPORTUNITY_HEADERS = {
    SALESFORCE: (
        "Opportunity Name",
        "Account Name",
        "Amount",
        "Opportunity Currency",
        "Stage",
        "Close Date",
        "Campaign",
        "Created Date",
        "Owner",
    ),
    HUBSPOT: (
        "Deal Name",
        "Associated Company",
        "Amount",
        "Deal Currency Code",
        "Deal Stage",
        "Close Date",
        "Campaign",
        "Create date",
        "Owner",
    ),
}


class TextOut(Protocol):
    """Where an export writes: anything with write(str)."""

    def write(self, text: str, /) -> Any: ...


Progress = Callable[[int], None] | None
_SAFE_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str | None) -> str:
    # csvmap.safe_cell, inlined for text columns: a million rows call it ten times each.
    if value is None:
        return ""
    return "'" + value if value.startswith(_SAFE_STARTS) else value


def _stamp(value: Any) -> str:
    # 'YYYY-MM-DD HH:MM' (UTC); isoformat is several times faster than strftime per row.
    return value.isoformat(" ", "minutes")[:16]


def _owner_name(owner: Any) -> Any:
    return func.coalesce(owner.name, owner.email)


def leads_export_statement(flt: ListFilter) -> Select:
    """The exported columns of the filtered leads, in the order they arrived."""
    owner = aliased(User)
    narrowed = leads_statement(flt).subquery()
    return (
        select(
            narrowed.c.first_name,
            narrowed.c.last_name,
            narrowed.c.email,
            narrowed.c.company,
            narrowed.c.title,
            narrowed.c.phone,
            narrowed.c.country,
            narrowed.c.status,
            narrowed.c.source,
            Campaign.name,
            narrowed.c.created_at,
            narrowed.c.consent,
            narrowed.c.consent_text,
            _owner_name(owner),
        )
        .outerjoin(Campaign, Campaign.id == narrowed.c.campaign_id)
        .outerjoin(owner, owner.id == narrowed.c.owner_id)
        .order_by(narrowed.c.id)
    )


def opportunities_export_statement(flt: ListFilter) -> Select:
    """The exported columns of the filtered opportunities, in the order they were registered."""
    owner = aliased(User)
    narrowed = opportunities_statement(flt).subquery()
    return (
        select(
            narrowed.c.name,
            narrowed.c.account,
            narrowed.c.amount,
            narrowed.c.currency,
            narrowed.c.stage,
            narrowed.c.expected_close_on,
            Campaign.name,
            narrowed.c.created_at,
            _owner_name(owner),
        )
        .outerjoin(Campaign, Campaign.id == narrowed.c.campaign_id)
        .outerjoin(owner, owner.id == narrowed.c.owner_id)
        .order_by(narrowed.c.id)
    )


def lead_cells(row: Sequence[Any]) -> tuple[Any, ...]:
    """One exported lead row as cells (statuses in tcma's words, which an import reads back)."""
    first, last, email, company, title, phone, country = row[:7]
    status, source, campaign, created, consent, consent_text, owner = row[7:]
    return (
        _safe(first),
        _safe(last),
        _safe(email),
        _safe(company),
        _safe(title),
        _safe(phone),
        _safe(country),
        rules.LEAD_STATUS_LABELS[status],
        rules.SOURCE_LABELS[source],
        _safe(campaign),
        _stamp(created),
        "yes" if consent else "no",
        _safe(consent_text),
        _safe(owner),
    )


def opportunity_cells(crm: str) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A converter of exported opportunity rows, stages named as the target CRM names them."""
    stages = STAGE_EXPORT[crm]

    def cells(row: Sequence[Any]) -> tuple[Any, ...]:
        name, account, amount, currency, stage, close, campaign, created, owner = row
        return (
            _safe(name),
            _safe(account),
            f"{amount:.2f}",
            currency,
            stages[stage],
            close.isoformat() if close else "",
            _safe(campaign),
            _stamp(created),
            _safe(owner),
        )

    return cells


def csv_chunks(
    header: Iterable[str],
    batches: Iterable[Sequence[Sequence[Any]]],
    cells: Callable[[Sequence[Any]], Iterable[Any]],
    progress: Progress = None,
) -> Iterator[str]:
    """The CSV text in chunks of about CHUNK_CHARS characters, batch by batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A byte-order mark lets Excel open the UTF-8 file with accents intact.
    buffer.write("\ufeff")
    writer.writerow([safe_cell(name) for name in header])
    written = 0
    for batch in batches:
        writer.writerows(map(cells, batch))
        written += len(batch)
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(written)
    yield buffer.getvalue()
    if progress:
        progress(written)


def _batches(session: Session, stmt: Select) -> Iterator[Sequence[Any]]:
    # Plain columns, no ORM entities: the Core result on the session's connection skips the
    # ORM's per-row loading; a server-side cursor on PostgreSQL fetches BATCH_ROWS per trip.
    result = session.connection().execute(
        stmt.execution_options(stream_results=True, max_row_buffer=BATCH_ROWS)
    )
    yield from result.partitions(BATCH_ROWS)


def leads_csv_chunks(
    session: Session, flt: ListFilter, crm: str = SALESFORCE, progress: Progress = None
) -> Iterator[str]:
    """The filtered leads as CSV text chunks (for a streamed response)."""
    stmt = leads_export_statement(flt)
    return csv_chunks(LEAD_HEADERS[crm], _batches(session, stmt), lead_cells, progress)


def opportunities_csv_chunks(
    session: Session, flt: ListFilter, crm: str = SALESFORCE, progress: Progress = None
) -> Iterator[str]:
    """The filtered opportunities as CSV text chunks (for a streamed response)."""
    stmt = opportunities_export_statement(flt)
    return csv_chunks(
        OPPORTUNITY_HEADERS[crm], _batches(session, stmt), opportunity_cells(crm), progress
    )


def _write(
    make_chunks: Callable[[Session, ListFilter, str, Progress], Iterator[str]],
    session: Session,
    flt: ListFilter,
    out: TextOut,
    crm: str,
    progress: Progress,
) -> int:
    """Write the chunks to out, passing progress on; returns the number of rows written."""
    counted: list[int] = []

    def report(rows: int) -> None:
        counted.append(rows)
        if progress:
            progress(rows)

    for chunk in make_chunks(session, flt, crm, report):
        out.write(chunk)
    return counted[-1] if counted else 0


def write_leads_csv(
    session: Session,
    flt: ListFilter,
    out: TextOut,
    *,
    crm: str = SALESFORCE,
    progress: Progress = None,
) -> int:
    """Write the filtered leads as CSV to out; returns the number of rows written."""
    return _write(leads_csv_chunks, session, flt, out, crm, progress)


def write_opportunities_csv(
    session: Session,
    flt: ListFilter,
    out: TextOut,
    *,
    crm: str = SALESFORCE,
    progress: Progress = None,
) -> int:
    """Write the filtered opportunities as CSV to out; returns the number of rows written."""
    return _write(opportunities_csv_chunks, session, flt, out, crm, progress)

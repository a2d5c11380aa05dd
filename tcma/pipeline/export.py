"""CSV exports of leads and opportunities with Salesforce or HubSpot column names."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from tcma.pipeline import rules
from tcma.pipeline.csvmap import STAGE_EXPORT, safe_cell
from tcma.pipeline.models import Lead, Opportunity

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


def _owner(record: Lead | Opportunity) -> str:
    return record.owner.display_name if record.owner else ""


def lead_row(lead: Lead) -> list[Any]:
    """One lead as export cells (statuses in tcma's words, which an import reads back)."""
    return [
        lead.first_name,
        lead.last_name,
        lead.email,
        lead.company,
        lead.title,
        lead.phone,
        lead.country,
        rules.LEAD_STATUS_LABELS[lead.status],
        rules.SOURCE_LABELS[lead.source],
        lead.campaign.name if lead.campaign else "",
        lead.created_at.strftime("%Y-%m-%d %H:%M"),
        "yes" if lead.consent else "no",
        lead.consent_text,
        _owner(lead),
    ]


def opportunity_row(opportunity: Opportunity, crm: str) -> list[Any]:
    """One opportunity as export cells, its stage named as the target CRM names it."""
    close = opportunity.expected_close_on
    return [
        opportunity.name,
        opportunity.account,
        f"{opportunity.amount:.2f}",
        opportunity.currency,
        STAGE_EXPORT[crm][opportunity.stage],
        close.isoformat() if close else "",
        opportunity.campaign.name if opportunity.campaign else "",
        opportunity.created_at.strftime("%Y-%m-%d %H:%M"),
        _owner(opportunity),
    ]


def csv_lines(header: Iterable[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """The CSV text line by line (for a streamed download), every cell made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A byte-order mark lets Excel open the UTF-8 file with accents intact.
    yield "\ufeff"
    safe_rows = ([safe_cell(cell) for cell in row] for row in rows)
    for cells in itertools.chain([list(header)], safe_rows):
        writer.writerow(cells)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()

"""Contacts CSV: tcma's own columns and those of Salesforce and HubSpot exports, row checks."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from tcma.mailings import rules
from tcma.mailings.rules import MailingError
from tcma.pipeline.csvmap import ParsedFile, RowProblem, decode, parse_date
from tcma.pipeline.rules import PipelineError

CONTACTS = "contacts"
MAX_IMPORT_ROWS = 50_000
MAX_IMPORT_BYTES = 20 * 1024 * 1024

# Headers are compared case- and space-insensitively; the second and later names are how
# Salesforce (Contacts/Leads reports) and HubSpot (contact exports) call the same column.
COLUMNS = {
    "email": ("Email", "Email Address", "E-mail"),
    "first_name": ("First Name", "First name", "Firstname"),
    "last_name": ("Last Name", "Last name", "Lastname"),
    "company": ("Company", "Account Name", "Company Name", "Associated Company"),
    "title": ("Title", "Job Title"),
    "country": ("Country", "Mailing Country", "Country/Region"),
    "consent_basis": (
        "Consent Basis",
        "Legal basis for processing contact's data",
        "Legal Basis",
    ),
    "consent_date": ("Consent Date", "Consent Given Date"),
}
LIMITS = {"first_name": 80, "last_name": 80, "company": 120, "title": 120, "country": 80}
HUBSPOT_ONLY = {"company name", "job title", "country/region", "associated company"}
HUBSPOT_ONLY |= {"legal basis for processing contact's data"}

# What the CRMs' legal-basis picklists mean in tcma's words.
BASIS_WORDS = {
    "consent": rules.CONSENT,
    "freely given consent from contact": rules.CONSENT,
    "opted in": rules.CONSENT,
    "legitimate interest": rules.LEGITIMATE_INTEREST,
    "legitimate interest – prospect/lead": rules.LEGITIMATE_INTEREST,
    "legitimate interest - prospect/lead": rules.LEGITIMATE_INTEREST,
    "legitimate interest – existing customer": rules.LEGITIMATE_INTEREST,
    "legitimate interest - existing customer": rules.LEGITIMATE_INTEREST,
    "legitimate interest - other": rules.LEGITIMATE_INTEREST,
    "performance of a contract": rules.CONTRACT,
    "contract": rules.CONTRACT,
    "existing customer": rules.CONTRACT,
}


def _norm(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def check_row(
    values: dict[str, str], default_basis: str | None, default_date: dt.date | None
) -> tuple[dict[str, Any], list[str]]:
    """Clean one contact row; the errors say what is wrong with it."""
    errors: list[str] = []
    row: dict[str, Any] = {}
    try:
        row["email"] = rules.normal_email(values.get("email", ""))
    except MailingError as exc:
        errors.append(f"email: {exc.message}")
    for key, limit in LIMITS.items():
        try:
            row[key] = rules.clean_text(values.get(key), limit, key.replace("_", " "), key)
        except MailingError as exc:
            errors.append(exc.message)
    raw_basis = " ".join((values.get("consent_basis") or "").split()).casefold()
    basis = BASIS_WORDS.get(raw_basis) if raw_basis else default_basis
    if basis is None:
        errors.append(
            f"consent basis {values.get('consent_basis')!r} is unknown"
            if raw_basis
            else "no consent basis (add the column or choose one for rows without it)"
        )
    row["consent_basis"] = basis
    raw_date = (values.get("consent_date") or "").strip()
    consent_date = default_date
    if raw_date:
        try:
            consent_date = parse_date(raw_date)
        except PipelineError as exc:
            errors.append(f"consent {exc.message}")
    if consent_date is None and not errors:
        errors.append("no consent date (add the column or choose one for rows without it)")
    elif consent_date is not None and consent_date > dt.date.today():
        errors.append(f"consent date {consent_date.isoformat()} is in the future")
    row["consent_date"] = consent_date
    return row, errors


def _map_headers(parsed: ParsedFile, headers: list[str]) -> dict[int, str] | None:
    aliases = {_norm(alias): key for key, names in COLUMNS.items() for alias in names}
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = aliases.get(_norm(header))
        if key is None:
            if header.strip():
                parsed.ignored_columns.append(header.strip()[:60])
        elif key in mapping.values():
            parsed.file_errors.append(f"Two columns mean the same thing ({key.replace('_', ' ')}).")
        else:
            mapping[index] = key
    if "email" not in mapping.values():
        parsed.file_errors.append("The file has no “Email” or “Email Address” column.")
    hubspot = any(_norm(header) in HUBSPOT_ONLY for header in headers)
    parsed.crm = "HubSpot" if hubspot else "Salesforce or tcma"
    return None if parsed.file_errors else mapping


def parse_contacts(
    data: bytes, default_basis: str | None = None, default_date: dt.date | None = None
) -> ParsedFile:
    """Read a whole contacts CSV and check every row (duplicates too); nothing half-accepted."""
    parsed = ParsedFile(kind=CONTACTS)
    if len(data) > MAX_IMPORT_BYTES:
        parsed.file_errors.append(f"The file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB.")
        return parsed
    try:
        text = decode(data)
        records = list(csv.reader(io.StringIO(text, newline="")))
    except PipelineError as exc:
        parsed.file_errors.append(exc.message)
        return parsed
    except csv.Error as exc:
        parsed.file_errors.append(f"The file is not readable as CSV: {exc}.")
        return parsed
    if not records:
        parsed.file_errors.append("The file is empty.")
        return parsed
    mapping = _map_headers(parsed, records[0])
    if mapping is None:
        return parsed
    body = [(number, record) for number, record in enumerate(records[1:], start=2) if any(record)]
    if len(body) > MAX_IMPORT_ROWS:
        parsed.file_errors.append(
            f"The file has {len(body):,} rows; import at most {MAX_IMPORT_ROWS:,} at a time."
        )
        return parsed
    if not body:
        parsed.file_errors.append("The file has a header row but no data rows.")
        return parsed
    first_seen: dict[str, int] = {}
    for number, record in body:
        values = {
            key: record[index] if index < len(record) else "" for index, key in mapping.items()
        }
        row, errors = check_row(values, default_basis, default_date)
        email = row.get("email")
        if email and email in first_seen:
            errors.append(f"{email} is also on row {first_seen[email]}")
        elif email:
            first_seen[email] = number
        if errors:
            parsed.problems.append(RowProblem(number, tuple(errors)))
        else:
            parsed.rows.append(row)
    return parsed

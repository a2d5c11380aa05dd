"""Pure CSV rules: Salesforce and HubSpot column names, value parsing, row checks, safe cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from tcma.pipeline import rules
from tcma.pipeline.rules import PipelineError
from tcma.text_rules import has_control_characters

LEADS, OPPORTUNITIES = "leads", "opportunities"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000

# Column names as the two CRMs export them (HubSpot's differ from Salesforce's in case or
# wording); headers are compared case- and space-insensitively.
LEAD_COLUMNS = {
    "first_name": ("First Name", "First name"),
    "last_name": ("Last Name", "Last name"),
    "email": ("Email", "Email Address"),
    "company": ("Company", "Company name"),
    "title": ("Title", "Job title"),
    "phone": ("Phone", "Phone number"),
    "country": ("Country", "Country/Region"),
    "status": ("Lead Status", "Lead status"),
}
OPPORTUNITY_COLUMNS = {
    "name": ("Opportunity Name", "Deal Name"),
    "account": ("Account Name", "Associated Company", "Company name"),
    "amount": ("Amount",),
    "currency": ("Opportunity Currency", "Currency", "Deal Currency Code"),
    "stage": ("Stage", "Deal Stage"),
    "close_date": ("Close Date",),
}
REQUIRED_COLUMNS = {LEADS: ("email",), OPPORTUNITIES: ("name", "amount", "stage")}
HUBSPOT_ONLY = {
    "company name",
    "job title",
    "phone number",
    "country/region",
    "deal name",
    "deal stage",
    "associated company",
    "deal currency code",
}

# What each CRM's standard picklists mean in tcma's words.
LEAD_STATUS_WORDS = {
    "open - not contacted": rules.NEW,
    "open": rules.WORKING,
    "in progress": rules.WORKING,
    "working - contacted": rules.WORKING,
    "attempted to contact": rules.WORKING,
    "connected": rules.WORKING,
    "closed - converted": rules.CONVERTED,
    "open deal": rules.CONVERTED,
    "closed - not converted": rules.DISQUALIFIED,
    "unqualified": rules.DISQUALIFIED,
    "bad timing": rules.DISQUALIFIED,
    **{status: status for status in rules.LEAD_STATUSES},
}
STAGE_WORDS = {
    "needs analysis": rules.QUALIFICATION,
    "id. decision makers": rules.QUALIFICATION,
    "value proposition": rules.PROPOSAL,
    "perception analysis": rules.PROPOSAL,
    "proposal/price quote": rules.PROPOSAL,
    "negotiation/review": rules.NEGOTIATION,
    "appointment scheduled": rules.PROSPECTING,
    "qualified to buy": rules.QUALIFICATION,
    "presentation scheduled": rules.PROPOSAL,
    "decision maker bought-in": rules.NEGOTIATION,
    "contract sent": rules.NEGOTIATION,
    "closed won": rules.CLOSED_WON,
    "closed lost": rules.CLOSED_LOST,
    **{stage.replace("_", " "): stage for stage in rules.STAGES},
}
# How exports name stages, so a file goes back into the CRM it is meant for.
STAGE_EXPORT = {
    "salesforce": {
        rules.PROSPECTING: "Prospecting",
        rules.QUALIFICATION: "Qualification",
        rules.PROPOSAL: "Proposal/Price Quote",
        rules.NEGOTIATION: "Negotiation/Review",
        rules.CLOSED_WON: "Closed Won",
        rules.CLOSED_LOST: "Closed Lost",
    },
    "hubspot": {
        rules.PROSPECTING: "Appointment scheduled",
        rules.QUALIFICATION: "Qualified to buy",
        rules.PROPOSAL: "Presentation scheduled",
        rules.NEGOTIATION: "Contract sent",
        rules.CLOSED_WON: "Closed won",
        rules.CLOSED_LOST: "Closed lost",
    },
}
SYMBOL_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP"}
_AMOUNT = re.compile(
    r"^(?P<pre>[A-Z]{3}|[$€£])?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s*(?P<post>[A-Z]{3})?$"
)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _norm(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def _words(value: str) -> str:
    return " ".join(value.replace("_", " ").split()).casefold()


@dataclass(frozen=True)
class RowProblem:
    """Why one row of the file cannot be imported (row 1 is the header, as in a spreadsheet)."""

    row: int
    errors: tuple[str, ...]


@dataclass
class ParsedFile:
    """A checked CSV: its format, the clean rows, every bad row, and file-level problems."""

    kind: str
    crm: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.problems and bool(self.rows)


def decode(data: bytes) -> str:
    """CSV bytes to text: UTF-8 (with or without BOM), else Windows-1252 as Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise PipelineError("The file is not UTF-8 text; save it as CSV UTF-8.") from None


def parse_amount(text: str, column: str = "", default: str = "USD") -> tuple[Decimal, str]:
    """'12,500.00', '$12,500', 'EUR 900' -> (amount, currency).

    The currency is the one marked in the cell, else the currency column's, else ``default``;
    a cell and a column that disagree are an error.
    """
    match = _AMOUNT.match(text.strip())
    if not match:
        raise PipelineError(f"amount {text!r} is not a number like 12500.00")
    currency = column or default
    if marked := match["pre"] or match["post"]:
        marked = SYMBOL_CURRENCIES.get(marked, marked)
        if column and marked != column:
            raise PipelineError(f"amount is in {marked} but the currency column says {column}")
        currency = marked
    try:
        amount = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:
        raise PipelineError(f"amount {text!r} is not a number") from None
    try:
        return rules.check_amount(amount, currency), currency
    except PipelineError as exc:
        raise PipelineError(f"amount: {exc.message}") from None


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD (a time after it is ignored) or Salesforce's US M/D/YYYY."""
    text = text.strip()
    if match := _US_DATE.match(text):
        month, day, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise PipelineError(f"date {text!r} does not exist") from None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise PipelineError(f"date {text!r} is not YYYY-MM-DD or M/D/YYYY") from None


def _text(values: dict[str, str], key: str, errors: list[str]) -> str:
    raw = values.get(key) or ""
    if has_control_characters(raw, multiline=True):
        # A NUL byte would make PostgreSQL refuse the whole import; name the cell instead.
        errors.append(f"{key.replace('_', ' ')} holds invisible control characters")
        return ""
    value = " ".join(raw.split())
    if value[:1] == "'" and value[1:2] in _FORMULA_START:
        value = value[1:]  # our own export protected it (safe_cell); take it back as it was
    limit = rules.LIMITS.get(key) or rules.LIMITS.get(f"opportunity_{key}")
    if limit and len(value) > limit:
        errors.append(f"{key.replace('_', ' ')} is longer than {limit} characters")
    return value


def check_lead_row(values: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Clean one lead row; the errors say what is wrong with it."""
    errors: list[str] = []
    row: dict[str, Any] = {
        key: _text(values, key, errors) for key in LEAD_COLUMNS if key != "status"
    }
    try:
        row["email"] = rules.clean_email(values.get("email", ""))
    except PipelineError as exc:
        errors.append(f"email: {exc.message}")
    if not (row["first_name"] or row["last_name"]):
        errors.append("a first or last name is needed")
    status = _words(values.get("status") or "") or rules.NEW
    row["status"] = LEAD_STATUS_WORDS.get(status)
    if row["status"] is None:
        errors.append(f"lead status {values.get('status')!r} is unknown")
    return row, errors


def check_opportunity_row(
    values: dict[str, str], default_currency: str
) -> tuple[dict[str, Any], list[str]]:
    """Clean one opportunity row; the errors say what is wrong with it."""
    errors: list[str] = []
    row: dict[str, Any] = {
        "name": _text(values, "name", errors),
        "account": _text(values, "account", errors),
    }
    if not row["name"]:
        errors.append("the opportunity name is empty")
    currency = (values.get("currency") or "").strip().upper()
    try:
        row["amount"], row["currency"] = parse_amount(
            values.get("amount") or "", currency, default_currency
        )
    except PipelineError as exc:
        errors.append(exc.message)
    row["stage"] = STAGE_WORDS.get(_words(values.get("stage") or ""))
    if row["stage"] is None:
        errors.append(f"stage {values.get('stage')!r} is unknown")
    row["expected_close_on"] = None
    if close := (values.get("close_date") or "").strip():
        try:
            row["expected_close_on"] = parse_date(close)
        except PipelineError as exc:
            errors.append(f"close {exc.message}")
    return row, errors


def _map_headers(parsed: ParsedFile, headers: list[str]) -> dict[int, str] | None:
    columns = LEAD_COLUMNS if parsed.kind == LEADS else OPPORTUNITY_COLUMNS
    aliases = {_norm(alias): key for key, names in columns.items() for alias in names}
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = aliases.get(_norm(header))
        if key is None:
            if header.strip():
                parsed.ignored_columns.append(header.strip())
        elif key in mapping.values():
            parsed.file_errors.append(f"Two columns mean the same thing ({key.replace('_', ' ')}).")
        else:
            mapping[index] = key
    missing = [key for key in REQUIRED_COLUMNS[parsed.kind] if key not in mapping.values()]
    for key in missing:
        names = " or ".join(f"“{name}”" for name in columns[key])
        parsed.file_errors.append(f"The file has no {names} column.")
    hubspot = any(_norm(header) in HUBSPOT_ONLY for header in headers)
    parsed.crm = "HubSpot" if hubspot else "Salesforce"
    return None if parsed.file_errors else mapping


def parse_csv(data: bytes, kind: str, default_currency: str = "USD") -> ParsedFile:
    """Read a whole CSV export and check every row; nothing is half-accepted."""
    parsed = ParsedFile(kind=kind)
    if len(data) > MAX_IMPORT_BYTES:
        parsed.file_errors.append(f"The file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB.")
        return parsed
    try:
        text = decode(data)
    except PipelineError as exc:
        parsed.file_errors.append(exc.message)
        return parsed
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
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
            f"The file has {len(body)} rows; import at most {MAX_IMPORT_ROWS}."
        )
        return parsed
    for number, record in body:
        values = {
            key: record[index] if index < len(record) else "" for index, key in mapping.items()
        }
        if kind == LEADS:
            row, errors = check_lead_row(values)
        else:
            row, errors = check_opportunity_row(values, default_currency)
        if errors:
            parsed.problems.append(RowProblem(number, tuple(errors)))
        else:
            parsed.rows.append(row)
    if not body:
        parsed.file_errors.append("The file has a header row but no data rows.")
    return parsed


def safe_cell(value: Any) -> str:
    """A cell value that a spreadsheet will show, never run: formulas are prefixed with '."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text

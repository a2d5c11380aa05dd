"""CSV rules: Salesforce and HubSpot headers, every bad row with its reasons, safe exports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tcma.pipeline import csvmap
from tcma.pipeline.csvmap import LEADS, OPPORTUNITIES, parse_csv
from tcma.pipeline.rules import PipelineError

SALESFORCE_LEADS = (
    "First Name,Last Name,Email,Company,Title,Phone,Country,Lead Status,Lead Source\r\n"
    "Ada,Lovelace,ada@analytical.example,Analytical Engines,CTO,+44 20 7946 0001,UK,"
    "Open - Not Contacted,Web\r\n"
    "Alan,Turing,alan@bletchley.example,Bletchley,Head,,UK,Working - Contacted,Web\r\n"
)
HUBSPOT_LEADS = (
    "First name,Last name,Email,Company name,Job title,Phone number,Country/Region,Lead status\n"
    "Grace,Hopper,grace@navy.example,US Navy,Admiral,,United States,IN_PROGRESS\n"
)
SALESFORCE_OPPORTUNITIES = (
    "Opportunity Name,Account Name,Amount,Stage,Close Date\n"
    'Vault renewal,Acme,"12,500.00",Negotiation/Review,3/31/2027\n'
    "New site,Globex,$900,Closed Won,2027-01-15\n"
)
HUBSPOT_DEALS = (
    "Deal Name,Amount,Deal Stage,Close Date,Associated Company\n"
    "Backup refresh,4000,Contract sent,2027-02-01 00:00,Initech\n"
)


def test_salesforce_lead_export_is_read():
    parsed = parse_csv(SALESFORCE_LEADS.encode(), LEADS)
    assert parsed.ok and parsed.crm == "Salesforce"
    assert [row["status"] for row in parsed.rows] == ["new", "working"]
    assert parsed.rows[0]["email"] == "ada@analytical.example"
    assert parsed.ignored_columns == ["Lead Source"]


def test_hubspot_lead_export_is_read_with_a_byte_order_mark():
    parsed = parse_csv(("\ufeff" + HUBSPOT_LEADS).encode(), LEADS)
    assert parsed.ok and parsed.crm == "HubSpot"
    assert parsed.rows[0]["status"] == "working"
    assert parsed.rows[0]["company"] == "US Navy"


def test_opportunity_exports_of_both_crms_are_read():
    sf = parse_csv(SALESFORCE_OPPORTUNITIES.encode(), OPPORTUNITIES, "EUR")
    assert sf.ok
    first, second = sf.rows
    assert (first["amount"], first["currency"], first["stage"]) == (
        Decimal("12500.00"),
        "EUR",
        "negotiation",
    )
    assert first["expected_close_on"] == dt.date(2027, 3, 31)
    assert (second["amount"], second["currency"], second["stage"]) == (
        Decimal("900.00"),
        "USD",
        "closed_won",
    )
    hs = parse_csv(HUBSPOT_DEALS.encode(), OPPORTUNITIES)
    assert hs.ok and hs.crm == "HubSpot"
    assert hs.rows[0]["account"] == "Initech" and hs.rows[0]["stage"] == "negotiation"


def test_every_bad_row_is_reported_with_every_reason():
    data = (
        "First Name,Last Name,Email,Company,Lead Status\n"
        "Ada,Lovelace,ada@analytical.example,Analytical,New\n"
        ",,not-an-email,Nobody,Sleeping\n"
        "Alan,Turing,alan@bletchley.example," + "x" * 130 + ",New\n"
    ).encode()
    parsed = parse_csv(data, LEADS)
    assert not parsed.ok
    assert [p.row for p in parsed.problems] == [3, 4]
    reasons = " ".join(parsed.problems[0].errors)
    assert "email" in reasons and "name" in reasons and "Sleeping" in reasons
    assert "longer than 120" in parsed.problems[1].errors[0]
    assert len(parsed.rows) == 1


def test_a_file_without_the_needed_columns_is_refused_as_a_whole():
    parsed = parse_csv(b"Name,Phone\nAda,1\n", LEADS)
    assert not parsed.ok and "Email" in parsed.file_errors[0]
    parsed = parse_csv(b"Deal Name,Deal Stage\nX,Closed won\n", OPPORTUNITIES)
    assert "Amount" in parsed.file_errors[0]


def test_empty_and_oversized_files_are_refused():
    assert parse_csv(b"", LEADS).file_errors == ["The file is empty."]
    assert not parse_csv(b"Email\n", LEADS).ok
    big = b"Email\n" + b"a@example.com\n" * (csvmap.MAX_IMPORT_ROWS + 1)
    assert "at most" in parse_csv(big, LEADS).file_errors[0]


def test_excel_windows_1252_files_are_read():
    parsed = parse_csv("Last Name,Email\nMüller,m@example.com\n".encode("cp1252"), LEADS)
    assert parsed.ok and parsed.rows[0]["last_name"] == "Müller"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.50", (Decimal("1234.50"), "USD")),
        ("EUR 900", (Decimal("900.00"), "EUR")),
        ("£12", (Decimal("12.00"), "GBP")),
        ("700 SEK", (Decimal("700.00"), "SEK")),
    ],
)
def test_amounts_are_parsed(text, expected):
    assert csvmap.parse_amount(text) == expected


def test_a_cell_currency_that_contradicts_the_currency_column_is_refused():
    assert csvmap.parse_amount("900", "EUR") == (Decimal("900.00"), "EUR")
    with pytest.raises(PipelineError, match="currency column"):
        csvmap.parse_amount("$900", "EUR")


@pytest.mark.parametrize("text", ["12,50", "-5", "1.234", "abc", "1.005"])
def test_unclear_amounts_are_refused(text):
    with pytest.raises(PipelineError):
        csvmap.parse_amount(text)


def test_dates_are_iso_or_us():
    assert csvmap.parse_date("2027-03-31") == dt.date(2027, 3, 31)
    assert csvmap.parse_date("12/1/2027") == dt.date(2027, 12, 1)
    for bad in ("31/12/2027", "2/30/2027", "next week"):
        with pytest.raises(PipelineError):
            csvmap.parse_date(bad)


def test_cells_that_a_spreadsheet_would_run_are_neutralised():
    assert csvmap.safe_cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert csvmap.safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csvmap.safe_cell("Ada") == "Ada"
    assert csvmap.safe_cell(None) == ""

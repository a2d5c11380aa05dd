"""Money shown to people: currency symbols and formatting (pure; used by pages, emails, CSV)."""

from __future__ import annotations

from decimal import Decimal

# Only currencies with two minor units: amounts are stored as integer cents.
CURRENCY_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "CAD": "C$",
    "AUD": "A$",
    "NZD": "NZ$",
    "CHF": "CHF ",
    "SEK": "SEK ",
    "NOK": "NOK ",
    "DKK": "DKK ",
    "PLN": "zł ",
    "INR": "₹",
    "SGD": "S$",
    "BRL": "R$",
    "MXN": "MX$",
    "ZAR": "R ",
}


def format_money(amount: Decimal | int | None, currency: str = "USD") -> str:
    """$1,234.50 / €1,234.50 / -£3.00; an unknown currency shows its code."""
    if amount is None:
        return "—"
    value = Decimal(amount)
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.2f}"

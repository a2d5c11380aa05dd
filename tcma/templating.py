"""Template helpers shared by every page: navigation by role, money, pager links."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from flask import Flask, current_app

from tcma.accounts import rules


class NavItem(NamedTuple):
    endpoint: str
    label: str
    roles: tuple[str, ...]


VENDOR = rules.VENDOR_ROLES
PARTNER = rules.PARTNER_ROLES

# One list for the whole app; an item shows only when its area is installed and the role fits.
NAV_ITEMS = (
    NavItem("kits.manage", "Kits", (rules.ADMIN, rules.MARKETER)),
    NavItem("catalog.index", "Kit catalog", PARTNER),
    NavItem("campaigns.index", "Campaigns", (*PARTNER, rules.ADMIN, rules.MARKETER)),
    NavItem("pipeline.leads", "Leads", (*PARTNER, rules.ADMIN, rules.MARKETER)),
    NavItem("mdf.index", "Funds", (*PARTNER, *VENDOR)),
    NavItem("reports.dashboard", "Dashboard", (*PARTNER, *VENDOR)),
    NavItem("brand.edit", "Brand", (rules.PARTNER_ADMIN,)),
    NavItem("partners.partners", "Partners", VENDOR),
    NavItem("partners.tiers", "Tiers", (rules.ADMIN,)),
    NavItem("users.index", "People", (rules.ADMIN, rules.PARTNER_ADMIN)),
)

CURRENCY_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "¥",
    "INR": "₹",
    "AUD": "A$",
    "CAD": "C$",
    "NZD": "NZ$",
    "CHF": "CHF ",
    "SEK": "SEK ",
    "NOK": "NOK ",
    "DKK": "DKK ",
    "BRL": "R$",
    "MXN": "MX$",
    "SGD": "S$",
    "ZAR": "R ",
    "PLN": "zł ",
}


def nav_items(role: str) -> list[NavItem]:
    """Navigation entries for a role, limited to the areas this app has."""
    views = current_app.view_functions
    return [item for item in NAV_ITEMS if role in item.roles and item.endpoint in views]


def format_money(amount: Decimal | int | None, currency: str = "USD") -> str:
    """$1,234.50 / €1,234.50 / -£3.00; an unknown currency shows its code."""
    if amount is None:
        return "—"
    value = Decimal(amount)
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.2f}"


def combine_args(kwargs: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """Merge endpoint arguments with the current query string (for pager links)."""
    return {**args, **kwargs}


def init_templating(app: Flask) -> None:
    """Register the globals and filters."""
    app.add_template_global(nav_items)
    app.add_template_filter(format_money, "money")
    app.add_template_filter(combine_args)
    app.jinja_env.globals["REGION_LABELS"] = rules.REGION_LABELS
    app.jinja_env.globals["ROLE_LABELS"] = rules.ROLE_LABELS

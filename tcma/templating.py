"""Template helpers shared by every page: navigation by role, money, pager links."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from flask import Flask, current_app

from tcma.accounts import rules
from tcma.media_links import brand_logo_path
from tcma.money import format_money


class NavItem(NamedTuple):
    endpoint: str
    label: str
    roles: tuple[str, ...]
    # Which pages belong under this item (for the current-page mark): endpoint prefixes,
    # "area." for a whole blueprint; by default the item's own blueprint.
    match: tuple[str, ...] = ()

    def is_current(self, endpoint: str | None) -> bool:
        """True when the page being shown belongs to this item's area."""
        prefixes = self.match or (self.endpoint.split(".")[0] + ".",)
        return endpoint is not None and endpoint.startswith(prefixes)


VENDOR = rules.VENDOR_ROLES
PARTNER = rules.PARTNER_ROLES
LEADS = ("pipeline.lead", "pipeline.update_lead", "pipeline.convert_lead", "pipeline.erase_lead")
OPPORTUNITIES = ("pipeline.opportunit", "pipeline.new_opportunity", "pipeline.update_opportunity")

# One list for the whole app; an item shows only when its area is installed and the role fits.
NAV_ITEMS = (
    NavItem("kits.manage", "Kits", (rules.ADMIN, rules.MARKETER), ("kits.", "kit_content.")),
    NavItem("catalog.index", "Kit catalog", PARTNER),
    NavItem(
        "campaigns.index",
        "Campaigns",
        (*PARTNER, rules.ADMIN, rules.MARKETER),
        ("campaigns.", "launch."),
    ),
    NavItem(
        "pipeline.leads",
        "Leads",
        (*PARTNER, rules.ADMIN, rules.MARKETER),
        (*LEADS, "pipeline.export_leads", "pipeline.import", "pipeline.confirm_import"),
    ),
    NavItem(
        "pipeline.opportunities",
        "Opportunities",
        (*PARTNER, rules.ADMIN, rules.MARKETER),
        (*OPPORTUNITIES, "pipeline.export_opportunities"),
    ),
    # Finance sees campaign pipeline and ROI, never leads' personal data.
    NavItem(
        "pipeline.overview",
        "Pipeline",
        (rules.FINANCE,),
        ("pipeline.overview", "pipeline.campaign"),
    ),
    NavItem("contacts.index", "Contacts", PARTNER),
    NavItem("mailings.index", "Mailings", PARTNER),
    NavItem(
        "mailings.approvals",
        "Mail approvals",
        (rules.ADMIN, rules.MARKETER),
        ("mailings.approvals", "mailings.review", "mailings.settings"),
    ),
    NavItem("mailings.do_not_contact", "Do not contact", (rules.ADMIN,), ("mailings.do_not",)),
    NavItem("mdf.index", "Funds", (*PARTNER, *VENDOR)),
    NavItem(
        "reports.dashboard",
        "Dashboard",
        (*PARTNER, *VENDOR),
        ("reports.", "pipeline.overview", "pipeline.campaign"),
    ),
    NavItem("brand.edit", "Brand", PARTNER),
    NavItem("partners.partners", "Partners", VENDOR),
    NavItem("partners.tiers", "Tiers", (rules.ADMIN,)),
    NavItem("users.index", "People", (rules.ADMIN, rules.PARTNER_ADMIN)),
    NavItem("jobs.index", "Your exports", (*PARTNER, *VENDOR)),
    NavItem("api_tokens.index", "API", rules.ALL_ROLES, ("webhooks",)),
)


def current_nav_item(items: list[NavItem], endpoint: str | None) -> NavItem | None:
    """The one item the page belongs to (the first that claims it)."""
    return next((item for item in items if item.is_current(endpoint)), None)


def nav_items(role: str) -> list[NavItem]:
    """Navigation entries for a role, limited to the areas this app has."""
    views = current_app.view_functions
    return [item for item in NAV_ITEMS if role in item.roles and item.endpoint in views]


def combine_args(kwargs: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """Merge endpoint arguments with the current query string (for pager links)."""
    return {**args, **kwargs}


def present(attributes: dict[str, Any]) -> dict[str, Any]:
    """Only the HTML attributes that have a value: None and False are left out.

    WTForms prints None as the text "None" (aria-invalid="None", required="None").
    """
    return {
        key: value for key, value in attributes.items() if value is not None and value is not False
    }


def tel(number: str) -> str:
    """A phone number as a tel: link wants it: digits and a leading +, no spaces."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return ("+" if number.strip().startswith("+") else "") + digits


def human_date(value: Any) -> str:
    """A date as people read it, the same on every page: 10 Dec 2026 (ISO text too)."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.day} {value:%b %Y}"
    return "" if value is None else str(value)


def human_datetime(value: Any, seconds: bool = False) -> str:
    """A moment as people read it, in the UTC the app stores: 10 Dec 2026 14:05 UTC."""
    if not isinstance(value, dt.datetime):
        return human_date(value)
    clock = value.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{human_date(value)} {clock} UTC"


def init_templating(app: Flask) -> None:
    """Register the globals and filters."""
    app.add_template_global(nav_items)
    app.add_template_global(current_nav_item)
    app.add_template_filter(format_money, "money")
    app.add_template_filter(combine_args)
    app.add_template_filter(present)
    app.add_template_filter(tel)
    app.add_template_filter(human_date)
    app.add_template_filter(human_datetime)
    app.jinja_env.globals["REGION_LABELS"] = rules.REGION_LABELS
    app.jinja_env.globals["brand_logo_path"] = brand_logo_path
    app.jinja_env.globals["ROLE_LABELS"] = rules.ROLE_LABELS

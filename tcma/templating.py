"""Template helpers shared by every page: navigation by role, money, pager links."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Flask, current_app

from tcma.accounts import rules
from tcma.media_links import brand_logo_path
from tcma.money import format_money


class NavItem(NamedTuple):
    endpoint: str
    label: str
    roles: tuple[str, ...]
    # Other blueprints whose pages belong under this item (for the current-page mark).
    also: tuple[str, ...] = ()

    def is_current(self, blueprint: str | None) -> bool:
        """True when the page being shown belongs to this item's area."""
        return blueprint is not None and blueprint in (self.endpoint.split(".")[0], *self.also)


VENDOR = rules.VENDOR_ROLES
PARTNER = rules.PARTNER_ROLES

# One list for the whole app; an item shows only when its area is installed and the role fits.
NAV_ITEMS = (
    NavItem("kits.manage", "Kits", (rules.ADMIN, rules.MARKETER), ("kit_content",)),
    NavItem("catalog.index", "Kit catalog", PARTNER),
    NavItem("campaigns.index", "Campaigns", (*PARTNER, rules.ADMIN, rules.MARKETER), ("launch",)),
    NavItem("pipeline.leads", "Leads", (*PARTNER, rules.ADMIN, rules.MARKETER)),
    # Finance sees campaign pipeline and ROI, never leads' personal data.
    NavItem("pipeline.overview", "Pipeline", (rules.FINANCE,)),
    NavItem("mdf.index", "Funds", (*PARTNER, *VENDOR)),
    NavItem("reports.dashboard", "Dashboard", (*PARTNER, *VENDOR)),
    NavItem("brand.edit", "Brand", (rules.PARTNER_ADMIN,)),
    NavItem("partners.partners", "Partners", VENDOR),
    NavItem("partners.tiers", "Tiers", (rules.ADMIN,)),
    NavItem("users.index", "People", (rules.ADMIN, rules.PARTNER_ADMIN)),
)


def nav_items(role: str) -> list[NavItem]:
    """Navigation entries for a role, limited to the areas this app has."""
    views = current_app.view_functions
    return [item for item in NAV_ITEMS if role in item.roles and item.endpoint in views]


def combine_args(kwargs: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """Merge endpoint arguments with the current query string (for pager links)."""
    return {**args, **kwargs}


def init_templating(app: Flask) -> None:
    """Register the globals and filters."""
    app.add_template_global(nav_items)
    app.add_template_filter(format_money, "money")
    app.add_template_filter(combine_args)
    app.jinja_env.globals["REGION_LABELS"] = rules.REGION_LABELS
    app.jinja_env.globals["brand_logo_path"] = brand_logo_path
    app.jinja_env.globals["ROLE_LABELS"] = rules.ROLE_LABELS

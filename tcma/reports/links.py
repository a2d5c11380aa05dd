"""Where each number links to: the list behind it, with the dashboard's filters carried over.

Other areas' endpoints and the query parameters their lists accept are named here only, and a
link is left out while its area is not installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import current_app, url_for

from tcma.reports.filters import DashboardFilter

# endpoint, and the filter parameters that list understands.
LISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "leads": ("pipeline.leads", ("partner", "kit", "tier", "region", "from", "to")),
    "opportunities": ("pipeline.opportunities", ("partner", "kit", "tier", "region", "from", "to")),
    "lead": ("pipeline.lead", ()),
    "campaigns": ("campaigns.index", ("partner", "kit")),
    # MDF balances per budget, tier or partner (a partner sees its own allocations).
    "balances": ("mdf.index", ()),
    "requests": ("mdf.requests.index", ("partner", "kit", "tier", "region", "from", "to")),
    "request": ("mdf.requests.show", ()),
    "new_request": ("mdf.requests.new", ()),
    "claims": ("mdf.claims.index", ("partner", "kit", "tier", "region", "from", "to")),
    "partner": ("partners.partner", ()),
    "kit": ("kits.kit", ()),
}


def may_open(endpoint: str, role: str) -> bool:
    """True when the endpoint is installed and its role decorator lets this role in."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    return role in getattr(view, "allowed_roles", (role,))


@dataclass(frozen=True)
class Links:
    """Builds list links for one dashboard filter."""

    flt: DashboardFilter
    role: str
    # Partners' lists are always their own: no partner parameter is ever sent for them.
    own_partner: bool = False
    _paths: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def _params(self, accepted: tuple[str, ...]) -> dict[str, Any]:
        flt = self.flt
        values = {
            "partner": None if self.own_partner else flt.partner_id,
            "kit": flt.kit_id,
            "tier": flt.tier_id,
            "region": flt.region,
            "currency": flt.currency,
            "from": flt.date_from.isoformat() if flt.date_from else None,
            "to": flt.date_to.isoformat() if flt.date_to else None,
        }
        return {key: values[key] for key in accepted if values.get(key) is not None}

    def to(self, name: str, **extra: Any) -> str | None:
        """URL of the named list with the filter's parameters, or None if not installed."""
        endpoint, accepted = LISTS[name]
        if not may_open(endpoint, self.role):
            return None
        if not accepted:  # one object (its id in the path) or a page without filters
            return url_for(endpoint, **extra)
        return self._list_url(endpoint, {**self._params(accepted), **extra})

    def dashboard(self, endpoint: str = "reports.dashboard", **changes: Any) -> str:
        """This dashboard (or the kit page) with some filters changed."""
        return self._list_url(endpoint, self.flt.to_args(**changes))

    def _list_url(self, endpoint: str, args: dict[str, Any]) -> str:
        # Pages link every row; url_for once per endpoint, then only the query string.
        if endpoint not in self._paths:
            self._paths[endpoint] = url_for(endpoint)
        query = urlencode({key: value for key, value in args.items() if value is not None})
        return f"{self._paths[endpoint]}?{query}" if query else self._paths[endpoint]

    def for_partner(self, row: Any) -> str:
        """The dashboard narrowed to one partner of a ranking."""
        return self._narrowed("partner", row.id)

    def for_kit(self, row: Any) -> str:
        """The dashboard narrowed to one kit of a ranking."""
        return self._narrowed("kit", row.id)

    def _narrowed(self, key: str, value: int) -> str:
        # Every row of a ranking shares the rest of the query string: encode it once.
        cache_key = f"narrow:{key}"
        if cache_key not in self._paths:
            args = {k: v for k, v in self.flt.to_args().items() if k != key}
            self._paths[cache_key] = self._list_url("reports.dashboard", args)
        base = self._paths[cache_key]
        return f"{base}{'&' if '?' in base else '?'}{key}={int(value)}"

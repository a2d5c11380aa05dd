"""What every role's token gets on every /api/v1 route (tests/api/test_api_matrix.py checks it).

Each role calls with a personal token carrying every scope its role may hold; anon sends
none. Objects belong to partner A; b_user (partner B) must get 404 on them. OK = allowed
(2xx, or a 4xx other than 401/403/404 such as 409/422 for a body the role may send).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.access_matrix import OK, expect
from tests.api.support import matrix_kit_version, matrix_lead, matrix_payment, new_fund_request
from tests.kits.support import matrix_kit as kit
from tests.mdf.support import matrix_objects as mdf
from tests.pipeline.support import matrix_objects as pipe

# The API has no sign-in redirect: no token is 401.
ALL = expect(anon=401)
LEAD_READERS = expect(anon=401, finance=403, b_user=OK)
LEAD_A = expect(anon=401, finance=403, b_user=404)
PARTNERS = expect(anon=401, admin=403, marketer=403, finance=403)
PARTNER_A = expect(anon=401, admin=403, marketer=403, finance=403, b_user=404)
ERASERS_A = expect(anon=401, marketer=403, finance=403, b_user=404)
READ_A = expect(anon=401, b_user=404)
OVERSEERS_A = expect(anon=401, finance=403, b_user=404)
VENDOR = expect(anon=401, a_admin=403, a_user=403, b_user=403)
MARKETING = expect(anon=401, finance=403, a_admin=403, a_user=403, b_user=403)
FINANCE = expect(anon=401, marketer=403, a_admin=403, a_user=403, b_user=403)


@dataclass
class ApiRoute:
    """How to call one API endpoint (the url may depend on the role) and what each role gets."""

    expect: dict[str, Any]
    url: Callable[[Any, str], str] | str
    method: str = "GET"
    json: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _fresh_lead(ctx: Any, role: str) -> str:
    # Erasing is for good: every role gets its own lead of partner A.
    return f"/api/v1/leads/{matrix_lead(ctx)}"


def _campaign(ctx: Any, role: str) -> str:
    return f"/api/v1/campaigns/{pipe(ctx).campaign_id}"


def _new_campaign(ctx: Any) -> dict[str, Any]:
    return {
        "kit_version_id": matrix_kit_version(ctx),
        "name": "Matrix campaign via API",
        "field_values": {"headline": "Restore drills"},
    }


def _opportunity(ctx: Any) -> dict[str, Any]:
    return {
        "name": "Matrix deal",
        "amount": "100.00",
        "currency": "EUR",
        "campaign_id": pipe(ctx).campaign_id,
    }


API_ROUTES: dict[str, ApiRoute] = {
    "api_pipeline.list_leads": ApiRoute(LEAD_READERS, "/api/v1/leads"),
    "api_pipeline.create_lead": ApiRoute(
        PARTNERS,
        "/api/v1/leads",
        "POST",
        lambda c: {
            "campaign_id": pipe(c).campaign_id,
            "email": "visitor@example.com",
            "consent_text": "I agree to be contacted.",
        },
    ),
    "api_pipeline.get_lead": ApiRoute(LEAD_A, lambda c, r: f"/api/v1/leads/{pipe(c).lead_id}"),
    "api_pipeline.update_lead": ApiRoute(
        PARTNER_A,
        lambda c, r: f"/api/v1/leads/{pipe(c).lead_id}",
        "PATCH",
        {"notes": "Called back."},
    ),
    "api_pipeline.erase_lead": ApiRoute(ERASERS_A, _fresh_lead, "DELETE"),
    "api_pipeline.list_opportunities": ApiRoute(LEAD_READERS, "/api/v1/opportunities"),
    "api_pipeline.create_opportunity": ApiRoute(
        PARTNERS, "/api/v1/opportunities", "POST", _opportunity
    ),
    "api_pipeline.get_opportunity": ApiRoute(
        LEAD_A, lambda c, r: f"/api/v1/opportunities/{pipe(c).opportunity_id}"
    ),
    "api_pipeline.update_opportunity": ApiRoute(
        PARTNER_A,
        lambda c, r: f"/api/v1/opportunities/{pipe(c).opportunity_id}",
        "PATCH",
        {"stage": "qualification"},
    ),
    "api_campaigns.list_campaigns": ApiRoute(ALL, "/api/v1/campaigns"),
    "api_campaigns.create_campaign": ApiRoute(PARTNERS, "/api/v1/campaigns", "POST", _new_campaign),
    "api_campaigns.get_campaign": ApiRoute(READ_A, _campaign),
    "api_campaigns.campaign_pipeline": ApiRoute(READ_A, lambda c, r: _campaign(c, r) + "/pipeline"),
    "api_campaigns.launch_campaign": ApiRoute(
        PARTNER_A,
        lambda c, r: f"/api/v1/campaigns/{pipe(c).draft_id}/launch",
        "POST",
        lambda c: {"starts_on": "2026-01-01", "ends_on": "2099-12-31"},
    ),
    "api_campaigns.pause_campaign": ApiRoute(
        OVERSEERS_A, lambda c, r: _campaign(c, r) + "/pause", "POST", {}
    ),
    "api_campaigns.resume_campaign": ApiRoute(
        PARTNER_A, lambda c, r: _campaign(c, r) + "/resume", "POST"
    ),
    "api_campaigns.end_campaign": ApiRoute(
        OVERSEERS_A, lambda c, r: _campaign(c, r) + "/end", "POST", {"comment": "Done"}
    ),
    "api_mdf.list_fund_requests": ApiRoute(ALL, "/api/v1/fund-requests"),
    "api_mdf.create_fund_request": ApiRoute(
        PARTNERS, "/api/v1/fund-requests", "POST", new_fund_request
    ),
    "api_mdf.get_fund_request": ApiRoute(
        READ_A, lambda c, r: f"/api/v1/fund-requests/{mdf(c).approved_id}"
    ),
    "api_mdf.submit_fund_request": ApiRoute(
        PARTNER_A, lambda c, r: f"/api/v1/fund-requests/{mdf(c).draft_id}/submit", "POST"
    ),
    "api_mdf.withdraw_fund_request": ApiRoute(
        PARTNER_A, lambda c, r: f"/api/v1/fund-requests/{mdf(c).submitted_id}/withdraw", "POST", {}
    ),
    "api_mdf.approve_fund_request": ApiRoute(
        MARKETING, lambda c, r: f"/api/v1/fund-requests/{mdf(c).submitted_id}/approve", "POST", {}
    ),
    "api_mdf.reject_fund_request": ApiRoute(
        MARKETING,
        lambda c, r: f"/api/v1/fund-requests/{mdf(c).submitted_id}/reject",
        "POST",
        {"comment": "Not this quarter."},
    ),
    "api_mdf.list_claims": ApiRoute(ALL, "/api/v1/claims"),
    "api_mdf.get_claim": ApiRoute(READ_A, lambda c, r: f"/api/v1/claims/{mdf(c).claim_id}"),
    "api_mdf.submit_claim": ApiRoute(
        PARTNER_A, lambda c, r: f"/api/v1/claims/{mdf(c).draft_claim_id}/submit", "POST"
    ),
    "api_mdf.approve_claim": ApiRoute(
        FINANCE, lambda c, r: f"/api/v1/claims/{mdf(c).claim_id}/approve", "POST", {}
    ),
    "api_mdf.reject_claim": ApiRoute(
        FINANCE,
        lambda c, r: f"/api/v1/claims/{mdf(c).claim_id}/reject",
        "POST",
        {"comment": "The invoice is unreadable."},
    ),
    "api_mdf.record_payment": ApiRoute(
        FINANCE,
        lambda c, r: f"/api/v1/claims/{mdf(c).claim_id}/payment",
        "POST",
        {"paid_on": "2026-01-31", "method": "bank_transfer", "reference": "BT-1"},
    ),
    "api_mdf.list_payments": ApiRoute(FINANCE, "/api/v1/payments"),
    "api_mdf.get_payment": ApiRoute(FINANCE, lambda c, r: f"/api/v1/payments/{matrix_payment(c)}"),
    "api_mdf.list_allocations": ApiRoute(ALL, "/api/v1/allocations"),
    "api_mdf.get_allocation": ApiRoute(
        READ_A, lambda c, r: f"/api/v1/allocations/{mdf(c).allocation_id}"
    ),
    "api_kits.list_kits": ApiRoute(ALL, "/api/v1/kits"),
    "api_kits.get_kit": ApiRoute(READ_A, lambda c, r: f"/api/v1/kits/{kit(c).kit_id}"),
    "api_kits.list_versions": ApiRoute(
        READ_A, lambda c, r: f"/api/v1/kits/{kit(c).kit_id}/versions"
    ),
    "api_partners.list_partners": ApiRoute(VENDOR, "/api/v1/partners"),
    "api_partners.get_partner": ApiRoute(
        VENDOR, lambda c, r: f"/api/v1/partners/{c.world.partner_a.id}"
    ),
    "api_partners.list_tiers": ApiRoute(VENDOR, "/api/v1/tiers"),
    "api_reports.dashboard": ApiRoute(ALL, "/api/v1/dashboard"),
}

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
from tests.api.support import (
    matrix_contact,
    matrix_kit_version,
    matrix_lead,
    matrix_payment,
    new_fund_request,
    proof_form,
)
from tests.kits.support import matrix_kit as kit
from tests.mailings.support import matrix_objects as mail
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
# The program-wide do-not-contact list is the vendor admins'; partners keep their own.
SUPPRESSORS = expect(anon=401, marketer=403, finance=403)


@dataclass
class ApiRoute:
    """How to call one API endpoint (the url may depend on the role) and what each role gets."""

    expect: dict[str, Any]
    url: Callable[[Any, str], str] | str
    method: str = "GET"
    json: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = None
    #: A multipart form (made afresh for each call: files are read once).
    form: Callable[[Any], dict[str, Any]] | None = None
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


def _request(ctx: Any, key: str) -> str:
    return f"/api/v1/fund-requests/{getattr(mdf(ctx), key)}"


def _claim(ctx: Any, key: str) -> str:
    return f"/api/v1/claims/{getattr(mdf(ctx), key)}"


_MDF_ACTIONS = {
    "edit_fund_request": ApiRoute(
        PARTNER_A, lambda c, r: _request(c, "draft_id"), "PATCH", {"title": "Edited webinar"}
    ),
    "cancel_fund_request": ApiRoute(
        OVERSEERS_A, lambda c, r: _request(c, "approved_id") + "/cancel", "POST", {}
    ),
    "send_back_fund_request": ApiRoute(
        MARKETING,
        lambda c, r: _request(c, "submitted_id") + "/request-changes",
        "POST",
        {"comment": "Add the venue."},
    ),
    "create_claim": ApiRoute(
        PARTNER_A,
        lambda c, r: _request(c, "approved_id") + "/claims",
        "POST",
        form=lambda c: {"actual_cost": "500.00", "claimed_amount": "100.00", "notes": "Done"},
    ),
    "edit_claim": ApiRoute(
        PARTNER_A, lambda c, r: _claim(c, "draft_claim_id"), "PATCH", {"notes": "Edited"}
    ),
    "add_proof": ApiRoute(
        PARTNER_A, lambda c, r: _claim(c, "draft_claim_id") + "/proofs", "POST", form=proof_form
    ),
    "remove_proof": ApiRoute(
        PARTNER_A,
        lambda c, r: _claim(c, "claim_id") + f"/proofs/{mdf(c).proof_id}",
        "DELETE",
    ),
    "withdraw_claim": ApiRoute(
        PARTNER_A, lambda c, r: _claim(c, "draft_claim_id") + "/withdraw", "POST"
    ),
    "send_back_claim": ApiRoute(
        FINANCE,
        lambda c, r: _claim(c, "claim_id") + "/request-changes",
        "POST",
        {"comment": "Add the attendee list."},
    ),
}
_BUDGETS = {
    "list_budgets": ApiRoute(VENDOR, "/api/v1/budgets"),
    "get_budget": ApiRoute(VENDOR, lambda c, r: f"/api/v1/budgets/{mdf(c).budget_id}"),
    "create_budget": ApiRoute(
        FINANCE,
        "/api/v1/budgets",
        "POST",
        {
            "name": "FY27 H1",
            "period_start": "2027-01-01",
            "period_end": "2027-06-30",
            "amount": "1000.00",
            "currency": "EUR",
        },
    ),
    "allocate": ApiRoute(
        FINANCE,
        lambda c, r: f"/api/v1/budgets/{mdf(c).budget_id}/allocations",
        "POST",
        lambda c: {"partner_id": c.world.partner_a.id, "amount": "10.00"},
    ),
    "adjust_allocation": ApiRoute(
        FINANCE,
        lambda c, r: f"/api/v1/allocations/{mdf(c).allocation_id}/adjust",
        "POST",
        {"amount": "20000.00"},
    ),
    "move_allocation": ApiRoute(
        FINANCE,
        lambda c, r: f"/api/v1/allocations/{mdf(c).allocation_id}/move",
        "POST",
        lambda c: {"to_partner_id": c.world.partner_b.id, "amount": "1.00"},
    ),
}
_CONTACTS = {
    "list_contacts": ApiRoute(PARTNERS, "/api/v1/contacts"),
    "create_contact": ApiRoute(
        PARTNERS,
        "/api/v1/contacts",
        "POST",
        {"email": "new@matrix.example", "consent_basis": "consent", "consent_date": "2026-01-02"},
    ),
    "get_contact": ApiRoute(PARTNER_A, lambda c, r: f"/api/v1/contacts/{mail(c).contact_id}"),
    "update_contact": ApiRoute(
        PARTNER_A,
        lambda c, r: f"/api/v1/contacts/{mail(c).contact_id}",
        "PATCH",
        {"company": "Acme Schools Trust"},
    ),
    "erase_contact": ApiRoute(
        PARTNER_A, lambda c, r: f"/api/v1/contacts/{matrix_contact(c)}", "DELETE"
    ),
    "list_lists": ApiRoute(PARTNERS, "/api/v1/contact-lists"),
    "create_list": ApiRoute(PARTNERS, "/api/v1/contact-lists", "POST", {"name": "Matrix list"}),
    "add_members": ApiRoute(
        PARTNER_A,
        lambda c, r: f"/api/v1/contact-lists/{mail(c).list_id}/members",
        "POST",
        lambda c: {"contact_ids": [mail(c).contact_id]},
    ),
    "remove_member": ApiRoute(
        PARTNER_A,
        lambda c, r: f"/api/v1/contact-lists/{mail(c).list_id}/members/{mail(c).contact_id}",
        "DELETE",
    ),
    "list_suppressions": ApiRoute(SUPPRESSORS, "/api/v1/suppressions"),
    "add_suppression": ApiRoute(
        SUPPRESSORS, "/api/v1/suppressions", "POST", {"email": "gone@matrix.example"}
    ),
}


def _mailing(ctx: Any, role: str) -> str:
    return f"/api/v1/mailings/{mail(ctx).mailing_id}"


_MAILINGS = {
    "list_mailings": ApiRoute(PARTNERS, "/api/v1/mailings"),
    "create_mailing": ApiRoute(
        PARTNER_A,
        "/api/v1/mailings",
        "POST",
        lambda c: {
            "campaign_id": mail(c).campaign_id,
            "asset_key": "invite-email",
            "name": "Matrix mailing",
            "list_ids": [mail(c).list_id],
        },
    ),
    "get_mailing": ApiRoute(PARTNER_A, _mailing),
    "schedule_mailing": ApiRoute(
        PARTNER_A,
        lambda c, r: _mailing(c, r) + "/schedule",
        "POST",
        {"send_on": "2099-01-01", "send_at": "09:30", "time_zone": "Europe/London"},
    ),
    "send_mailing": ApiRoute(PARTNER_A, lambda c, r: _mailing(c, r) + "/send", "POST"),
    "cancel_mailing": ApiRoute(PARTNER_A, lambda c, r: _mailing(c, r) + "/cancel", "POST"),
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
    **{f"api_mdf_actions.{name}": route for name, route in _MDF_ACTIONS.items()},
    **{f"api_budgets.{name}": route for name, route in _BUDGETS.items()},
    **{f"api_contacts.{name}": route for name, route in _CONTACTS.items()},
    **{f"api_mailings.{name}": route for name, route in _MAILINGS.items()},
    "api_campaigns.update_campaign": ApiRoute(
        PARTNER_A, _campaign, "PATCH", {"name": "Renamed through the API"}
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

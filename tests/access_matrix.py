"""What every role may do on every route: the access matrix test checks each entry.

Every endpoint in app.url_map must be declared here, so a new route without a declared
expectation per role fails the suite. Objects in URLs belong to partner A ("Brightpath IT");
b_user is a user of another partner and must get 404 on them, as if they did not exist.

Codes: OK = allowed (any 2xx/3xx/400 that is not a sign-in redirect; never 500),
LOGIN = redirected to sign in, 403 = forbidden, 404 = not found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.api.support import matrix_token_id
from tests.campaigns.support import matrix_objects as cobrand
from tests.jobs.support import matrix_job as job
from tests.kits.support import matrix_kit as kit
from tests.mailings.support import matrix_objects as mail
from tests.mdf.support import matrix_objects as mdf
from tests.pipeline.support import matrix_objects as pipe
from tests.webhooks.support import matrix_endpoint as hook

OK = "ok"
LOGIN = "login"

ROLES = ("anon", "admin", "marketer", "finance", "a_admin", "a_user", "b_user")


def expect(
    anon: Any = LOGIN,
    admin: Any = OK,
    marketer: Any = OK,
    finance: Any = OK,
    a_admin: Any = OK,
    a_user: Any = OK,
    b_user: Any = OK,
) -> dict[str, Any]:
    return {
        "anon": anon,
        "admin": admin,
        "marketer": marketer,
        "finance": finance,
        "a_admin": a_admin,
        "a_user": a_user,
        "b_user": b_user,
    }


PUBLIC = expect(anon=OK)
SIGNED_IN = expect()
VENDOR_ONLY = expect(a_admin=403, a_user=403, b_user=403)
ADMIN_ONLY = expect(marketer=403, finance=403, a_admin=403, a_user=403, b_user=403)
MARKETING = expect(finance=403, a_admin=403, a_user=403, b_user=403)
FINANCE_ONLY = expect(admin=OK, marketer=403, a_admin=403, a_user=403, b_user=403)
PARTNER_ONLY = expect(admin=403, marketer=403, finance=403)
# A partner-A object: vendor roles and partner A see it; partner B gets 404.
PARTNER_A_OBJECT = expect(b_user=404)
PARTNER_A_OBJECT_PARTNERS_ONLY = expect(admin=403, marketer=403, finance=403, b_user=404)
USER_MANAGERS = expect(marketer=403, finance=403, a_user=403, b_user=403)
HOOK_A = expect(admin=404, marketer=403, finance=403, a_user=403, b_user=403)
# Leads hold personal data: partners and the vendor's admins and marketers, not finance.
LEAD_READERS = expect(finance=403)
LEAD_A = expect(finance=403, b_user=404)
# A job record is its owner's (partner A's ben); vendor admins see every one; others get 404.
OWN_JOB = expect(marketer=404, finance=404, a_admin=404, b_user=404)
# Vendor oversight of a partner's campaign (pause or end a page), never finance.
OVERSIGHT = expect(finance=403, b_user=404)


@dataclass
class Route:
    """How to call one endpoint and what each role should get."""

    expect: dict[str, Any]
    url: Callable[[Any], str] | str
    method: str = "GET"
    data: dict[str, Any] = field(default_factory=dict)


# ctx has: world, app, and make(...) helpers from the access matrix test (see test file).
ROUTES: dict[str, Route] = {
    # foundation
    "home.root": Route(PUBLIC, "/"),
    "home.index": Route(SIGNED_IN, "/home"),
    "home.healthz": Route(PUBLIC, "/healthz"),
    "auth.login": Route(PUBLIC, "/login"),
    "auth.logout": Route(expect(anon=OK), "/logout", "POST"),
    "auth.forgot_password": Route(PUBLIC, "/password/forgot"),
    "auth.reset_password": Route(PUBLIC, lambda c: f"/password/reset/{c.reset_token}"),
    "auth.accept_invitation": Route(PUBLIC, lambda c: f"/invitations/{c.invitation_token}"),
    "storage.download": Route(PUBLIC, lambda c: c.download_url),
    "partners.partners": Route(VENDOR_ONLY, "/admin/partners"),
    "partners.new_partner": Route(ADMIN_ONLY, "/admin/partners/new"),
    "partners.partner": Route(VENDOR_ONLY, lambda c: f"/admin/partners/{c.world.partner_a.id}"),
    "partners.edit_partner": Route(
        ADMIN_ONLY, lambda c: f"/admin/partners/{c.world.partner_a.id}/edit"
    ),
    "partners.partner_status": Route(
        ADMIN_ONLY, lambda c: f"/admin/partners/{c.world.partner_a.id}/status", "POST"
    ),
    "partners.tiers": Route(ADMIN_ONLY, "/admin/tiers"),
    "partners.edit_tier": Route(
        ADMIN_ONLY, lambda c: f"/admin/tiers/{c.world.tiers['gold'].id}/edit"
    ),
    # API tokens pages (a_user's token: nobody else manages it), the API reference and spec
    "api_tokens.index": Route(SIGNED_IN, "/account/tokens/"),
    "api_tokens.revoke": Route(
        expect(admin=404, marketer=404, finance=404, a_admin=404, b_user=404),
        lambda c: f"/account/tokens/{matrix_token_id(c)}/revoke",
    ),
    "api_docs_page.docs": Route(PUBLIC, "/api/v1/docs"),
    "api-docs.openapi_json": Route(PUBLIC, "/api/v1/openapi.json"),
    # webhooks: admins manage vendor-wide endpoints, partner admins their company's (partner
    # A's endpoint here: the vendor admin and other companies get 404)
    "webhooks.index": Route(USER_MANAGERS, "/webhooks/"),
    "webhooks.endpoint": Route(HOOK_A, lambda c: f"/webhooks/{hook(c).endpoint_id}"),
    "webhooks.rotate": Route(HOOK_A, lambda c: f"/webhooks/{hook(c).endpoint_id}/rotate"),
    "webhooks.set_status": Route(
        HOOK_A, lambda c: f"/webhooks/{hook(c).endpoint_id}/status", "POST", {"status": "active"}
    ),
    "webhooks.delivery": Route(
        HOOK_A,
        lambda c: f"/webhooks/{hook(c).endpoint_id}/deliveries/{hook(c).delivery_id}",
    ),
    "webhooks.redeliver": Route(
        HOOK_A,
        lambda c: f"/webhooks/{hook(c).endpoint_id}/deliveries/{hook(c).delivery_id}/redeliver",
        "POST",
    ),
    "users.index": Route(USER_MANAGERS, "/users/"),
    "users.invite": Route(USER_MANAGERS, "/users/invite"),
    # a_user's account: partner A's admin may manage it, partner B's admin may not (404).
    "users.status": Route(
        expect(marketer=403, finance=403, a_user=403, b_user=403),
        lambda c: f"/users/{c.world.users['a_user'].id}/status",
        "POST",
    ),
    "users.resend": Route(
        expect(marketer=403, finance=403, a_user=403, b_user=403),
        lambda c: f"/users/{c.world.users['a_user'].id}/resend",
        "POST",
    ),
    # co-branding and campaigns (partner A's brand, campaign and field image; a kit for all tiers)
    "brand.edit": Route(PARTNER_ONLY, "/brand"),
    "brand.logo": Route(PUBLIC, lambda c: cobrand(c).logo_path),
    "campaigns.index": Route(SIGNED_IN, "/campaigns/"),
    "campaigns.new": Route(PARTNER_ONLY, lambda c: f"/campaigns/new?kit={cobrand(c).kit_id}"),
    "campaigns.new_preview": Route(
        PARTNER_ONLY, lambda c: f"/campaigns/new/preview/invite-email?kit={cobrand(c).kit_id}"
    ),
    "campaigns.detail": Route(PARTNER_A_OBJECT, lambda c: f"/campaigns/{cobrand(c).campaign_id}"),
    "campaigns.edit": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/campaigns/{cobrand(c).campaign_id}/edit"
    ),
    "campaigns.preview": Route(
        PARTNER_A_OBJECT, lambda c: f"/campaigns/{cobrand(c).campaign_id}/preview/invite-email"
    ),
    "campaigns.download": Route(
        PARTNER_A_OBJECT, lambda c: f"/campaigns/{cobrand(c).campaign_id}/assets/invite-email.txt"
    ),
    "campaigns.bundle": Route(
        PARTNER_A_OBJECT, lambda c: f"/campaigns/{cobrand(c).campaign_id}/assets.zip"
    ),
    "campaigns.make_bundle": Route(
        PARTNER_A_OBJECT, lambda c: f"/campaigns/{cobrand(c).campaign_id}/assets.zip", "POST"
    ),
    "kit_media.file": Route(PUBLIC, lambda c: f"{cobrand(c).media_path}hero.png"),
    "kit_media.field_image": Route(PUBLIC, lambda c: f"/campaign-images/{cobrand(c).image_name}"),
    # kits: a kit for gold partners in EMEA, so partner B (platinum, NA) gets 404 in the catalog
    "kits.manage": Route(MARKETING, "/kits/"),
    "kits.new_kit": Route(MARKETING, "/kits/new"),
    "kits.upload": Route(MARKETING, "/kits/upload"),
    "kits.kit": Route(MARKETING, lambda c: f"/kits/{kit(c).kit_id}"),
    "kits.edit_kit": Route(MARKETING, lambda c: f"/kits/{kit(c).kit_id}/edit"),
    "kits.publish": Route(MARKETING, lambda c: f"/kits/{kit(c).kit_id}/publish", "POST"),
    "kits.set_status": Route(MARKETING, lambda c: f"/kits/{kit(c).kit_id}/status", "POST"),
    "kits.discard_draft": Route(MARKETING, lambda c: f"/kits/{kit(c).kit_id}/discard", "POST"),
    "kits.download": Route(
        MARKETING, lambda c: f"/kits/{kit(c).kit_id}/versions/{kit(c).version_id}/download"
    ),
    "kit_content.new_asset": Route(MARKETING, lambda c: f"/kits/{kit(c).kit_id}/assets/new"),
    "kit_content.edit_asset": Route(
        MARKETING, lambda c: f"/kits/{kit(c).kit_id}/assets/banner/edit"
    ),
    "kit_content.delete_asset": Route(
        MARKETING, lambda c: f"/kits/{kit(c).kit_id}/assets/banner/delete", "POST"
    ),
    "kit_content.new_field": Route(MARKETING, lambda c: f"/kits/{kit(c).kit_id}/fields/new"),
    "kit_content.edit_field": Route(
        MARKETING, lambda c: f"/kits/{kit(c).kit_id}/fields/headline/edit"
    ),
    "kit_content.delete_field": Route(
        MARKETING, lambda c: f"/kits/{kit(c).kit_id}/fields/headline/delete", "POST"
    ),
    "kit_content.upload_file": Route(MARKETING, lambda c: f"/kits/{kit(c).kit_id}/files", "POST"),
    "kit_content.delete_file": Route(
        MARKETING, lambda c: f"/kits/{kit(c).kit_id}/files/delete", "POST"
    ),
    "kit_content.asset_preview": Route(
        MARKETING,
        lambda c: f"/kits/{kit(c).kit_id}/versions/{kit(c).version_id}/assets/banner/preview.png",
    ),
    "kit_content.asset_preview_html": Route(
        MARKETING,
        lambda c: f"/kits/{kit(c).kit_id}/versions/{kit(c).version_id}/assets/invite/preview.html",
    ),
    "kit_content.version_media": Route(
        MARKETING, lambda c: f"/kits/{kit(c).kit_id}/versions/{kit(c).version_id}/media/logo.png"
    ),
    # Vendor staff may browse the catalog to see what partners see.
    "catalog.index": Route(SIGNED_IN, "/catalog/"),
    "catalog.kit": Route(PARTNER_A_OBJECT, lambda c: f"/catalog/kits/{kit(c).kit_id}"),
    "catalog.asset_preview": Route(
        PARTNER_A_OBJECT, lambda c: f"/catalog/kits/{kit(c).kit_id}/assets/banner/preview.png"
    ),
    # launch, landing pages and pipeline (partner A's live campaign, lead and opportunity)
    "landing.page": Route(PUBLIC, lambda c: f"/l/{pipe(c).code}"),
    "landing.submit": Route(PUBLIC, lambda c: f"/l/{pipe(c).code}", "POST"),
    "landing.thanks": Route(PUBLIC, lambda c: f"/l/{pipe(c).code}/thanks"),
    "launch.launch": Route(PARTNER_A_OBJECT, lambda c: f"/campaigns/{pipe(c).campaign_id}/launch"),
    "launch.pause": Route(OVERSIGHT, lambda c: f"/campaigns/{pipe(c).campaign_id}/pause", "POST"),
    "launch.resume": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/campaigns/{pipe(c).campaign_id}/resume", "POST"
    ),
    "launch.end": Route(OVERSIGHT, lambda c: f"/campaigns/{pipe(c).campaign_id}/end", "POST"),
    "pipeline.leads": Route(LEAD_READERS, "/pipeline/leads"),
    "pipeline.export_leads": Route(LEAD_READERS, "/pipeline/leads.csv"),
    "pipeline.lead": Route(LEAD_A, lambda c: f"/pipeline/leads/{pipe(c).lead_id}"),
    "pipeline.update_lead": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/pipeline/leads/{pipe(c).lead_id}", "POST"
    ),
    "pipeline.convert_lead": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/pipeline/leads/{pipe(c).lead_id}/convert"
    ),
    "pipeline.erase_lead": Route(
        expect(marketer=403, finance=403, b_user=404),
        lambda c: f"/pipeline/leads/{pipe(c).lead_id}/erase",
        "POST",
    ),
    "pipeline.opportunities": Route(LEAD_READERS, "/pipeline/opportunities"),
    "pipeline.export_opportunities": Route(LEAD_READERS, "/pipeline/opportunities.csv"),
    "pipeline.new_opportunity": Route(PARTNER_ONLY, "/pipeline/opportunities/new"),
    "pipeline.opportunity": Route(
        LEAD_A, lambda c: f"/pipeline/opportunities/{pipe(c).opportunity_id}"
    ),
    "pipeline.update_opportunity": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY,
        lambda c: f"/pipeline/opportunities/{pipe(c).opportunity_id}",
        "POST",
    ),
    "pipeline.import_csv": Route(PARTNER_ONLY, "/pipeline/import"),
    "pipeline.confirm_import": Route(PARTNER_ONLY, "/pipeline/import/confirm", "POST"),
    "pipeline.campaign": Route(
        PARTNER_A_OBJECT, lambda c: f"/pipeline/campaigns/{pipe(c).campaign_id}"
    ),
    "pipeline.overview": Route(SIGNED_IN, "/pipeline/overview"),
    # reports: every role has a dashboard (its own numbers for partners); the kit page is
    # for marketing; partner-only tables answer 404 to vendor staff and vice versa.
    "reports.dashboard": Route(SIGNED_IN, "/reports/"),
    "reports.kits": Route(MARKETING, "/reports/kits"),
    "reports.export_csv": Route(SIGNED_IN, "/reports/export/summary.csv"),
    "reports.export_pdf": Route(VENDOR_ONLY, "/reports/dashboard.pdf"),
    # MDF: partner A's budget allocation, requests (draft, submitted, approved) and claims;
    # finance runs budgets, claims and payments, marketing decides requests.
    "mdf.index": Route(SIGNED_IN, "/mdf/"),
    "mdf.budgets.index": Route(VENDOR_ONLY, "/mdf/budgets"),
    "mdf.budgets.new": Route(FINANCE_ONLY, "/mdf/budgets/new"),
    "mdf.budgets.show": Route(VENDOR_ONLY, lambda c: f"/mdf/budgets/{mdf(c).budget_id}"),
    "mdf.budgets.edit": Route(FINANCE_ONLY, lambda c: f"/mdf/budgets/{mdf(c).budget_id}/edit"),
    "mdf.budgets.allocate": Route(
        FINANCE_ONLY, lambda c: f"/mdf/budgets/{mdf(c).budget_id}/allocate", "POST"
    ),
    "mdf.budgets.bulk": Route(FINANCE_ONLY, lambda c: f"/mdf/budgets/{mdf(c).budget_id}/bulk"),
    "mdf.budgets.allocation": Route(
        PARTNER_A_OBJECT, lambda c: f"/mdf/allocations/{mdf(c).allocation_id}"
    ),
    "mdf.budgets.adjust": Route(
        FINANCE_ONLY, lambda c: f"/mdf/allocations/{mdf(c).allocation_id}/adjust", "POST"
    ),
    "mdf.budgets.move": Route(
        FINANCE_ONLY, lambda c: f"/mdf/allocations/{mdf(c).allocation_id}/move", "POST"
    ),
    "mdf.budgets.settings": Route(FINANCE_ONLY, "/mdf/settings"),
    "mdf.requests.index": Route(SIGNED_IN, "/mdf/requests"),
    "mdf.requests.new": Route(PARTNER_ONLY, "/mdf/requests/new"),
    "mdf.requests.show": Route(PARTNER_A_OBJECT, lambda c: f"/mdf/requests/{mdf(c).submitted_id}"),
    "mdf.requests.edit": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mdf/requests/{mdf(c).draft_id}/edit"
    ),
    "mdf.requests.submit": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mdf/requests/{mdf(c).draft_id}/submit", "POST"
    ),
    "mdf.requests.withdraw": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY,
        lambda c: f"/mdf/requests/{mdf(c).submitted_id}/withdraw",
        "POST",
    ),
    "mdf.requests.cancel": Route(
        expect(finance=403, b_user=404),
        lambda c: f"/mdf/requests/{mdf(c).approved_id}/cancel",
        "POST",
    ),
    "mdf.requests.approve": Route(
        MARKETING, lambda c: f"/mdf/requests/{mdf(c).submitted_id}/approve", "POST"
    ),
    "mdf.requests.reject": Route(
        MARKETING, lambda c: f"/mdf/requests/{mdf(c).submitted_id}/reject", "POST"
    ),
    "mdf.requests.changes": Route(
        MARKETING, lambda c: f"/mdf/requests/{mdf(c).submitted_id}/changes", "POST"
    ),
    "mdf.claims.index": Route(SIGNED_IN, "/mdf/claims"),
    "mdf.claims.new": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mdf/requests/{mdf(c).approved_id}/claims/new"
    ),
    "mdf.claims.show": Route(PARTNER_A_OBJECT, lambda c: f"/mdf/claims/{mdf(c).claim_id}"),
    "mdf.claims.edit": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mdf/claims/{mdf(c).draft_claim_id}/edit"
    ),
    "mdf.claims.upload": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY,
        lambda c: f"/mdf/claims/{mdf(c).draft_claim_id}/proofs",
        "POST",
    ),
    "mdf.claims.submit": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY,
        lambda c: f"/mdf/claims/{mdf(c).draft_claim_id}/submit",
        "POST",
    ),
    "mdf.claims.withdraw": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mdf/claims/{mdf(c).claim_id}/withdraw", "POST"
    ),
    "mdf.claims.proof": Route(PARTNER_A_OBJECT, lambda c: f"/mdf/proofs/{mdf(c).proof_id}"),
    "mdf.claims.delete_proof": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mdf/proofs/{mdf(c).proof_id}/delete", "POST"
    ),
    "mdf.claims.approve": Route(
        FINANCE_ONLY, lambda c: f"/mdf/claims/{mdf(c).claim_id}/approve", "POST"
    ),
    "mdf.claims.reject": Route(
        FINANCE_ONLY, lambda c: f"/mdf/claims/{mdf(c).claim_id}/reject", "POST"
    ),
    "mdf.claims.send_back": Route(
        FINANCE_ONLY, lambda c: f"/mdf/claims/{mdf(c).claim_id}/send-back", "POST"
    ),
    "mdf.payments.record": Route(FINANCE_ONLY, lambda c: f"/mdf/claims/{mdf(c).claim_id}/pay"),
    "mdf.payments.index": Route(FINANCE_ONLY, "/mdf/payments"),
    "mdf.payments.export": Route(FINANCE_ONLY, "/mdf/payments.csv"),
    # jobs: records of user-started work, their progress and files; failed ones for admins
    "jobs.index": Route(SIGNED_IN, "/exports"),
    "jobs.show": Route(OWN_JOB, lambda c: f"/jobs/{job(c).job_record_id}"),
    "jobs.status": Route(OWN_JOB, lambda c: f"/jobs/{job(c).job_record_id}/status.json"),
    "jobs.download": Route(OWN_JOB, lambda c: f"/jobs/{job(c).job_record_id}/download"),
    "jobs.start_export": Route(LEAD_READERS, "/exports/leads", "POST", {"format": "hubspot"}),
    "jobs.failed": Route(ADMIN_ONLY, "/jobs/failed"),
    "jobs.retry": Route(ADMIN_ONLY, lambda c: f"/jobs/{job(c).job_record_id}/retry", "POST"),
    # contacts and mailings: partner A's own audience; the vendor sees none of it (403),
    # partner B gets 404; the unsubscribe link is public (a test message's inert token here)
    "contacts.index": Route(PARTNER_ONLY, "/contacts/"),
    "contacts.new_contact": Route(PARTNER_ONLY, "/contacts/new"),
    "contacts.edit_contact": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/contacts/{mail(c).contact_id}"
    ),
    "contacts.erase_contact": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/contacts/{mail(c).contact_id}/erase", "POST"
    ),
    "contacts.create_list": Route(PARTNER_ONLY, "/contacts/lists", "POST", {"name": "Matrix"}),
    "contacts.import_csv": Route(PARTNER_ONLY, "/contacts/import"),
    "contacts.confirm_import": Route(PARTNER_ONLY, "/contacts/import/confirm", "POST"),
    "contacts.export_csv": Route(PARTNER_ONLY, "/contacts/export.csv"),
    "mailings.index": Route(PARTNER_ONLY, "/mailings/"),
    "mailings.new": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mailings/new?campaign={mail(c).campaign_id}"
    ),
    "mailings.detail": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mailings/{mail(c).mailing_id}"
    ),
    "mailings.preview": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mailings/{mail(c).mailing_id}/preview"
    ),
    "mailings.send_test": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mailings/{mail(c).mailing_id}/test", "POST"
    ),
    "mailings.send_now": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mailings/{mail(c).mailing_id}/send", "POST"
    ),
    "mailings.schedule": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY,
        lambda c: f"/mailings/{mail(c).mailing_id}/schedule",
        "POST",
    ),
    "mailings.cancel": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mailings/{mail(c).mailing_id}/cancel", "POST"
    ),
    "mailings.do_not_contact": Route(ADMIN_ONLY, "/mailings/do-not-contact"),
    "mailings.edit": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY, lambda c: f"/mailings/{mail(c).mailing_id}/edit"
    ),
    # the approval queue: the vendor's marketers and admins; settings: admins
    "mailings.approvals": Route(MARKETING, "/mailings/approvals"),
    "mailings.review": Route(MARKETING, lambda c: f"/mailings/approvals/{mail(c).waiting_id}"),
    "mailings.review_preview": Route(
        MARKETING, lambda c: f"/mailings/approvals/{mail(c).waiting_id}/preview"
    ),
    "mailings.approve": Route(
        MARKETING, lambda c: f"/mailings/approvals/{mail(c).waiting_id}/approve", "POST"
    ),
    "mailings.reject": Route(
        MARKETING,
        lambda c: f"/mailings/approvals/{mail(c).waiting_id}/reject",
        "POST",
        {"reason": "Matrix"},
    ),
    "mailings.settings": Route(ADMIN_ONLY, "/mailings/settings"),
    "opens.pixel": Route(PUBLIC, "/o/not-a-token"),
    # the ESP's signed events: without TCMA_MAIL_EVENTS_SECRET (as here) the endpoint is off
    "mail_events.receive": Route(
        expect(anon=404, admin=404, marketer=404, finance=404, a_admin=404, a_user=404, b_user=404),
        "/mail/events",
        "POST",
    ),
    "share.go": Route(
        PARTNER_A_OBJECT_PARTNERS_ONLY,
        lambda c: f"/campaigns/{pipe(c).campaign_id}/share/linkedin/social-posts",
    ),
    "unsubscribe.page": Route(PUBLIC, lambda c: f"/u/{mail(c).token}"),
    "unsubscribe.confirm": Route(PUBLIC, lambda c: f"/u/{mail(c).token}", "POST"),
    "track.click": Route(PUBLIC, lambda c: f"/c/{mail(c).click}"),
}

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
}

"""Who may do what: every capability is named once here, as a role set and the decorator
its views use. Views import these; the access-matrix test reads each decorator's
``allowed_roles`` to check every route for every role, and the API's scope checks take the
same role sets.
"""

from __future__ import annotations

from tcma.accounts.access import roles_required
from tcma.accounts.rules import (
    ADMIN,
    ALL_ROLES,
    FINANCE,
    MARKETER,
    PARTNER_ADMIN,
    PARTNER_ROLES,
    VENDOR_ROLES,
)

#: Money decisions: claim approval, payments, budgets and allocations.
FINANCE_ROLES = (ADMIN, FINANCE)
#: The program's content: kits, fund-request review, kit reports.
MARKETING_ROLES = (ADMIN, MARKETER)
#: Leads hold personal data: the owning partner and the vendor's admins and marketers see
#: them; finance works with the aggregates (pipeline pages), which hold none.
LEAD_READER_ROLES = (*PARTNER_ROLES, ADMIN, MARKETER)
#: Erasure requests reach the partner or the vendor; either may carry them out.
LEAD_ERASER_ROLES = (*PARTNER_ROLES, ADMIN)
#: A partner's own campaigns and fund requests, which the vendor's marketing oversees
#: (a marketer or admin can take a partner's page down or review a request, not launch it).
PARTNER_WORK_ROLES = (*PARTNER_ROLES, *MARKETING_ROLES)
#: The admins of a company (the vendor's or a partner's): its people and its webhooks.
COMPANY_ADMIN_ROLES = (ADMIN, PARTNER_ADMIN)

signed_in = roles_required(*ALL_ROLES)
vendor_staff = roles_required(*VENDOR_ROLES)
partner_users = roles_required(*PARTNER_ROLES)
admins = roles_required(ADMIN)
company_admins = roles_required(*COMPANY_ADMIN_ROLES)
finance_staff = roles_required(*FINANCE_ROLES)
marketing_staff = roles_required(*MARKETING_ROLES)
lead_readers = roles_required(*LEAD_READER_ROLES)
lead_erasers = roles_required(*LEAD_ERASER_ROLES)
partner_work = roles_required(*PARTNER_WORK_ROLES)

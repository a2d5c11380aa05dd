"""Helpers the mailing pages share: who may do what, tenant-scoped loading, form errors."""

from __future__ import annotations

from flask_login import current_user

from tcma import db
from tcma.accounts.access import get_scoped_or_404
from tcma.mailings.models import Contact, ContactList, Mailing


def contact_or_404(contact_id: int) -> Contact:
    """One of the signed-in partner's contacts (another partner's is 404)."""
    return get_scoped_or_404(db.session(), Contact, contact_id)


def list_or_404(list_id: int) -> ContactList:
    """One of the signed-in partner's lists."""
    return get_scoped_or_404(db.session(), ContactList, list_id)


def mailing_or_404(mailing_id: int) -> Mailing:
    """One of the signed-in partner's mailings."""
    return get_scoped_or_404(db.session(), Mailing, mailing_id)


def partner_id() -> int:
    """The signed-in partner user's company."""
    return int(current_user.partner_id)

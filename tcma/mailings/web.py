"""Helpers the mailing pages share: who may do what, tenant-scoped loading, form errors."""

from __future__ import annotations

from flask import flash
from flask_login import current_user
from wtforms import Form

from tcma import db
from tcma.accounts import rules as account_rules
from tcma.accounts.access import get_scoped_or_404, roles_required
from tcma.mailings.models import Contact, ContactList, Mailing
from tcma.mailings.rules import MailingError

# Contacts are a partner's own audience: only its people work with them (404 for others).
partner_only = roles_required(*account_rules.PARTNER_ROLES)
# The program-wide do-not-contact list is the vendor admin's.
admin_only = roles_required(account_rules.ADMIN)


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


def show_error(form: Form, exc: MailingError) -> None:
    """Put a rule's message next to its input, or at the top of the page."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")

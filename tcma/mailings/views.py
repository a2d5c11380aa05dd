"""The mailings area's blueprints: contacts and mailings (every URL in one table each)."""

from __future__ import annotations

from flask import Blueprint

from tcma.mailings import contact_views, mailing_views, review_views, suppression_views

contacts_bp = Blueprint("contacts", __name__, url_prefix="/contacts")
bp = Blueprint("mailings", __name__, url_prefix="/mailings")

_CONTACT_ROUTES = (
    ("/", contact_views.index, ["GET"]),
    ("/new", contact_views.new_contact, ["GET", "POST"]),
    ("/<int:contact_id>", contact_views.edit_contact, ["GET", "POST"]),
    ("/<int:contact_id>/erase", contact_views.erase_contact, ["POST"]),
    ("/lists", contact_views.create_list, ["POST"]),
    ("/import", contact_views.import_csv, ["GET", "POST"]),
    ("/import/confirm", contact_views.confirm_import, ["POST"]),
    ("/export.csv", contact_views.export_csv, ["GET"]),
)
_MAILING_ROUTES = (
    ("/", mailing_views.index, ["GET"]),
    ("/new", mailing_views.new, ["GET", "POST"]),
    ("/<int:mailing_id>", mailing_views.detail, ["GET"]),
    ("/<int:mailing_id>/edit", mailing_views.edit, ["GET", "POST"]),
    ("/<int:mailing_id>/preview", mailing_views.preview, ["GET"]),
    ("/<int:mailing_id>/test", mailing_views.send_test, ["POST"]),
    ("/<int:mailing_id>/send", mailing_views.send_now, ["POST"]),
    ("/<int:mailing_id>/schedule", mailing_views.schedule, ["POST"]),
    ("/<int:mailing_id>/cancel", mailing_views.cancel, ["POST"]),
    ("/do-not-contact", suppression_views.do_not_contact, ["GET", "POST"]),
    ("/approvals", review_views.approvals, ["GET"]),
    ("/approvals/<int:mailing_id>", review_views.review, ["GET"]),
    ("/approvals/<int:mailing_id>/preview", review_views.review_preview, ["GET"]),
    ("/approvals/<int:mailing_id>/approve", review_views.approve, ["POST"]),
    ("/approvals/<int:mailing_id>/reject", review_views.reject, ["POST"]),
    ("/settings", review_views.settings, ["GET", "POST"]),
)

for rule, view, methods in _CONTACT_ROUTES:
    contacts_bp.add_url_rule(rule, view_func=view, methods=methods)
for rule, view, methods in _MAILING_ROUTES:
    bp.add_url_rule(rule, view_func=view, methods=methods)

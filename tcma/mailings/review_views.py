"""Vendor pages of mailings: the approval queue (marketers), a review, the settings (admins).

A marketer sees a mailing only while it waits for approval or after it was reviewed, and
then only what approving needs: partner, campaign, list names, recipient count and the
message as a neutral recipient sees it (no contact's data).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tcma import db
from tcma.forms import show_error
from tcma.mailings import approval, contacts, mailing_views, rules, services, tasks
from tcma.mailings.forms import ApproveForm, MailingSettingsForm, RejectForm
from tcma.mailings.models import Mailing
from tcma.mailings.rules import MailingError
from tcma.pagination import keyset
from tcma.permissions import admins, marketing_staff


def _reviewable_or_404(mailing_id: int) -> Mailing:
    mailing = db.session().get(Mailing, mailing_id)
    if mailing is None or (
        mailing.status != rules.AWAITING_APPROVAL and mailing.reviewed_at is None
    ):
        abort(404)
    return mailing


@marketing_staff
def approvals() -> str:
    """The mailings waiting for approval, a page at a time."""
    session = db.session()
    page = keyset(
        session,
        approval.queue_statement(),
        (Mailing.created_at, Mailing.id),
        request.args.get("cursor"),
    )
    counts = {m.id: services.recipient_count(session, m) for m in page.items}
    return render_template(
        "mailings/approvals.html",
        page=page,
        counts=counts,
        threshold=approval.get_settings(session).approval_threshold,
    )


def _review_page(mailing: Mailing, reject_form: RejectForm) -> str:
    session = db.session()
    lists = {item.id: item.name for item in contacts.lists_of(session, mailing.partner_id)}
    return render_template(
        "mailings/review.html",
        mailing=mailing,
        recipients=services.recipient_count(session, mailing),
        list_names=[lists[i] for i in mailing.list_ids or [] if i in lists],
        sender=services.sender_of(session, mailing),
        approve_form=ApproveForm(formdata=None),
        reject_form=reject_form,
    )


@marketing_staff
def review(mailing_id: int) -> str:
    """One mailing to approve or reject, with its preview and recipient count."""
    return _review_page(_reviewable_or_404(mailing_id), RejectForm(formdata=None))


@marketing_staff
def review_preview(mailing_id: int) -> Response:
    """The message as a recipient without merge values sees it."""
    return mailing_views.preview_response(_reviewable_or_404(mailing_id), None)


@marketing_staff
def approve(mailing_id: int) -> Response:
    """Approve: the mailing is sent now or at the partner's chosen time."""
    mailing = _reviewable_or_404(mailing_id)
    if not ApproveForm().validate_on_submit():
        abort(400)
    session = db.session()
    try:
        recipients = services.recipient_count(session, mailing)
        approval.approve(session, current_user.id, mailing, recipients)
    except MailingError as exc:
        flash(exc.message, "error")
        return redirect(url_for("mailings.review", mailing_id=mailing.id))
    tasks.queue_start(session, mailing)
    flash(f"Approved: “{mailing.name}” goes to {recipients:,} recipients.", "success")
    return redirect(url_for("mailings.approvals"))


@marketing_staff
def reject(mailing_id: int) -> Response | tuple[str, int]:
    """Send the mailing back to the partner with a reason."""
    mailing = _reviewable_or_404(mailing_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            approval.reject(db.session(), current_user.id, mailing, form.reason.data or "")
        except MailingError as exc:
            show_error(form, exc)
        else:
            flash(f"Rejected: {mailing.campaign.partner.name} sees your reason.", "success")
            return redirect(url_for("mailings.approvals"))
    return _review_page(mailing, form), 400


@admins
def settings() -> str | Response:
    """The vendor's mailing settings: when marketers must approve."""
    session = db.session()
    current = approval.get_settings(session)
    form = MailingSettingsForm(obj=current)
    if form.validate_on_submit():
        try:
            approval.update_settings(session, current_user.id, form.approval_threshold.data)
        except MailingError as exc:
            show_error(form, exc)
        else:
            flash("Mailing settings saved.", "success")
            return redirect(url_for("mailings.settings"))
    return render_template("mailings/settings.html", form=form, settings=current)

"""Mailing pages: start one from a campaign, preview, test, send now or schedule, cancel, report."""

from __future__ import annotations

import secrets

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tcma import db, jobs
from tcma.accounts.access import get_scoped_or_404
from tcma.campaigns.models import Campaign
from tcma.cobrand.render import RenderError
from tcma.forms import show_error
from tcma.mailings import approval, contacts, engagement, rules, services, tasks, web
from tcma.mailings.forms import (
    COMMON_ZONES,
    MailingForm,
    ScheduleForm,
    SendNowForm,
    TestSendForm,
)
from tcma.mailings.message import build_message
from tcma.mailings.models import Contact, ListMember, Mailing
from tcma.mailings.rules import MailingError
from tcma.pagination import keyset
from tcma.permissions import partner_users
from tcma.storage import StorageError, get_storage

# The preview is the partner's own message but holds contact data: no scripts, no forms.
PREVIEW_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data: https: http:; "
    "style-src 'unsafe-inline' 'self'; font-src 'self' data: https:; frame-ancestors 'self'"
)


WAITING_MESSAGE = (
    "This mailing goes to more recipients than the program allows without approval: it now "
    "waits for a channel marketer, who approves it (it is then sent as you chose) or tells "
    "you what to change."
)


@partner_users
def index() -> str:
    """The partner's mailings, newest first, and where to start a new one."""
    session = db.session()
    stmt = select(Mailing).where(Mailing.partner_id == web.partner_id())
    status = request.args.get("status", "")
    if status in rules.MAILING_STATES:
        stmt = stmt.where(Mailing.status == status)
    page = keyset(session, stmt, (Mailing.created_at, Mailing.id), request.args.get("cursor"))
    campaigns = session.execute(
        select(Campaign.id, Campaign.name)
        .where(Campaign.partner_id == web.partner_id())
        .order_by(Campaign.created_at.desc())
    ).all()
    return render_template(
        "mailings/index.html",
        page=page,
        status=status,
        states=rules.MAILING_STATES,
        campaigns=campaigns,
    )


def _mailing_form(campaign: Campaign, mailing: Mailing | None = None) -> MailingForm:
    form = MailingForm(obj=mailing)
    form.asset_key.choices = services.email_assets(campaign)
    form.list_ids.choices = [
        (item.id, item.name) for item in contacts.lists_of(db.session(), campaign.partner_id)
    ]
    if not form.is_submitted() and mailing is None:
        form.name.data = f"{campaign.name} email"
    return form


@partner_users
def new() -> str | Response:
    """A new mailing of one of a campaign's emails to the partner's lists."""
    raw = request.args.get("campaign", "")
    if not raw.isdigit() or len(raw) > 9:
        flash("Choose the campaign whose email you want to send.", "error")
        return redirect(url_for("mailings.index"))
    campaign = get_scoped_or_404(db.session(), Campaign, int(raw))
    form = _mailing_form(campaign)
    if form.validate_on_submit():
        try:
            mailing = services.create_mailing(
                db.session(),
                current_user.id,
                campaign,
                *_chosen(form),
                track_opens=bool(form.track_opens.data),
            )
        except MailingError as exc:
            show_error(form, exc)
        else:
            flash("Mailing saved. Preview it, send yourself a test, then send it.", "success")
            return redirect(url_for("mailings.detail", mailing_id=mailing.id))
    return render_template("mailings/new.html", form=form, campaign=campaign)


def _chosen(form: MailingForm) -> tuple[str, str, list[int], str]:
    """Name, email asset, lists and greeting as the form has them (new mailing or edit)."""
    return (
        form.name.data or "",
        form.asset_key.data,
        form.list_ids.data or [],
        form.greeting.data or "",
    )


@partner_users
def edit(mailing_id: int) -> str | Response:
    """Change a draft or rejected mailing (then preview and send it, or ask again)."""
    mailing = web.mailing_or_404(mailing_id)
    if mailing.status not in rules.EDITABLE_STATES:
        flash("Only a draft or a rejected mailing can be changed.", "error")
        return redirect(url_for("mailings.detail", mailing_id=mailing.id))
    form = _mailing_form(mailing.campaign, mailing)
    if form.validate_on_submit():
        try:
            services.update_mailing(
                db.session(),
                current_user.id,
                mailing,
                *_chosen(form),
                track_opens=bool(form.track_opens.data),
            )
        except MailingError as exc:
            show_error(form, exc)
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("mailings.detail", mailing_id=mailing.id))
    return render_template(
        "mailings/new.html", form=form, campaign=mailing.campaign, mailing=mailing
    )


def _sample_contacts(mailing: Mailing) -> list[Contact]:
    members = select(ListMember.contact_id).where(ListMember.list_id.in_(mailing.list_ids or []))
    stmt = (
        select(Contact)
        .where(Contact.partner_id == mailing.partner_id, Contact.id.in_(members))
        .order_by(Contact.id)
        .limit(50)
    )
    return list(db.session().scalars(stmt))


def _chosen_contact(mailing: Mailing, raw: str | None) -> Contact | None:
    if not raw or not raw.isdigit() or len(raw) > 9:
        return None
    contact = web.contact_or_404(int(raw))  # another partner's contact: 404
    return contact if contact.partner_id == mailing.partner_id else None


@partner_users
def detail(mailing_id: int) -> str:
    """The mailing: its report, the preview as a chosen recipient, and what to do next."""
    session = db.session()
    mailing = web.mailing_or_404(mailing_id)
    samples = _sample_contacts(mailing)
    chosen = _chosen_contact(mailing, request.args.get("contact"))
    if chosen is None and samples:
        chosen = samples[0]
    schedule_form = ScheduleForm(formdata=None)
    schedule_form.time_zone.data = mailing.time_zone if mailing.time_zone in COMMON_ZONES else "UTC"
    lists = {item.id: item.name for item in contacts.lists_of(session, mailing.partner_id)}
    return render_template(
        "mailings/detail.html",
        mailing=mailing,
        report=services.report(session, [mailing.id]),
        recipients=services.recipient_count(session, mailing)
        if mailing.status in (*approval.ASKABLE, rules.AWAITING_APPROVAL)
        else None,
        list_names=[lists[i] for i in mailing.list_ids or [] if i in lists],
        samples=samples,
        chosen=chosen,
        sender=services.sender_of(session, mailing),
        schedule_form=schedule_form,
        send_form=SendNowForm(formdata=None),
        test_form=TestSendForm(formdata=None),
        can_send=mailing.status in approval.ASKABLE,
        can_edit=mailing.status in rules.EDITABLE_STATES,
        email_pipeline=engagement.email_pipeline(session, [mailing.id]),
    )


@partner_users
def preview(mailing_id: int) -> Response:
    """The message as one recipient will see it (sandboxed HTML, or ?part=text)."""
    mailing = web.mailing_or_404(mailing_id)
    return preview_response(mailing, _chosen_contact(mailing, request.args.get("contact")))


def preview_response(mailing: Mailing, contact: Contact | None) -> Response:
    """The previewed message part as a response of its own (no scripts, no forms)."""
    session = db.session()
    values = {k: getattr(contact, k) for k in rules.MERGE_FIELDS} if contact else {}
    try:
        content = services.content_of(session, get_storage(), mailing)
        greeting = rules.render_greeting(mailing.greeting, values)
    except (RenderError, StorageError, MailingError) as exc:
        response = make_response(f"The preview could not be made: {exc}", 422)
        response.mimetype = "text/plain"
        return response
    sender = services.sender_of(session, mailing)
    message = build_message(
        content,
        sender,
        contact.email if contact else "recipient@example.com",
        greeting,
        services.unsubscribe_url(0),
        services.message_id(mailing, 0, sender.domain),
    )
    part = "plain" if request.args.get("part") == "text" else "html"
    body = message.get_body(preferencelist=(part,))
    response = make_response(body.get_content() if body is not None else "")
    response.mimetype = "text/plain" if part == "plain" else "text/html"
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response


@partner_users
def send_test(mailing_id: int) -> Response:
    """Send the signed-in user a test copy, as the chosen contact would get it."""
    mailing = web.mailing_or_404(mailing_id)
    contact = _chosen_contact(mailing, request.form.get("contact"))
    if not TestSendForm().validate_on_submit():
        abort(400)
    session = db.session()
    try:
        services.content_of(session, get_storage(), mailing)  # fails here, not in the worker
    except (RenderError, StorageError) as exc:
        flash(f"The email could not be rendered: {exc}", "error")
    else:
        key = secrets.token_hex(12)
        jobs.enqueue(
            session,
            tasks.send_test,
            mailing.id,
            contact.id if contact else None,
            current_user.email,
            key,
        )
        flash(f"A test copy is on its way to {current_user.email}.", "success")
    return redirect(
        url_for("mailings.detail", mailing_id=mailing.id, contact=contact.id if contact else None)
    )


@partner_users
def send_now(mailing_id: int) -> Response:
    """Start sending now (asked first on the page)."""
    mailing = web.mailing_or_404(mailing_id)
    if not SendNowForm().validate_on_submit():
        abort(400)
    session = db.session()
    try:
        services.send_now(session, current_user.id, mailing)
    except MailingError as exc:
        flash(exc.message, "error")
    else:
        if mailing.status == rules.AWAITING_APPROVAL:
            flash(WAITING_MESSAGE, "success")
        else:
            tasks.queue_start(session, mailing)
            flash("Sending has started. The report below fills in as messages go out.", "success")
    return redirect(url_for("mailings.detail", mailing_id=mailing.id))


@partner_users
def schedule(mailing_id: int) -> str | Response | tuple[str, int]:
    """Send at a chosen date and time in a chosen time zone."""
    mailing = web.mailing_or_404(mailing_id)
    form = ScheduleForm()
    if form.validate_on_submit() and form.send_on.data and form.send_at.data:
        session = db.session()
        try:
            services.schedule(
                session,
                current_user.id,
                mailing,
                form.send_on.data,
                form.send_at.data,
                form.time_zone.data,
            )
        except MailingError as exc:
            show_error(form, exc)
        else:
            if mailing.status == rules.AWAITING_APPROVAL:
                flash(WAITING_MESSAGE, "success")
            else:
                tasks.queue_start(session, mailing)
                flash("Mailing scheduled. You can cancel it until it starts.", "success")
            return redirect(url_for("mailings.detail", mailing_id=mailing.id))
    errors = [f"{field.label.text}: {' '.join(field.errors)}" for field in form if field.errors]
    flash(" ".join(errors) or "Choose a date, a time and a time zone.", "error")
    return redirect(url_for("mailings.detail", mailing_id=mailing.id))


@partner_users
def cancel(mailing_id: int) -> Response:
    """Cancel a scheduled mailing before it starts."""
    mailing = web.mailing_or_404(mailing_id)
    if not SendNowForm().validate_on_submit():
        abort(400)
    try:
        services.cancel(db.session(), current_user.id, mailing)
    except MailingError as exc:
        flash(exc.message, "error")
    else:
        flash("The mailing is canceled; nothing was sent.", "success")
    return redirect(url_for("mailings.detail", mailing_id=mailing.id))

"""The vendor's program-wide do-not-contact list (admins): addresses no partner may mail."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tcma import db
from tcma.forms import show_error
from tcma.mailings import contacts, rules
from tcma.mailings.forms import DoNotContactForm
from tcma.mailings.models import Suppression
from tcma.mailings.rules import MailingError
from tcma.pagination import keyset
from tcma.permissions import admins

MAX_ADDRESSES = 1000


@admins
def do_not_contact() -> str | Response:
    """Add addresses to the program-wide list; see it a page at a time."""
    session = db.session()
    form = DoNotContactForm()
    if form.validate_on_submit():
        lines = [line.strip() for line in (form.addresses.data or "").splitlines() if line.strip()]
        try:
            if len(lines) > MAX_ADDRESSES:
                raise MailingError(f"Add at most {MAX_ADDRESSES} addresses at a time.", "addresses")
            emails = []
            for line in lines:
                try:
                    emails.append(rules.normal_email(line))
                except MailingError as exc:
                    raise MailingError(exc.message, "addresses") from None
        except MailingError as exc:
            show_error(form, exc)
        else:
            added = sum(
                contacts.suppress(
                    session, None, email, rules.DO_NOT_CONTACT, actor_id=current_user.id
                )
                for email in emails
            )
            flash(f"{added} addresses added to the do-not-contact list.", "success")
            return redirect(url_for("mailings.do_not_contact"))
    stmt = select(Suppression).where(Suppression.partner_id.is_(None))
    page = keyset(
        session, stmt, (Suppression.created_at, Suppression.id), request.args.get("cursor")
    )
    return render_template("mailings/do_not_contact.html", form=form, page=page)

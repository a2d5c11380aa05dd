"""Contact pages: the list, add and edit, lists, CSV import (check, then all or nothing), erase."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tcma import db
from tcma.forms import show_error
from tcma.mailings import contact_export, contacts, csvfile, web
from tcma.mailings.contacts import ContactInput
from tcma.mailings.forms import (
    ContactForm,
    ContactImportConfirmForm,
    ContactImportForm,
    EraseForm,
    ListForm,
)
from tcma.mailings.models import Contact
from tcma.mailings.rules import CONSENT_LABELS, MailingError
from tcma.pagination import keyset
from tcma.permissions import partner_users
from tcma.storage import get_storage
from tcma.storage.transactional import delete_after_commit

PREVIEW_ROWS = 20
UPLOAD_PREFIX = "imports/contacts/"


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


@partner_users
def index() -> str:
    """The partner's contacts, searchable and by list, a page at a time."""
    session = db.session()
    own = web.partner_id()
    q = (request.args.get("q") or "")[:100]
    list_id = _int(request.args.get("list"))
    lists = contacts.lists_of(session, own)
    if list_id not in {item.id for item in lists}:
        list_id = None
    stmt = contacts.contacts_statement(own, q, list_id)
    page = keyset(
        session, stmt, (Contact.created_at, Contact.id), request.args.get("cursor"), per_page=50
    )
    suppressed = contacts.suppressed_emails(session, own, [c.email for c in page.items])
    return render_template(
        "mailings/contacts.html",
        page=page,
        q=q,
        list_id=list_id,
        lists=lists,
        suppressed=suppressed,
        list_form=ListForm(formdata=None),
        labels=CONSENT_LABELS,
    )


def _contact_form(obj: Contact | None = None) -> ContactForm:
    form = ContactForm(obj=obj)
    form.list_ids.choices = [
        (item.id, item.name) for item in contacts.lists_of(db.session(), web.partner_id())
    ]
    if obj is not None and not form.is_submitted():
        form.list_ids.data = contacts.lists_of_contact(db.session(), obj.id)
    elif obj is None and not form.is_submitted():
        form.consent_date.data = dt.date.today()
    return form


def _values(form: ContactForm) -> ContactInput:
    return ContactInput(
        email=form.email.data or "",
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        company=form.company.data or "",
        title=form.title.data or "",
        country=form.country.data or "",
        consent_basis=form.consent_basis.data,
        consent_date=form.consent_date.data,
    )


@partner_users
def new_contact() -> str | Response:
    """Add one contact."""
    form = _contact_form()
    if form.validate_on_submit():
        try:
            contact = contacts.save_contact(
                db.session(),
                current_user.id,
                web.partner_id(),
                _values(form),
                form.list_ids.data or [],
            )
        except MailingError as exc:
            show_error(form, exc)
        else:
            flash(f"{contact.email} is added.", "success")
            return redirect(url_for("contacts.index"))
    return render_template("mailings/contact_form.html", form=form, contact=None)


@partner_users
def edit_contact(contact_id: int) -> str | Response:
    """Change one contact (and the lists it is in); erase it from here."""
    contact = web.contact_or_404(contact_id)
    form = _contact_form(contact)
    if form.validate_on_submit():
        try:
            contacts.save_contact(
                db.session(),
                current_user.id,
                contact.partner_id,
                _values(form),
                form.list_ids.data or [],
                contact,
            )
        except MailingError as exc:
            show_error(form, exc)
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("contacts.index"))
    return render_template(
        "mailings/contact_form.html",
        form=form,
        contact=contact,
        erase_form=EraseForm(formdata=None),
        suppressed=contacts.is_suppressed(db.session(), contact.partner_id, contact.email),
    )


@partner_users
def erase_contact(contact_id: int) -> Response:
    """Delete a person for good (asked first); their address stays suppressed if it was."""
    contact = web.contact_or_404(contact_id)
    if not EraseForm().validate_on_submit():
        flash("Tick the box to confirm the deletion.", "error")
        return redirect(url_for("contacts.edit_contact", contact_id=contact.id))
    contacts.erase_contact(db.session(), current_user.id, contact)
    flash("The contact's personal data is deleted.", "success")
    return redirect(url_for("contacts.index"))


@partner_users
def create_list() -> Response | tuple[str, int]:
    """Create an empty list (contacts join it when added, edited or imported)."""
    form = ListForm()
    if form.validate_on_submit():
        try:
            made = contacts.create_list(
                db.session(), current_user.id, web.partner_id(), form.name.data or ""
            )
        except MailingError as exc:
            flash(exc.message, "error")
        else:
            flash(f"List “{made.name}” created.", "success")
            return redirect(url_for("contacts.index", list=made.id))
    else:
        flash(" ".join(form.name.errors) or "Give the list a name.", "error")
    return redirect(url_for("contacts.index"))


def _import_form() -> ContactImportForm:
    form = ContactImportForm()
    form.list_id.choices = [
        ("", "No list"),
        *((item.id, item.name) for item in contacts.lists_of(db.session(), web.partner_id())),
    ]
    return form


def _default_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@partner_users
def import_csv() -> str | tuple[str, int]:
    """Upload a CSV and see every bad row, and why, before anything is written."""
    form = _import_form()
    if not form.validate_on_submit():
        return render_template("mailings/import.html", form=form, max_rows=csvfile.MAX_IMPORT_ROWS)
    data = form.file.data.read(csvfile.MAX_IMPORT_BYTES + 1)
    basis = form.default_basis.data or None
    parsed = csvfile.parse_contacts(data, basis, form.default_date.data)
    upload = ""
    if parsed.ok:
        # The checked file waits in storage for the confirmation (no 20 MB hidden field).
        upload = f"{UPLOAD_PREFIX}{web.partner_id()}/{secrets.token_urlsafe(16)}.csv"
        get_storage().put(upload, data, "text/csv")
    confirm = ContactImportConfirmForm(
        formdata=None,
        data={
            "upload": upload,
            "default_basis": basis or "",
            "default_date": form.default_date.data.isoformat() if form.default_date.data else "",
            "list_id": form.list_id.data or "",
        },
    )
    confirm.submit.label.text = f"Import {len(parsed.rows):,} contacts"
    suppressed = contacts.suppressed_emails(
        db.session(), web.partner_id(), [row["email"] for row in parsed.rows]
    )
    return render_template(
        "mailings/import_preview.html",
        parsed=parsed,
        confirm=confirm,
        form=_import_form() if not parsed.ok else None,
        sample=parsed.rows[:PREVIEW_ROWS],
        suppressed=len(suppressed),
        labels=CONSENT_LABELS,
    ), 200 if parsed.ok else 422


@partner_users
def confirm_import() -> Response:
    """Import a checked file: checked once more, then every row or none."""
    form = ContactImportConfirmForm()
    own = web.partner_id()
    upload = form.upload.data or ""
    if not form.validate_on_submit() or not upload.startswith(f"{UPLOAD_PREFIX}{own}/"):
        flash("The import form was incomplete; upload the file again.", "error")
        return redirect(url_for("contacts.import_csv"))
    storage = get_storage()
    if not storage.exists(upload):
        flash("That file was already imported or has expired; upload it again.", "error")
        return redirect(url_for("contacts.import_csv"))
    parsed = csvfile.parse_contacts(
        storage.read(upload), form.default_basis.data or None, _default_date(form.default_date.data)
    )
    if not parsed.ok:
        flash("The file no longer passes the checks; upload it again.", "error")
        return redirect(url_for("contacts.import_csv"))
    session = db.session()
    raw_list = (form.list_id.data or "").strip()
    list_id = _int(raw_list)
    own_list = contacts.list_ids_of_partner(session, own, [list_id] if list_id else [])
    if raw_list and not own_list:  # another partner's list, or no list id at all: refused
        flash("The import form was incomplete; upload the file again.", "error")
        return redirect(url_for("contacts.import_csv"))
    result = contacts.import_contacts(
        session, current_user.id, own, parsed.rows, own_list[0] if own_list else None
    )
    delete_after_commit(session, storage, upload)
    message = f"Imported {result.created:,} new and updated {result.updated:,} contacts."
    if result.suppressed:
        message += f" {result.suppressed:,} of the addresses are suppressed and will not be mailed."
    flash(message, "success")
    return redirect(url_for("contacts.index", list=own_list[0] if own_list else None))


@partner_users
def export_csv() -> Response:
    """Download every contact of the partner as CSV (audited: it is personal data)."""
    own = web.partner_id()
    contact_export.record_export(db.session(), current_user.id, own)
    db.commit_if_open()  # the audit event is saved before the first byte goes out
    factory = current_app.extensions["tcma.reader_sessionmaker"]

    def body() -> Iterator[bytes]:
        with factory() as session:
            for chunk in contact_export.csv_lines(session, own):
                yield chunk.encode("utf-8")

    response = Response(body(), mimetype="text/csv")
    stamp = dt.date.today().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="contacts-{stamp}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response

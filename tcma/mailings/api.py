"""Contacts, lists and suppressions over /api/v1: a partner's audience, as on its pages.

The same services and tenant getters as contact_views.py: another partner's contact or list
is 404; a suppressed address stays suppressed whatever a create or update says.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from sqlalchemy import func, select

from tcma import db
from tcma.accounts.access import current_partner_id, get_scoped_or_404
from tcma.accounts.rules import ADMIN, PARTNER_ROLES
from tcma.api.auth import require
from tcma.api.blueprint import api_blueprint, problems
from tcma.api.errors import ApiProblem, rule_problem
from tcma.api.pagination import keyset_page
from tcma.mailings import contacts, members, rules, schemas
from tcma.mailings.contacts import ContactInput
from tcma.mailings.models import Contact, ContactList, ListMember, Suppression
from tcma.mailings.rules import MailingError

bp = api_blueprint("api_contacts", __name__, "", "Contacts, lists and suppressions.")

#: Partners keep their own suppressions; the vendor's admins the program-wide list.
SUPPRESSION_ROLES = (*PARTNER_ROLES, ADMIN)
_FIELDS = ("email", "first_name", "last_name", "company", "title", "country")


def _rows(items: list[Contact]) -> list[dict[str, Any]]:
    """Contacts with their lists and whether their address is suppressed (2 queries a page)."""
    session = db.session()
    ids = [c.id for c in items]
    lists: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        stmt = select(ListMember.contact_id, ListMember.list_id).where(
            ListMember.contact_id.in_(ids)
        )
        for contact_id, list_id in session.execute(stmt.order_by(ListMember.list_id)):
            lists[contact_id].append(list_id)
    suppressed: set[str] = set()
    for partner_id in {c.partner_id for c in items}:
        own = [c.email for c in items if c.partner_id == partner_id]
        suppressed |= contacts.suppressed_emails(session, partner_id, own)
    return [
        {
            **{key: getattr(c, key) for key in schemas.ContactSchema().fields if hasattr(c, key)},
            "list_ids": lists[c.id],
            "suppressed": c.email in suppressed,
        }
        for c in items
    ]


def _own_list_ids(list_ids: list[int] | None) -> list[int] | None:
    """The lists named in a body, each the partner's own (another's is a 404 on list_ids)."""
    if list_ids is None:
        return None
    own = contacts.list_ids_of_partner(db.session(), int(current_user.partner_id), list_ids)
    if missing := sorted(set(list_ids) - set(own)):
        raise ApiProblem(
            404,
            detail=f"There is no list {missing[0]} among yours.",
            errors=[{"location": "json", "field": "list_ids", "message": "No such list."}],
        )
    return own


def _save(data: dict[str, Any], contact: Contact | None) -> Contact:
    base = {key: getattr(contact, key) for key in _FIELDS} if contact is not None else {}
    values = {**base, **{k: v for k, v in data.items() if k != "list_ids"}}
    if contact is not None:
        values.setdefault("consent_basis", contact.consent_basis)
        values.setdefault("consent_date", contact.consent_date)
    list_ids = _own_list_ids(data.get("list_ids"))
    if list_ids is None:
        list_ids = contacts.lists_of_contact(db.session(), contact.id) if contact else []
    try:
        return contacts.save_contact(
            db.session(),
            current_user.id,
            int(current_user.partner_id),
            ContactInput(**values),
            list_ids,
            contact,
        )
    except MailingError as exc:
        raise rule_problem(exc) from exc


@bp.get("/contacts")
@require("mailings", "read", PARTNER_ROLES)
@problems(bp, 400, 404, 422)
@bp.arguments(schemas.ContactQuery, location="query", unknown=None)
@bp.response(200, schemas.ContactPageSchema)
def list_contacts(args: dict[str, Any]) -> dict[str, Any]:
    """Your contacts, newest first; filters q (email, name, company), list_id, updated_since."""
    if args["list_id"] is not None:
        get_scoped_or_404(db.session(), ContactList, args["list_id"])
    stmt = contacts.contacts_statement(int(current_user.partner_id), args["q"], args["list_id"])
    if args["updated_since"] is not None:
        stmt = stmt.where(Contact.updated_at >= args["updated_since"])
    page = keyset_page(db.session(), stmt, Contact.id, args["cursor"], args["limit"])
    return {"items": _rows(page.items), "next_cursor": page.next_cursor}


@bp.post("/contacts")
@require("mailings", "write", PARTNER_ROLES)
@problems(bp, 400, 404, 422)
@bp.arguments(schemas.ContactCreateSchema)
@bp.response(201, schemas.ContactSchema)
def create_contact(data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Add a contact (an address already yours is a 422); a suppressed address stays so."""
    contact = _save(data, None)
    location = url_for("api_contacts.get_contact", contact_id=contact.id)
    return _rows([contact])[0], 201, {"Location": location}


@bp.get("/contacts/<id:contact_id>")
@require("mailings", "read", PARTNER_ROLES)
@problems(bp, 404)
@bp.response(200, schemas.ContactSchema)
def get_contact(contact_id: int) -> dict[str, Any]:
    """One of your contacts."""
    return _rows([get_scoped_or_404(db.session(), Contact, contact_id)])[0]


@bp.patch("/contacts/<id:contact_id>")
@require("mailings", "write", PARTNER_ROLES)
@problems(bp, 400, 404, 422)
@bp.arguments(schemas.ContactWriteSchema)
@bp.response(200, schemas.ContactSchema)
def update_contact(data: dict[str, Any], contact_id: int) -> dict[str, Any]:
    """Change the values sent; ``list_ids`` replaces the contact's lists."""
    contact = get_scoped_or_404(db.session(), Contact, contact_id)
    return _rows([_save(data, contact)])[0]


@bp.delete("/contacts/<id:contact_id>")
@require("mailings", "write", PARTNER_ROLES)
@problems(bp, 404)
@bp.response(204)
def erase_contact(contact_id: int) -> None:
    """Erase the person for good; a suppression of the address stays."""
    contact = get_scoped_or_404(db.session(), Contact, contact_id)
    contacts.erase_contact(db.session(), current_user.id, contact)


def _list_rows(items: list[ContactList]) -> list[dict[str, Any]]:
    ids = [item.id for item in items]
    rows = db.session().execute(
        select(ListMember.list_id, func.count())
        .where(ListMember.list_id.in_(ids))
        .group_by(ListMember.list_id)
    )
    counts: dict[int, int] = {list_id: count for list_id, count in rows}
    return [
        {
            "id": item.id,
            "partner_id": item.partner_id,
            "name": item.name,
            "members": counts.get(item.id, 0),
            "created_at": item.created_at,
        }
        for item in items
    ]


@bp.get("/contact-lists")
@require("mailings", "read", PARTNER_ROLES)
@problems(bp, 400, 422)
@bp.arguments(schemas.PageQuery, location="query", unknown=None)
@bp.response(200, schemas.ContactListPageSchema)
def list_lists(args: dict[str, Any]) -> dict[str, Any]:
    """Your lists, newest first, with their number of members."""
    stmt = select(ContactList).where(ContactList.partner_id == current_partner_id())
    page = keyset_page(db.session(), stmt, ContactList.id, args["cursor"], args["limit"])
    return {"items": _list_rows(page.items), "next_cursor": page.next_cursor}


@bp.post("/contact-lists")
@require("mailings", "write", PARTNER_ROLES)
@problems(bp, 400, 422)
@bp.arguments(schemas.ContactListCreateSchema)
@bp.response(201, schemas.ContactListSchema)
def create_list(data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A new, empty list (its name unique among yours)."""
    try:
        made = contacts.create_list(
            db.session(), current_user.id, int(current_user.partner_id), data["name"]
        )
    except MailingError as exc:
        raise rule_problem(exc) from exc
    return _list_rows([made])[0], 201


@bp.post("/contact-lists/<id:list_id>/members")
@require("mailings", "write", PARTNER_ROLES)
@problems(bp, 400, 404, 422)
@bp.arguments(schemas.MembersSchema)
@bp.response(200, schemas.ContactListSchema)
def add_members(data: dict[str, Any], list_id: int) -> dict[str, Any]:
    """Add contacts of yours to the list (those already in it stay once)."""
    contact_list = get_scoped_or_404(db.session(), ContactList, list_id)
    try:
        members.add_members(db.session(), current_user.id, contact_list, data["contact_ids"])
    except MailingError as exc:
        raise ApiProblem(
            404,
            detail=exc.message,
            errors=[{"location": "json", "field": "contact_ids", "message": exc.message}],
        ) from exc
    return _list_rows([contact_list])[0]


@bp.delete("/contact-lists/<id:list_id>/members/<id:contact_id>")
@require("mailings", "write", PARTNER_ROLES)
@problems(bp, 404)
@bp.response(204)
def remove_member(list_id: int, contact_id: int) -> None:
    """Take a contact off the list (the contact stays); again, or not a member: 204 too."""
    contact_list = get_scoped_or_404(db.session(), ContactList, list_id)
    get_scoped_or_404(db.session(), Contact, contact_id)
    members.remove_member(db.session(), current_user.id, contact_list, contact_id)


def _suppression_scope():  # noqa: ANN202 - a SQL condition
    own = current_partner_id()
    return Suppression.partner_id.is_(None) if own is None else Suppression.partner_id == own


@bp.get("/suppressions")
@require("mailings", "read", SUPPRESSION_ROLES)
@problems(bp, 400, 422)
@bp.arguments(schemas.SuppressionQuery, location="query", unknown=None)
@bp.response(200, schemas.SuppressionPageSchema)
def list_suppressions(args: dict[str, Any]) -> dict[str, Any]:
    """Addresses not to mail: a partner's own list; the program-wide one for vendor admins."""
    stmt = select(Suppression).where(_suppression_scope())
    if args["reason"] is not None:
        stmt = stmt.where(Suppression.reason == args["reason"])
    page = keyset_page(db.session(), stmt, Suppression.id, args["cursor"], args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor}


@bp.post("/suppressions")
@require("mailings", "write", SUPPRESSION_ROLES)
@problems(bp, 400, 422)
@bp.arguments(schemas.SuppressionCreateSchema)
@bp.response(201, schemas.SuppressionSchema)
def add_suppression(data: dict[str, Any]) -> tuple[Suppression, int]:
    """Suppress an address (your list; the program-wide one for vendor admins). Again: 201."""
    session = db.session()
    own = current_partner_id()
    reason = data["reason"] if own is not None else rules.DO_NOT_CONTACT
    try:
        email = rules.normal_email(data["email"])
    except MailingError as exc:
        raise rule_problem(exc) from exc
    contacts.suppress(session, own, email, reason, actor_id=current_user.id)
    return session.scalars(
        select(Suppression).where(_suppression_scope(), Suppression.email == email)
    ).one(), 201

"""Contact use cases: add, edit, import, lists, erase, and the suppression list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, cast, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from tcma import audit
from tcma.mailings import rules
from tcma.mailings.models import Contact, ContactList, Delivery, ListMember, Suppression
from tcma.mailings.rules import MailingError
from tcma.pipeline.models import Lead

ERASED = "erased"
_CHUNK = 500


@dataclass(frozen=True)
class ContactInput:
    """What the contact form says."""

    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    country: str = ""
    consent_basis: str = rules.CONSENT
    consent_date: dt.date | None = None


def _clean(values: ContactInput) -> dict[str, Any]:
    row: dict[str, Any] = {"email": rules.normal_email(values.email)}
    for key, limit in (
        ("first_name", 80),
        ("last_name", 80),
        ("company", 120),
        ("title", 120),
        ("country", 80),
    ):
        label = key.replace("_", " ").capitalize()
        row[key] = rules.clean_text(getattr(values, key), limit, label, key)
    if values.consent_basis not in rules.CONSENT_BASES:
        raise MailingError("Choose a consent basis.", "consent_basis")
    if values.consent_date is None:
        raise MailingError("Enter the date the consent basis was recorded.", "consent_date")
    if values.consent_date > dt.date.today():
        raise MailingError("The consent date cannot be in the future.", "consent_date")
    row["consent_basis"], row["consent_date"] = values.consent_basis, values.consent_date
    return row


def save_contact(
    session: Session,
    actor_id: int | None,
    partner_id: int,
    values: ContactInput,
    list_ids: Iterable[int] = (),
    contact: Contact | None = None,
) -> Contact:
    """Add a contact (or change one) and set the partner's lists it belongs to."""
    row = _clean(values)
    clash = session.scalar(
        select(Contact.id).where(Contact.partner_id == partner_id, Contact.email == row["email"])
    )
    if clash is not None and (contact is None or clash != contact.id):
        raise MailingError(f"{row['email']} is already one of your contacts.", "email")
    if contact is None:
        contact = Contact(partner_id=partner_id, **row)
        session.add(contact)
        session.flush()
        action = "contact.created"
    else:
        for key, value in row.items():
            setattr(contact, key, value)
        action = "contact.updated"
    own_lists = set(list_ids_of_partner(session, partner_id, list_ids))
    session.execute(delete(ListMember).where(ListMember.contact_id == contact.id))
    session.add_all(ListMember(list_id=list_id, contact_id=contact.id) for list_id in own_lists)
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="contact",
        object_id=contact.id,
        partner_id=partner_id,
        data={"consent_basis": contact.consent_basis},
    )
    session.flush()
    return contact


def list_ids_of_partner(session: Session, partner_id: int, list_ids: Iterable[int]) -> list[int]:
    """The ids among ``list_ids`` that are this partner's lists (others are ignored)."""
    wanted = {int(i) for i in list_ids}
    if not wanted:
        return []
    stmt = select(ContactList.id).where(
        ContactList.partner_id == partner_id, ContactList.id.in_(wanted)
    )
    return sorted(session.scalars(stmt))


def create_list(session: Session, actor_id: int | None, partner_id: int, name: str) -> ContactList:
    """A new, empty list with a name unique among the partner's lists."""
    name = rules.clean_text(name, 80, "The name", "name")
    if not name:
        raise MailingError("Give the list a name.", "name")
    exists = session.scalar(
        select(ContactList.id).where(ContactList.partner_id == partner_id, ContactList.name == name)
    )
    if exists is not None:
        raise MailingError(f"You already have a list called {name!r}.", "name")
    contact_list = ContactList(partner_id=partner_id, name=name)
    session.add(contact_list)
    session.flush()
    return contact_list


def lists_of(session: Session, partner_id: int) -> list[ContactList]:
    """A partner's lists by name."""
    stmt = select(ContactList).where(ContactList.partner_id == partner_id)
    return list(session.scalars(stmt.order_by(ContactList.name)))


def lists_of_contact(session: Session, contact_id: int) -> list[int]:
    """The ids of the lists a contact belongs to."""
    return list(
        session.scalars(select(ListMember.list_id).where(ListMember.contact_id == contact_id))
    )


def contacts_statement(partner_id: int, q: str = "", list_id: int | None = None) -> Select:
    """The partner's contacts, narrowed by a search word and a list."""
    stmt = select(Contact).where(Contact.partner_id == partner_id)
    if q:
        like = f"%{q.strip().lower()[:100]}%"
        stmt = stmt.where(
            or_(
                Contact.email.like(like),
                Contact.first_name.ilike(like),
                Contact.last_name.ilike(like),
                Contact.company.ilike(like),
            )
        )
    if list_id is not None:
        members = select(ListMember.contact_id).where(ListMember.list_id == list_id)
        stmt = stmt.where(Contact.id.in_(members))
    return stmt


def suppressed_emails(session: Session, partner_id: int, emails: Iterable[str]) -> set[str]:
    """Which of ``emails`` must not be mailed by this partner (its own list or the vendor's)."""
    wanted = list(set(emails))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        stmt = select(Suppression.email).where(
            Suppression.email.in_(chunk),
            or_(Suppression.partner_id == partner_id, Suppression.partner_id.is_(None)),
        )
        found.update(session.scalars(stmt))
    return found


def is_suppressed(session: Session, partner_id: int, email: str) -> bool:
    """True when ``email`` must not be mailed by this partner."""
    return bool(suppressed_emails(session, partner_id, [email]))


def suppress(
    session: Session,
    partner_id: int | None,
    email: str,
    reason: str,
    mailing_id: int | None = None,
    actor_id: int | None = None,
) -> bool:
    """Add an address to a partner's (or, with None, the program's) suppression list.

    Returns False when it was already there (suppressing twice has one effect).
    """
    email = rules.normal_email(email)
    scope = (
        Suppression.partner_id.is_(None)
        if partner_id is None
        else Suppression.partner_id == partner_id
    )
    if session.scalar(select(Suppression.id).where(Suppression.email == email, scope)):
        return False
    session.add(
        Suppression(partner_id=partner_id, email=email, reason=reason, mailing_id=mailing_id)
    )
    audit.record(
        session,
        actor_id=actor_id,
        action=f"suppression.{reason}",
        object_type="suppression",
        object_id=None,
        partner_id=partner_id,
        data={"mailing_id": mailing_id} if mailing_id else None,
    )
    session.flush()
    return True


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    suppressed: int


def import_contacts(
    session: Session,
    actor_id: int | None,
    partner_id: int,
    rows: list[dict[str, Any]],
    list_id: int | None = None,
) -> ImportResult:
    """Write checked rows: new addresses added, known ones updated, all in this transaction.

    A suppressed address is stored like any other but stays suppressed: importing it again
    never makes it mailable.
    """
    emails = [row["email"] for row in rows]
    known: dict[str, int] = {}
    for start in range(0, len(emails), _CHUNK):
        stmt = select(Contact.email, Contact.id).where(
            Contact.partner_id == partner_id, Contact.email.in_(emails[start : start + _CHUNK])
        )
        known.update({email: contact_id for email, contact_id in session.execute(stmt)})
    new_rows = [{**row, "partner_id": partner_id} for row in rows if row["email"] not in known]
    changed = [{**row, "id": known[row["email"]]} for row in rows if row["email"] in known]
    for start in range(0, len(new_rows), _CHUNK):
        session.execute(insert(Contact), new_rows[start : start + _CHUNK])
    if changed:
        session.execute(update(Contact), changed)
    if list_id is not None:
        _add_to_list(session, partner_id, list_id, emails)
    result = ImportResult(
        created=len(new_rows),
        updated=len(changed),
        suppressed=len(suppressed_emails(session, partner_id, emails)),
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="contact.imported",
        object_type="contact_import",
        object_id=None,
        partner_id=partner_id,
        data={"created": result.created, "updated": result.updated, "list_id": list_id},
    )
    session.flush()
    return result


def _add_to_list(session: Session, partner_id: int, list_id: int, emails: list[str]) -> None:
    for start in range(0, len(emails), _CHUNK):
        ids = select(Contact.id).where(
            Contact.partner_id == partner_id, Contact.email.in_(emails[start : start + _CHUNK])
        )
        present = select(ListMember.contact_id).where(ListMember.list_id == list_id)
        missing = list(session.scalars(ids.where(Contact.id.not_in(present))))
        if missing:
            session.execute(
                insert(ListMember), [{"list_id": list_id, "contact_id": cid} for cid in missing]
            )


def erase_contact(session: Session, actor_id: int | None, contact: Contact) -> None:
    """Delete a person for good: the contact, its list memberships, the address on deliveries.

    A suppression of the address stays: it is what keeps them from being mailed again.
    """
    session.execute(
        update(Delivery)
        .where(Delivery.contact_id == contact.id)
        .values(email=cast(Delivery.id, String) + f"@{ERASED}.invalid", contact_id=None)
    )
    session.execute(delete(ListMember).where(ListMember.contact_id == contact.id))
    # Leads the person's clicks brought keep counting for the mailing, without naming them.
    session.execute(
        update(Lead).where(Lead.mail_contact_id == contact.id).values(mail_contact_id=None)
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="contact.erased",
        object_type="contact",
        object_id=contact.id,
        partner_id=contact.partner_id,
    )
    session.delete(contact)
    session.flush()

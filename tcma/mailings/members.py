"""List membership use cases: add contacts to a partner's list, take one off."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.mailings.models import Contact, ContactList, ListMember
from tcma.mailings.rules import MailingError


def add_members(
    session: Session, actor_id: int | None, contact_list: ContactList, contact_ids: Iterable[int]
) -> int:
    """Put the list's partner's contacts in the list; returns how many joined (new ones)."""
    wanted = sorted({int(i) for i in contact_ids})
    own = set(
        session.scalars(
            select(Contact.id).where(
                Contact.partner_id == contact_list.partner_id, Contact.id.in_(wanted)
            )
        )
    )
    if missing := [i for i in wanted if i not in own]:
        raise MailingError(f"There is no contact {missing[0]} among yours.", "contact_ids")
    present = set(
        session.scalars(
            select(ListMember.contact_id).where(
                ListMember.list_id == contact_list.id, ListMember.contact_id.in_(wanted)
            )
        )
    )
    fresh = [i for i in wanted if i not in present]
    session.add_all(ListMember(list_id=contact_list.id, contact_id=i) for i in fresh)
    session.flush()
    if fresh:
        _audit(session, actor_id, contact_list, "list.members_added", len(fresh))
    return len(fresh)


def remove_member(
    session: Session, actor_id: int | None, contact_list: ContactList, contact_id: int
) -> bool:
    """Take a contact off a list (the contact stays); False when it was not in the list."""
    result = session.execute(
        delete(ListMember).where(
            ListMember.list_id == contact_list.id, ListMember.contact_id == contact_id
        )
    )
    removed = bool(result.rowcount)  # type: ignore[attr-defined]
    if removed:
        _audit(session, actor_id, contact_list, "list.member_removed", 1)
    session.flush()
    return removed


def _audit(
    session: Session, actor_id: int | None, contact_list: ContactList, action: str, count: int
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="contact_list",
        object_id=contact_list.id,
        partner_id=contact_list.partner_id,
        data={"contacts": count},
    )

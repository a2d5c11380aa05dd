"""A partner's contacts as CSV (their personal data, e.g. for an access request): audited.

The columns are tcma's import columns (so the file imports again as it is) plus the lists,
whether the address is suppressed, and when the contact was added.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma import audit
from tcma.mailings import contacts
from tcma.mailings.csvfile import COLUMNS
from tcma.mailings.models import Contact, ContactList, ListMember
from tcma.pipeline.csvmap import safe_cell

HEADER = [*(names[0] for names in COLUMNS.values()), "Lists", "Suppressed", "Added"]
_BATCH = 1000


def record_export(session: Session, actor_id: int | None, partner_id: int) -> int:
    """Audit that the partner's contacts were exported; returns how many there are."""
    count = session.scalar(
        select(func.count()).select_from(Contact).where(Contact.partner_id == partner_id)
    )
    audit.record(
        session,
        actor_id=actor_id,
        action="contact.exported",
        object_type="contact_export",
        object_id=None,
        partner_id=partner_id,
        data={"contacts": count},
    )
    session.flush()
    return int(count or 0)


def csv_lines(session: Session, partner_id: int) -> Iterator[str]:
    """The CSV text, a batch of contacts at a time (oldest first), for a streamed download."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    last_id = 0
    while True:
        batch = list(
            session.scalars(
                select(Contact)
                .where(Contact.partner_id == partner_id, Contact.id > last_id)
                .order_by(Contact.id)
                .limit(_BATCH)
            )
        )
        if not batch:
            break
        last_id = batch[-1].id
        ids = [c.id for c in batch]
        lists: dict[int, list[str]] = {}
        for contact_id, name in session.execute(
            select(ListMember.contact_id, ContactList.name)
            .join(ContactList, ContactList.id == ListMember.list_id)
            .where(ListMember.contact_id.in_(ids))
            .order_by(ContactList.name)
        ):
            lists.setdefault(contact_id, []).append(name)
        suppressed = contacts.suppressed_emails(session, partner_id, [c.email for c in batch])
        for c in batch:
            writer.writerow(
                safe_cell(value)
                for value in (
                    c.email,
                    c.first_name,
                    c.last_name,
                    c.company,
                    c.title,
                    c.country,
                    c.consent_basis,
                    c.consent_date.isoformat(),
                    "; ".join(lists.get(c.id, [])),
                    "yes" if c.email in suppressed else "no",
                    c.created_at.isoformat(" ", "minutes")[:16],
                )
            )
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    if out.getvalue():
        yield out.getvalue()

"""Leads, opportunities, their stage history, and daily landing-page views per campaign."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcma.accounts.models import Partner, User
from tcma.campaigns.models import Campaign
from tcma.db import Base, Money, UTCDateTime, utcnow
from tcma.pipeline import rules


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def trigram_index(table: str, column: str) -> Index:
    """A pg_trgm GIN index: ILIKE '%q%' on the column without reading the table (PostgreSQL).

    SQLite searches by scanning; there the index is an empty partial index (WHERE 0), so
    inserts do not pay for a B-tree no search could use.
    """
    return Index(
        f"ix_{table}_{column}_trgm",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        sqlite_where=text("0"),
    )


# create_all (tests, benches) needs the extension before the trigram indexes; migration
# 0005 creates it itself.
event.listen(
    Base.metadata,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


class Lead(Base):
    """A person who asked to be contacted, attributed to a partner and (usually) a campaign.

    Erasure keeps the row as an anonymous tombstone (every personal column NULL, erased_at
    set) so that funnel counts per campaign, day and status stay what they were.
    """

    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint(_in("status", rules.LEAD_STATUSES), name="status"),
        CheckConstraint(_in("source", rules.LEAD_SOURCES), name="source"),
        # The list's sort (newest first, id breaks ties) alone, by partner and by campaign.
        Index("ix_leads_created", "created_at", "id"),
        Index("ix_leads_partner_created", "partner_id", "created_at", "id"),
        Index("ix_leads_campaign_created", "campaign_id", "created_at", "id"),
        *(trigram_index("leads", c) for c in ("first_name", "last_name", "email", "company")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    first_name: Mapped[str | None] = mapped_column(String(rules.LIMITS["first_name"]))
    last_name: Mapped[str | None] = mapped_column(String(rules.LIMITS["last_name"]))
    email: Mapped[str | None] = mapped_column(String(rules.LIMITS["email"]))
    company: Mapped[str | None] = mapped_column(String(rules.LIMITS["company"]))
    title: Mapped[str | None] = mapped_column(String(rules.LIMITS["title"]))
    phone: Mapped[str | None] = mapped_column(String(rules.LIMITS["phone"]))
    country: Mapped[str | None] = mapped_column(String(rules.LIMITS["country"]))
    consent: Mapped[bool] = mapped_column(default=False)
    # The exact wording the person agreed to, as shown on the form they sent.
    consent_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=rules.NEW, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default=rules.SOURCE_LANDING)
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_content: Mapped[str | None] = mapped_column(String(100))
    # One value per rendered form: a double click or a retry of the same form is one lead.
    submit_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Back + Send again from the same email within the repeat window counts here, not as a
    # second lead, so leads, conversion and cost per lead stay true.
    submissions: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    last_submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The mailing (and its contact) whose tracked link brought the person to the landing page.
    # No foreign keys: on SQLite adding one means rebuilding leads, which drops its roll-up
    # triggers; erasing a contact clears mail_contact_id itself, and mailings are never deleted.
    mailing_id: Mapped[int | None] = mapped_column(index=True)
    mail_contact_id: Mapped[int | None] = mapped_column()

    partner: Mapped[Partner] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class Opportunity(Base):
    """A deal in a partner's pipeline: from a converted lead or registered directly."""

    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint(_in("stage", rules.STAGES), name="stage"),
        CheckConstraint("amount >= 0", name="amount"),
        Index("ix_opportunities_created", "created_at", "id"),
        Index("ix_opportunities_campaign_created", "campaign_id", "created_at", "id"),
        Index("ix_opportunities_partner_created", "partner_id", "created_at", "id"),
        *(trigram_index("opportunities", c) for c in ("name", "account")),
        # A CRM owns a deal by its own id: one opportunity per partner, source and id.
        Index(
            "uq_opportunities_external", "partner_id", "external_source", "external_id", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), index=True)
    account: Mapped[str] = mapped_column(String(rules.LIMITS["account"]), default="")
    name: Mapped[str] = mapped_column(String(rules.LIMITS["opportunity_name"]))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    stage: Mapped[str] = mapped_column(String(20), default=rules.PROSPECTING, index=True)
    expected_close_on: Mapped[dt.date | None] = mapped_column(Date)
    # The day it reached closed won / closed lost: won revenue is counted by this date.
    closed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20), default=rules.SOURCE_MANUAL)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # A CRM's own id for the deal (migration 0006 adds them last, so they come last here too).
    external_source: Mapped[str | None] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(100))

    partner: Mapped[Partner] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    lead: Mapped[Lead | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])

    @property
    def is_open(self) -> bool:
        return self.stage in rules.OPEN_STAGES


class StageChange(Base):
    """One step in the history of a lead's status or an opportunity's stage: who, when, from, to."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        CheckConstraint("(lead_id IS NULL) <> (opportunity_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    # None when nobody signed in did it: a visitor's form, an import by the system.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class PageViewDay(Base):
    """How many times a campaign's landing page was shown on one day (UTC); no cookies."""

    __tablename__ = "page_view_days"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(default=0)

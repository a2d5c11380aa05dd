"""Mailing tables: contacts, lists, suppressions, mailings and one delivery per recipient."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcma.campaigns.models import Campaign
from tcma.db import Base, UTCDateTime, utcnow
from tcma.mailings import rules


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Contact(Base):
    """A person in a partner's audience, with the basis on which they may be mailed."""

    __tablename__ = "mail_contacts"
    __table_args__ = (
        UniqueConstraint("partner_id", "email", name="uq_mail_contacts_partner_email"),
        CheckConstraint(_in("consent_basis", rules.CONSENT_BASES), name="consent_basis"),
        # The contacts page, newest first, a page at a time.
        Index("ix_mail_contacts_partner_created", "partner_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    email: Mapped[str] = mapped_column(String(254))
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    company: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(80), default="")
    consent_basis: Mapped[str] = mapped_column(String(30))
    consent_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class ContactList(Base):
    """A named group of a partner's contacts; a mailing goes to one or more lists."""

    __tablename__ = "mail_lists"
    __table_args__ = (UniqueConstraint("partner_id", "name", name="uq_mail_lists_partner_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListMember(Base):
    """One contact in one list."""

    __tablename__ = "mail_list_members"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("mail_lists.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("mail_contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Suppression(Base):
    """An address that must not be mailed: by one partner, or program-wide (partner_id NULL)."""

    __tablename__ = "mail_suppressions"
    __table_args__ = (
        CheckConstraint(_in("reason", rules.SUPPRESSION_REASONS), name="reason"),
        Index("ix_mail_suppressions_email_partner", "email", "partner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(20))
    mailing_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_mailings.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mailing(Base):
    """One email asset of a partner's campaign, sent to lists at one time."""

    __tablename__ = "mail_mailings"
    __table_args__ = (
        CheckConstraint(_in("status", rules.MAILING_STATES), name="status"),
        Index("ix_mail_mailings_partner_created", "partner_id", "created_at", "id"),
        Index("ix_mail_mailings_status_scheduled", "status", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    asset_key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    # The line above the kit's message, rendered per recipient in the sandbox (merge fields).
    greeting: Mapped[str] = mapped_column(Text, default="")
    list_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=rules.DRAFT)
    scheduled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(String(60), default="UTC")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The rendered message (subject, HTML, text) frozen when sending starts: every
    # recipient gets the same content even if the campaign is edited meanwhile.
    subject: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    # An invisible image per delivery records its first open; off unless the partner asks.
    track_opens: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A marketer's review of a mailing above the approval threshold: who, when, and the
    # recipient count approved (sending to more asks again) or the reason for a rejection.
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_recipients: Mapped[int | None] = mapped_column()
    review_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    campaign: Mapped[Campaign] = relationship(lazy="joined")


class Delivery(Base):
    """One message to one contact, with its state; the unit of exactly-once sending."""

    __tablename__ = "mail_deliveries"
    __table_args__ = (
        UniqueConstraint("mailing_id", "email", name="uq_mail_deliveries_mailing_email"),
        CheckConstraint(_in("state", rules.DELIVERY_STATES), name="state"),
        Index("ix_mail_deliveries_mailing_state", "mailing_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(ForeignKey("mail_mailings.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_contacts.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    state: Mapped[str] = mapped_column(String(20), default=rules.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The SMTP server's last answer for a refused or deferred message.
    smtp_answer: Mapped[str] = mapped_column(Text, default="")
    unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Tracked link clicks (signed redirects to the message's own links).
    clicks: Mapped[int] = mapped_column(default=0)
    first_clicked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The first time the open pixel was fetched (only for mailings that track opens).
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class MailingSettings(Base):
    """The vendor's mailing rules; a single row, edited by admins."""

    __tablename__ = "mail_settings"
    __table_args__ = (CheckConstraint("approval_threshold >= 0", name="approval_threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: never ask; otherwise mailings to more recipients wait for a marketer's approval.
    approval_threshold: Mapped[int | None] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

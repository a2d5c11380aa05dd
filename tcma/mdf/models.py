"""MDF tables: program settings, budgets, allocations, the ledger, requests, claims, payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tcma.accounts.models import Partner, Tier, User
from tcma.db import Base, Money, UTCDateTime, utcnow
from tcma.mdf import money, rules


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ProgramSettings(Base):
    """The MDF program's rules; a single row, edited by finance and admins."""

    __tablename__ = "mdf_program_settings"
    __table_args__ = (
        CheckConstraint("claim_window_days >= 0", name="claim_window_days"),
        CheckConstraint("default_share_percent BETWEEN 0 AND 100", name="default_share_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None switches the four-eyes rule off; otherwise approvals above it need two people.
    four_eyes_threshold: Mapped[Decimal | None] = mapped_column(Money)
    claim_window_days: Mapped[int] = mapped_column(default=60)
    default_share_percent: Mapped[int] = mapped_column(default=50)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TierRule(Base):
    """A tier's co-op share: the part of an activity's cost MDF may pay."""

    __tablename__ = "mdf_tier_rules"
    __table_args__ = (CheckConstraint("share_percent BETWEEN 0 AND 100", name="share_percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id", ondelete="CASCADE"), unique=True)
    share_percent: Mapped[int] = mapped_column(default=50)

    tier: Mapped[Tier] = relationship()


class Budget(Base):
    """MDF money for a period, in one currency."""

    __tablename__ = "mdf_budgets"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    allocations: Mapped[list[Allocation]] = relationship(back_populates="budget")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.period_start:%d %b %Y} – {self.period_end:%d %b %Y})"


class Allocation(Base):
    """The share of a budget given to one partner; its amount always equals the ledger's."""

    __tablename__ = "mdf_allocations"
    __table_args__ = (
        UniqueConstraint("budget_id", "partner_id", name="uq_mdf_allocations_budget_partner"),
        CheckConstraint("amount >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("mdf_budgets.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    budget: Mapped[Budget] = relationship(back_populates="allocations", lazy="joined")
    partner: Mapped[Partner] = relationship(lazy="joined")

    @property
    def currency(self) -> str:
        return self.budget.currency


class LedgerEntry(Base):
    """One append-only movement of money on an allocation (see money.Balance.apply)."""

    __tablename__ = "mdf_ledger_entries"
    __table_args__ = (
        CheckConstraint(_in("kind", money.LEDGER_KINDS), name="kind"),
        # The allocation page's ledger, in time order, a page at a time.
        Index("ix_mdf_ledger_entries_allocation_at", "allocation_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("mdf_allocations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    fund_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("mdf_fund_requests.id"), index=True
    )
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("mdf_claims.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()


@event.listens_for(LedgerEntry, "before_update")
@event.listens_for(LedgerEntry, "before_delete")
def _ledger_is_append_only(mapper, connection, target) -> None:  # noqa: ANN001
    # Balances are sums over history: a changed or deleted entry would rewrite the past.
    raise RuntimeError("ledger entries are append-only; post a correcting entry instead")


class FundRequest(Base):
    """A partner's MDF proposal for one activity."""

    __tablename__ = "mdf_fund_requests"
    __table_args__ = (
        CheckConstraint(_in("status", rules.REQUEST_STATES), name="status"),
        CheckConstraint(_in("activity_type", tuple(rules.ACTIVITY_TYPES)), name="activity_type"),
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint("requested_amount > 0 AND total_cost > 0", name="amounts"),
        # The list (newest first) of one partner, and of one status (the vendor's queue).
        Index("ix_mdf_fund_requests_partner_list", "partner_id", "id"),
        Index("ix_mdf_fund_requests_status_list", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("mdf_allocations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activity_type: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    total_cost: Mapped[Decimal] = mapped_column(Money)
    requested_amount: Mapped[Decimal] = mapped_column(Money)
    approved_amount: Mapped[Decimal | None] = mapped_column(Money)
    share_percent: Mapped[int] = mapped_column(default=50)
    expected_leads: Mapped[int] = mapped_column(default=0)
    expected_pipeline: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    # The campaigns area lands later: a plain integer now, a foreign key in its migration.
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(30), default=rules.DRAFT, index=True)
    # Counts submissions, so four-eyes approvals of an earlier round do not carry over.
    submission: Mapped[int] = mapped_column(default=0)
    claim_due_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner] = relationship(lazy="joined")
    allocation: Mapped[Allocation] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()
    approvals: Mapped[list[RequestApproval]] = relationship(
        back_populates="fund_request", order_by="RequestApproval.id"
    )
    claims: Mapped[list[Claim]] = relationship(back_populates="fund_request", order_by="Claim.id")

    @property
    def currency(self) -> str:
        return self.allocation.budget.currency

    @property
    def activity_label(self) -> str:
        return rules.ACTIVITY_TYPES.get(self.activity_type, self.activity_type)

    def current_approvals(self) -> list[RequestApproval]:
        """Approvals given since the latest submission."""
        return [a for a in self.approvals if a.submission == self.submission]


class RequestApproval(Base):
    """One approver's yes to a fund request (two different people above the threshold)."""

    __tablename__ = "mdf_request_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_request_id: Mapped[int] = mapped_column(ForeignKey("mdf_fund_requests.id"), index=True)
    submission: Mapped[int] = mapped_column(default=1)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    fund_request: Mapped[FundRequest] = relationship(back_populates="approvals")
    approver: Mapped[User | None] = relationship()


class Claim(Base):
    """A request for reimbursement of an approved fund request, with proof of performance."""

    __tablename__ = "mdf_claims"
    __table_args__ = (
        CheckConstraint(_in("status", rules.CLAIM_STATES), name="status"),
        CheckConstraint("claimed_amount > 0 AND actual_cost > 0", name="amounts"),
        Index("ix_mdf_claims_partner_list", "partner_id", "id"),
        Index("ix_mdf_claims_status_list", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_request_id: Mapped[int] = mapped_column(ForeignKey("mdf_fund_requests.id"), index=True)
    # Copied from the request so every tenant check is one column away.
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actual_cost: Mapped[Decimal] = mapped_column(Money)
    claimed_amount: Mapped[Decimal] = mapped_column(Money)
    approved_amount: Mapped[Decimal | None] = mapped_column(Money)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30), default=rules.DRAFT, index=True)
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The due date applies to the first submission; a claim sent back may be fixed later.
    first_submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    fund_request: Mapped[FundRequest] = relationship(back_populates="claims", lazy="joined")
    partner: Mapped[Partner] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()
    proof_files: Mapped[list[ProofFile]] = relationship(
        back_populates="claim", order_by="ProofFile.id"
    )
    payment: Mapped[Payment | None] = relationship(back_populates="claim")

    @property
    def currency(self) -> str:
        return self.fund_request.currency


class ProofFile(Base):
    """One proof-of-performance file of a claim, kept in storage under its key."""

    __tablename__ = "mdf_proof_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("mdf_claims.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    storage_key: Mapped[str] = mapped_column(String(500), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="proof_files")


class Payment(Base):
    """Finance's record that a claim was paid."""

    __tablename__ = "mdf_payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        Index("ix_mdf_payments_paid_on_list", "paid_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("mdf_claims.id"), unique=True)
    paid_on: Mapped[dt.date] = mapped_column(Date, index=True)
    method: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str] = mapped_column(String(120))
    amount: Mapped[Decimal] = mapped_column(Money)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="payment", lazy="joined")
    recorded_by: Mapped[User | None] = relationship()

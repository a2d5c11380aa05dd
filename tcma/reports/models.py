"""Monthly roll-ups of leads, opportunities, page views and MDF, kept exact by triggers.

Dashboards at program scale cannot scan a million leads per request; they read these small
tables instead. Per campaign and month for pages narrowed to partners (a partner, a tier, a
region); per kit and month for the whole program. Triggers on the source tables keep them
exact in the same transaction as every insert, update and delete (see rollups.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tcma.db import Base
from tcma.reports import indexes, rollups  # noqa: F401 - their indexes and triggers

ZERO = text("0")


class LeadMonth(Base):
    """Leads created in a UTC month, per partner and campaign (campaign 0: none)."""

    __tablename__ = "report_lead_months"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leads: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    qualified: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)


class OpportunityMonth(Base):
    """Opportunities per month, partner, campaign (0: none) and currency; amounts in cents.

    created, new_pipeline and open_pipeline count opportunities by the month they were
    created; won and won_revenue count closed-won ones by the month they closed.
    """

    __tablename__ = "report_opportunity_months"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    created: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    new_pipeline: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)
    open_pipeline: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)
    won: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    won_revenue: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)


class ViewMonth(Base):
    """Landing page views of a campaign in a month."""

    __tablename__ = "report_view_months"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)


class KitMonth(Base):
    """The whole program per month, kit (0: no campaign) and currency ('' for counts).

    Leads and page views land on the row of currency ''; opportunities on their currency's.
    """

    __tablename__ = "report_kit_months"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    leads: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    qualified: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    views: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)
    created: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    new_pipeline: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)
    open_pipeline: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)
    won: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    won_revenue: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)


class FundMonth(Base):
    """The MDF ledger per month of entry, budget and kit (0: not tied to a campaign); cents."""

    __tablename__ = "report_fund_months"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    budget_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    allocated: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)
    committed: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)
    paid: Mapped[int] = mapped_column(BigInteger, default=0, server_default=ZERO)


# Per-campaign reads (kit filter, kit page) go through campaign_id first.
Index("ix_report_lead_months_campaign", LeadMonth.campaign_id, LeadMonth.month)
Index("ix_report_lead_months_partner", LeadMonth.partner_id, LeadMonth.month)
Index("ix_report_opportunity_months_campaign", OpportunityMonth.campaign_id, OpportunityMonth.month)
Index("ix_report_opportunity_months_currency", OpportunityMonth.currency)
Index("ix_report_opportunity_months_partner", OpportunityMonth.partner_id, OpportunityMonth.month)

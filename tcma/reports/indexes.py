"""Indexes the dashboards need on other areas' tables (the migration creates them too)."""

from __future__ import annotations

from sqlalchemy import Index, text

from tcma.reports.sources import LEAD_NEW, LEAD_WORKING, Lead

# "Leads not worked for a week": a partner's untouched open leads, oldest first, without
# reading the leads already qualified, disqualified, converted or erased.
_UNWORKED = text(f"status IN ('{LEAD_NEW}', '{LEAD_WORKING}') AND erased_at IS NULL")
LEADS_UNWORKED = Index(
    "ix_leads_unworked",
    Lead.partner_id,
    Lead.updated_at,
    postgresql_where=_UNWORKED,
    sqlite_where=_UNWORKED,
)

"""The other areas' tables and constants the reports read: one place to follow their renames."""

from __future__ import annotations

from tcma.accounts.models import Partner, Tier
from tcma.accounts.rules import REGION_LABELS, REGIONS
from tcma.campaigns.models import Campaign
from tcma.cobrand.models import AssetDownload
from tcma.kits.models import PUBLISHED as KIT_PUBLISHED
from tcma.kits.models import Kit, KitVersion
from tcma.kits.rules import OBJECTIVES
from tcma.mdf import money as mdf_money
from tcma.mdf import rules as mdf_rules
from tcma.mdf.models import Allocation, Budget, Claim, FundRequest, LedgerEntry
from tcma.pipeline import rules as pipeline_rules
from tcma.pipeline.models import Lead, Opportunity, PageViewDay

# Ledger kinds, by the balance bucket they move (see tcma.mdf.money.Balance.apply).
ALLOCATION_KINDS = mdf_money.ALLOCATION_KINDS
COMMITMENT_KINDS = mdf_money.COMMITMENT_KINDS
PAY = mdf_money.PAY
LEDGER_KINDS = mdf_money.LEDGER_KINDS

REQUEST_APPROVED = mdf_rules.APPROVED
# Claims that still count as "filed": a request with one of these is not waiting for a claim.
CLAIMS_FILED = (mdf_rules.SUBMITTED, mdf_rules.APPROVED, mdf_rules.PAID)

LEAD_NEW, LEAD_WORKING = pipeline_rules.NEW, pipeline_rules.WORKING
QUALIFIED_STATUSES = pipeline_rules.QUALIFIED_STATUSES
OPEN_STAGES = pipeline_rules.OPEN_STAGES
CLOSED_WON = pipeline_rules.CLOSED_WON

__all__ = [
    "ALLOCATION_KINDS",
    "CLAIMS_FILED",
    "CLOSED_WON",
    "COMMITMENT_KINDS",
    "KIT_PUBLISHED",
    "LEAD_NEW",
    "LEAD_WORKING",
    "LEDGER_KINDS",
    "OBJECTIVES",
    "OPEN_STAGES",
    "PAY",
    "QUALIFIED_STATUSES",
    "REGIONS",
    "REGION_LABELS",
    "REQUEST_APPROVED",
    "Allocation",
    "AssetDownload",
    "Budget",
    "Campaign",
    "Claim",
    "FundRequest",
    "Kit",
    "KitVersion",
    "Lead",
    "LedgerEntry",
    "Opportunity",
    "PageViewDay",
    "Partner",
    "Tier",
]

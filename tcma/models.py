"""Imports every area's models so that Base.metadata knows all tables (Alembic, tests)."""

from tcma import audit
from tcma.accounts import models as accounts
from tcma.api import models as api
from tcma.campaigns import models as campaigns
from tcma.campaigns import share as campaign_share
from tcma.cobrand import models as cobrand
from tcma.jobs import models as jobs
from tcma.kits import models as kits
from tcma.mailings import models as mailings
from tcma.mdf import models as mdf
from tcma.pipeline import models as pipeline
from tcma.reports import models as reports
from tcma.webhooks import models as webhooks

__all__ = [
    "accounts",
    "api",
    "audit",
    "campaign_share",
    "campaigns",
    "cobrand",
    "jobs",
    "kits",
    "mailings",
    "mdf",
    "pipeline",
    "reports",
    "webhooks",
]

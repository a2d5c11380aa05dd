"""Imports every area's models so that Base.metadata knows all tables (Alembic, tests)."""

from tcma import audit
from tcma.accounts import models as accounts
from tcma.campaigns import models as campaigns
from tcma.cobrand import models as cobrand
from tcma.jobs import models as jobs
from tcma.kits import models as kits
from tcma.mdf import models as mdf
from tcma.pipeline import models as pipeline
from tcma.reports import models as reports

__all__ = [
    "accounts",
    "audit",
    "campaigns",
    "cobrand",
    "jobs",
    "kits",
    "mdf",
    "pipeline",
    "reports",
]

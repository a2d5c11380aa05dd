"""Imports every area's models so that Base.metadata knows all tables (Alembic, tests)."""

from tcma import audit
from tcma.accounts import models as accounts

__all__ = ["accounts", "audit"]

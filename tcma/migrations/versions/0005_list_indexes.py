"""list indexes: keyset sort orders of the big lists, pg_trgm search indexes

Revision ID: 0005_list_indexes
Revises: 0004_jobs
Create Date: 2026-12-01 22:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_list_indexes"
down_revision: str | None = "0004_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, index, columns) of the plain B-tree indexes this migration adds.
SORT_INDEXES = (
    ("leads", "ix_leads_created", ["created_at", "id"]),
    ("opportunities", "ix_opportunities_created", ["created_at", "id"]),
    ("mdf_ledger_entries", "ix_mdf_ledger_entries_allocation_at", ["allocation_id", "at", "id"]),
    ("mdf_fund_requests", "ix_mdf_fund_requests_partner_list", ["partner_id", "id"]),
    ("mdf_fund_requests", "ix_mdf_fund_requests_status_list", ["status", "id"]),
    ("mdf_claims", "ix_mdf_claims_partner_list", ["partner_id", "id"]),
    ("mdf_claims", "ix_mdf_claims_status_list", ["status", "id"]),
    ("mdf_payments", "ix_mdf_payments_paid_on_list", ["paid_on", "id"]),
)
# Indexes that gain the id as their last column (a keyset order must be unique).
WIDENED = (
    ("leads", "ix_leads_partner_created", ["partner_id", "created_at"]),
    ("leads", "ix_leads_campaign_created", ["campaign_id", "created_at"]),
    ("opportunities", "ix_opportunities_partner_created", ["partner_id", "created_at"]),
    ("opportunities", "ix_opportunities_campaign_created", ["campaign_id", "created_at"]),
)
TRIGRAM = (
    ("leads", "first_name"),
    ("leads", "last_name"),
    ("leads", "email"),
    ("leads", "company"),
    ("opportunities", "name"),
    ("opportunities", "account"),
)


def _trigram(table: str, column: str) -> None:
    # GIN + gin_trgm_ops on PostgreSQL; an empty partial index on SQLite (it scans instead).
    op.create_index(
        f"ix_{table}_{column}_trgm",
        table,
        [column],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        sqlite_where=sa.text("0"),
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name, columns in SORT_INDEXES:
        op.create_index(name, table, columns, unique=False)
    for table, name, columns in WIDENED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [*columns, "id"], unique=False)
    for table, column in TRIGRAM:
        _trigram(table, column)


def downgrade() -> None:
    for table, column in TRIGRAM:
        op.drop_index(f"ix_{table}_{column}_trgm", table_name=table)
    for table, name, columns in WIDENED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
    for table, name, _ in SORT_INDEXES:
        op.drop_index(name, table_name=table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP EXTENSION IF EXISTS pg_trgm")

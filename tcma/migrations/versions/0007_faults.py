"""job records: a heartbeat, so a sweep can fail jobs whose worker died

Revision ID: 0007_faults
Revises: 0006_api
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_faults"
down_revision: str | None = "0006_api"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("job_records", sa.Column("heartbeat_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.execute("ALTER TABLE job_records DROP COLUMN heartbeat_at")

"""leads: a count of submissions and the time of the last one (repeats within a window)

Revision ID: 0003_lead_submissions
Revises: 0002_areas
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_lead_submissions"
down_revision: str | None = "0002_areas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: a batch rebuild of leads on SQLite would drop the
    # report roll-up triggers that 0002 put on it.
    op.add_column(
        "leads", sa.Column("submissions", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("leads", sa.Column("last_submitted_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("last_submitted_at")
        batch.drop_column("submissions")

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


# Plain ALTER TABLE, never batch mode: on SQLite a batch rebuild of leads would drop the
# roll-up triggers that 0002 put on it.
def upgrade() -> None:
    op.add_column(
        "leads", sa.Column("submissions", sa.Integer(), server_default=sa.text("1"), nullable=False)
    )
    op.add_column("leads", sa.Column("last_submitted_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.execute("ALTER TABLE leads DROP COLUMN last_submitted_at")
    op.execute("ALTER TABLE leads DROP COLUMN submissions")

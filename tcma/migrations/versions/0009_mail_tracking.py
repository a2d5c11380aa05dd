"""mail tracking: open pixel, approval, lead attribution, share clicks, mailing settings

Revision ID: 0009_mail_tracking
Revises: 0008_mailings
Create Date: 2026-12-05 17:02:30.965659
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0009_mail_tracking"
down_revision: str | None = "0008_mailings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The mailing states of 0008; this revision adds two (a mailing waiting for a marketer's
# approval, and a rejected one).
STATUS_CHECK = "status IN ('draft', 'scheduled', 'sending', 'sent', 'canceled'"


def upgrade() -> None:
    op.create_table(
        "mail_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("approval_threshold", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "approval_threshold >= 0", name=op.f("ck_mail_settings_approval_threshold")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_mail_settings_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_settings")),
    )
    op.create_table(
        "campaign_share_clicks",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_share_clicks_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "network", name=op.f("pk_campaign_share_clicks")),
    )
    # Plain ALTER TABLE, never batch mode: on SQLite a batch rebuild of leads would drop the
    # roll-up triggers that 0002 put on it (and so the lead columns carry no foreign keys).
    op.add_column("leads", sa.Column("mailing_id", sa.Integer(), nullable=True))
    op.add_column("leads", sa.Column("mail_contact_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_leads_mailing_id"), "leads", ["mailing_id"], unique=False)

    with op.batch_alter_table("mail_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("mail_mailings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("track_opens", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_recipients", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), server_default="", nullable=False))
        batch_op.create_foreign_key(
            batch_op.f("fk_mail_mailings_reviewed_by_id_users"),
            "users",
            ["reviewed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(batch_op.f("ck_mail_mailings_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_mail_mailings_status"),
            STATUS_CHECK + ", 'awaiting_approval', 'rejected')",
        )


def downgrade() -> None:
    with op.batch_alter_table("mail_mailings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_mail_mailings_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_mail_mailings_status"), STATUS_CHECK + ")")
        batch_op.drop_constraint(
            batch_op.f("fk_mail_mailings_reviewed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("review_note")
        batch_op.drop_column("approved_recipients")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by_id")
        batch_op.drop_column("track_opens")

    with op.batch_alter_table("mail_deliveries", schema=None) as batch_op:
        batch_op.drop_column("opened_at")

    op.drop_index(op.f("ix_leads_mailing_id"), table_name="leads")
    op.execute("ALTER TABLE leads DROP COLUMN mail_contact_id")
    op.execute("ALTER TABLE leads DROP COLUMN mailing_id")

    op.drop_table("campaign_share_clicks")
    op.drop_table("mail_settings")

"""mailings: contacts, lists, suppressions, mailings, deliveries

Revision ID: 0008_mailings
Revises: 0007_faults
Create Date: 2026-12-05 11:22:22.050861
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0008_mailings"
down_revision: str | None = "0007_faults"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("company", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=False),
        sa.Column("consent_basis", sa.String(length=30), nullable=False),
        sa.Column("consent_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "consent_basis IN ('consent', 'legitimate_interest', 'contract')",
            name=op.f("ck_mail_contacts_consent_basis"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_mail_contacts_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_contacts")),
        sa.UniqueConstraint("partner_id", "email", name="uq_mail_contacts_partner_email"),
    )
    with op.batch_alter_table("mail_contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mail_contacts_partner_created", ["partner_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "mail_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_mail_lists_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_lists")),
        sa.UniqueConstraint("partner_id", "name", name="uq_mail_lists_partner_name"),
    )
    with op.batch_alter_table("mail_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_lists_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "mail_list_members",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["mail_contacts.id"],
            name=op.f("fk_mail_list_members_contact_id_mail_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["mail_lists.id"],
            name=op.f("fk_mail_list_members_list_id_mail_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("list_id", "contact_id", name=op.f("pk_mail_list_members")),
    )
    with op.batch_alter_table("mail_list_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_list_members_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "mail_mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("asset_key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("greeting", sa.Text(), nullable=False),
        sa.Column("list_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_zone", sa.String(length=60), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'sending', 'sent', 'canceled')",
            name=op.f("ck_mail_mailings_status"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_mail_mailings_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_mail_mailings_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_mail_mailings_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_mailings")),
    )
    with op.batch_alter_table("mail_mailings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_mailings_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            "ix_mail_mailings_partner_created", ["partner_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_mail_mailings_status_scheduled", ["status", "scheduled_at"], unique=False
        )

    op.create_table(
        "mail_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailing_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("smtp_answer", sa.Text(), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("first_clicked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'deferred', 'failed', 'suppressed')",
            name=op.f("ck_mail_deliveries_state"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["mail_contacts.id"],
            name=op.f("fk_mail_deliveries_contact_id_mail_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mailing_id"],
            ["mail_mailings.id"],
            name=op.f("fk_mail_deliveries_mailing_id_mail_mailings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_deliveries")),
        sa.UniqueConstraint("mailing_id", "email", name="uq_mail_deliveries_mailing_email"),
    )
    with op.batch_alter_table("mail_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_deliveries_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            "ix_mail_deliveries_mailing_state", ["mailing_id", "state"], unique=False
        )

    op.create_table(
        "mail_suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("mailing_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN ('unsubscribed', 'bounced', 'complained', 'do_not_contact')",
            name=op.f("ck_mail_suppressions_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["mailing_id"],
            ["mail_mailings.id"],
            name=op.f("fk_mail_suppressions_mailing_id_mail_mailings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_mail_suppressions_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_suppressions")),
    )
    with op.batch_alter_table("mail_suppressions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mail_suppressions_email_partner", ["email", "partner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mail_suppressions_partner_id"), ["partner_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mail_suppressions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_suppressions_partner_id"))
        batch_op.drop_index("ix_mail_suppressions_email_partner")

    op.drop_table("mail_suppressions")
    with op.batch_alter_table("mail_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_deliveries_mailing_state")
        batch_op.drop_index(batch_op.f("ix_mail_deliveries_contact_id"))

    op.drop_table("mail_deliveries")
    with op.batch_alter_table("mail_mailings", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_mailings_status_scheduled")
        batch_op.drop_index("ix_mail_mailings_partner_created")
        batch_op.drop_index(batch_op.f("ix_mail_mailings_campaign_id"))

    op.drop_table("mail_mailings")
    with op.batch_alter_table("mail_list_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_list_members_contact_id"))

    op.drop_table("mail_list_members")
    with op.batch_alter_table("mail_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_lists_partner_id"))

    op.drop_table("mail_lists")
    with op.batch_alter_table("mail_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_contacts_partner_created")

    op.drop_table("mail_contacts")

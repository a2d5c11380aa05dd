"""API schemas of the MDF actions beyond the first version: edits, claims with proof, budgets."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import RAISE, Schema, fields, validate

from tcma.api.schemas import (
    ID_RANGE,
    MoneyString,
    Text,
    UTCDateTimeField,
    currency_field,
)
from tcma.mdf import rules, uploads
from tcma.mdf.schemas import MAX_COMMENT


class FundRequestEditSchema(Schema):
    """Change a draft or a request sent back: only the keys sent change."""

    allocation_id = fields.Integer(validate=ID_RANGE)
    activity_type = Text(validate=validate.OneOf(rules.ACTIVITY_TYPES))
    title = Text(validate=validate.Length(min=1, max=200))
    description = Text(validate=validate.Length(max=5000))
    start_date = fields.Date()
    end_date = fields.Date()
    currency = currency_field()
    total_cost = MoneyString()
    requested_amount = MoneyString()
    expected_leads = fields.Integer(validate=validate.Range(min=0, max=10**9))
    expected_pipeline = MoneyString()
    campaign_id = fields.Integer(allow_none=True, validate=ID_RANGE)


class ClaimCreateSchema(Schema):
    """A claim (multipart/form-data, as the page's form): amounts and an optional invoice."""

    class Meta:
        unknown = RAISE

    actual_cost = MoneyString(required=True)
    claimed_amount = MoneyString(required=True)
    currency = currency_field(load_default=None)
    notes = Text(multiline=True, load_default="", validate=validate.Length(max=5000))
    invoice = Upload(
        load_default=None,
        metadata={"description": "PDF, PNG, JPEG, CSV or XLSX, checked by content; 20 MB."},
    )


class ClaimEditSchema(Schema):
    """Change a draft claim or one sent back: only the keys sent change."""

    actual_cost = MoneyString()
    claimed_amount = MoneyString()
    currency = currency_field()
    notes = Text(multiline=True, validate=validate.Length(max=5000))


class ProofUploadSchema(Schema):
    """A proof-of-performance file (multipart/form-data)."""

    class Meta:
        unknown = RAISE

    kind = Text(required=True, validate=validate.OneOf(uploads.PROOF_KINDS))
    file = Upload(
        load_default=None,
        metadata={"description": "PDF, PNG, JPEG, CSV or XLSX, checked by content; 20 MB."},
    )


class BudgetSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(dump_only=True)
    period_start = fields.Date(dump_only=True)
    period_end = fields.Date(dump_only=True)
    currency = Text(dump_only=True)
    amount = MoneyString(dump_only=True)
    allocated = MoneyString(dump_only=True)
    created_at = UTCDateTimeField(dump_only=True)


class BudgetPageSchema(Schema):
    items = fields.List(fields.Nested(BudgetSchema))
    next_cursor = Text(allow_none=True)


class BudgetCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=120))
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    amount = MoneyString(required=True)
    currency = currency_field(required=True)


class AllocateSchema(Schema):
    """Give a partner (more) money from the budget."""

    partner_id = fields.Integer(required=True, validate=ID_RANGE)
    amount = MoneyString(required=True)
    currency = currency_field(load_default=None)
    comment = Text(load_default="", validate=validate.Length(max=300))


class AdjustSchema(Schema):
    """The allocation's new amount (never below what is committed and paid from it)."""

    amount = MoneyString(required=True)
    currency = currency_field(load_default=None)
    comment = Text(load_default="", validate=validate.Length(max=300))


class MoveSchema(Schema):
    """Move available money to another partner's allocation in the same budget."""

    to_partner_id = fields.Integer(required=True, validate=ID_RANGE)
    amount = MoneyString(required=True)
    currency = currency_field(load_default=None)
    comment = Text(load_default="", validate=validate.Length(max=300))


class SendBackSchema(Schema):
    """What the partner should change (required, as on the page)."""

    comment = Text(required=True, validate=validate.Length(min=1, max=MAX_COMMENT))

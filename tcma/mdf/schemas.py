"""API schemas for MDF: fund requests, claims, payments and allocations."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from tcma.api.schemas import (
    ID_RANGE,
    MoneyString,
    PageQuery,
    Text,
    UTCDateTimeField,
    currency_field,
)
from tcma.mdf import rules

#: The longest comment or reason a decision keeps (the pages' forms allow the same).
MAX_COMMENT = 2000


class FundRequestSchema(Schema):
    """A fund request as the API shows it; amounts are decimal strings in ``currency``."""

    id = fields.Integer(dump_only=True)
    partner_id = fields.Integer(dump_only=True)
    allocation_id = fields.Integer(dump_only=True)
    campaign_id = fields.Integer(dump_only=True, allow_none=True)
    activity_type = Text(dump_only=True, metadata={"enum": list(rules.ACTIVITY_TYPES)})
    title = Text(dump_only=True)
    description = Text(dump_only=True)
    start_date = fields.Date(dump_only=True)
    end_date = fields.Date(dump_only=True)
    currency = Text(dump_only=True)
    total_cost = MoneyString(dump_only=True)
    requested_amount = MoneyString(dump_only=True)
    approved_amount = MoneyString(dump_only=True, allow_none=True)
    share_percent = fields.Integer(dump_only=True)
    expected_leads = fields.Integer(dump_only=True)
    expected_pipeline = MoneyString(dump_only=True)
    status = Text(dump_only=True, metadata={"enum": list(rules.REQUEST_STATES)})
    actions = fields.Method(
        "_actions",
        dump_only=True,
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "What the state machine allows next (whoever may do it).",
        },
    )
    claim_due_on = fields.Date(dump_only=True, allow_none=True)
    decision_comment = Text(dump_only=True)
    created_at = UTCDateTimeField(dump_only=True)
    submitted_at = UTCDateTimeField(dump_only=True, allow_none=True)
    decided_at = UTCDateTimeField(dump_only=True, allow_none=True)

    def _actions(self, request: Any) -> list[str]:
        return sorted(rules.request_actions(request.status))


class FundRequestPageSchema(Schema):
    items = fields.List(fields.Nested(FundRequestSchema))
    next_cursor = Text(allow_none=True)


class MdfListQuery(PageQuery):
    """Filters of the MDF lists."""

    partner_id = fields.Integer(
        load_default=None,
        validate=ID_RANGE,
        metadata={"description": "Vendor tokens only; partner tokens always see their own."},
    )


class FundRequestQuery(MdfListQuery):
    status = Text(load_default=None, validate=validate.OneOf(rules.REQUEST_STATES))


class ClaimQuery(MdfListQuery):
    status = Text(load_default=None, validate=validate.OneOf(rules.CLAIM_STATES))
    fund_request_id = fields.Integer(load_default=None, validate=ID_RANGE)


class FundRequestCreateSchema(Schema):
    """A draft fund request on one of the partner's allocations."""

    allocation_id = fields.Integer(required=True, validate=ID_RANGE)
    activity_type = Text(required=True, validate=validate.OneOf(rules.ACTIVITY_TYPES))
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    description = Text(load_default="", validate=validate.Length(max=5000))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    #: Must be the allocation's budget currency.
    currency = currency_field(required=True)
    total_cost = MoneyString(required=True)
    requested_amount = MoneyString(required=True)
    expected_leads = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))
    expected_pipeline = MoneyString(load_default=None)
    campaign_id = fields.Integer(load_default=None, allow_none=True, validate=ID_RANGE)


class CommentSchema(Schema):
    """An optional comment kept in the audit trail."""

    comment = Text(load_default="", validate=validate.Length(max=MAX_COMMENT))


class ReasonSchema(Schema):
    """A rejection: the reason the partner will read."""

    comment = Text(required=True, validate=validate.Length(min=1, max=MAX_COMMENT))


class ApproveSchema(Schema):
    """Approve, possibly for less: ``amount`` (with its ``currency``) defaults to all of it."""

    amount = MoneyString(load_default=None)
    currency = currency_field(load_default=None)
    comment = Text(load_default="", validate=validate.Length(max=MAX_COMMENT))


class ApprovalResultSchema(FundRequestSchema):
    step = Text(
        dump_only=True,
        metadata={
            "enum": ["first", "final"],
            "description": "'first' when a second approver must still decide (four-eyes).",
        },
    )


class ProofFileSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = Text(dump_only=True)
    filename = Text(dump_only=True)
    content_type = Text(dump_only=True)
    size = fields.Integer(dump_only=True)
    uploaded_at = UTCDateTimeField(dump_only=True)


class ClaimSchema(Schema):
    """A claim as the API shows it; proof files are uploaded on the claim's page."""

    id = fields.Integer(dump_only=True)
    fund_request_id = fields.Integer(dump_only=True)
    partner_id = fields.Integer(dump_only=True)
    currency = Text(dump_only=True)
    actual_cost = MoneyString(dump_only=True)
    claimed_amount = MoneyString(dump_only=True)
    approved_amount = MoneyString(dump_only=True, allow_none=True)
    notes = Text(dump_only=True)
    status = Text(dump_only=True, metadata={"enum": list(rules.CLAIM_STATES)})
    actions = fields.Method(
        "_actions",
        dump_only=True,
        metadata={"type": "array", "items": {"type": "string"}},
    )
    decision_comment = Text(dump_only=True)
    proof_files = fields.List(fields.Nested(ProofFileSchema), dump_only=True)
    payment_id = fields.Method(
        "_payment_id", dump_only=True, metadata={"type": ["integer", "null"]}
    )
    created_at = UTCDateTimeField(dump_only=True)
    first_submitted_at = UTCDateTimeField(dump_only=True, allow_none=True)
    submitted_at = UTCDateTimeField(dump_only=True, allow_none=True)
    decided_at = UTCDateTimeField(dump_only=True, allow_none=True)
    paid_at = UTCDateTimeField(dump_only=True, allow_none=True)

    def _actions(self, claim: Any) -> list[str]:
        return sorted(rules.claim_actions(claim.status))

    def _payment_id(self, claim: Any) -> int | None:
        return claim.payment.id if claim.payment is not None else None


class ClaimPageSchema(Schema):
    items = fields.List(fields.Nested(ClaimSchema))
    next_cursor = Text(allow_none=True)


class PaymentSchema(Schema):
    """Finance's record that a claim was paid (in full: the approved amount)."""

    id = fields.Integer(dump_only=True)
    claim_id = fields.Integer(dump_only=True)
    partner_id = fields.Function(lambda p: p.claim.partner_id, dump_only=True)
    paid_on = fields.Date(dump_only=True)
    method = Text(dump_only=True, metadata={"enum": list(rules.PAYMENT_METHODS)})
    reference = Text(dump_only=True)
    amount = MoneyString(dump_only=True)
    currency = fields.Function(lambda p: p.claim.currency, dump_only=True)
    recorded_at = UTCDateTimeField(dump_only=True)


class PaymentPageSchema(Schema):
    items = fields.List(fields.Nested(PaymentSchema))
    next_cursor = Text(allow_none=True)


class PaymentCreateSchema(Schema):
    """Record that an approved claim was paid."""

    paid_on = fields.Date(required=True)
    method = Text(required=True, validate=validate.OneOf(rules.PAYMENT_METHODS))
    reference = Text(required=True, validate=validate.Length(min=1, max=120))


class BalanceSchema(Schema):
    """An allocation's balance, as its ledger says."""

    allocated = MoneyString()
    committed = MoneyString(metadata={"description": "Approved requests not yet paid."})
    claimed = MoneyString(metadata={"description": "Approved claims, paid or not."})
    paid = MoneyString()
    available = MoneyString(metadata={"description": "What new requests may still commit."})
    payable = MoneyString(metadata={"description": "Approved claims not yet paid."})


class AllocationSchema(Schema):
    """A partner's share of a budget, with its balance."""

    id = fields.Integer()
    partner_id = fields.Integer()
    budget_id = fields.Integer()
    budget_name = Text()
    period_start = fields.Date()
    period_end = fields.Date()
    currency = Text()
    balance = fields.Nested(BalanceSchema)


class AllocationPageSchema(Schema):
    items = fields.List(fields.Nested(AllocationSchema))
    next_cursor = Text(allow_none=True)


class AllocationQuery(MdfListQuery):
    budget_id = fields.Integer(load_default=None, validate=ID_RANGE)

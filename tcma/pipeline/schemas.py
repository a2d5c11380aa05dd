"""API schemas for leads and opportunities: they validate requests and describe answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tcma.api.schemas import (
    ID_RANGE,
    ListQuery,
    MoneyString,
    Text,
    UTCDateTimeField,
    currency_field,
)
from tcma.pipeline import rules

L = rules.LIMITS


def _text(limit: int, **kwargs: object) -> Text:
    return Text(validate=validate.Length(max=limit), **kwargs)  # type: ignore[arg-type]


class LeadSchema(Schema):
    """A lead as the API shows it."""

    id = fields.Integer(dump_only=True)
    partner_id = fields.Integer(dump_only=True)
    campaign_id = fields.Integer(dump_only=True, allow_none=True)
    first_name = Text(dump_only=True, allow_none=True)
    last_name = Text(dump_only=True, allow_none=True)
    email = Text(dump_only=True, allow_none=True)
    company = Text(dump_only=True, allow_none=True)
    title = Text(dump_only=True, allow_none=True)
    phone = Text(dump_only=True, allow_none=True)
    country = Text(dump_only=True, allow_none=True)
    consent = fields.Boolean(dump_only=True)
    consent_text = Text(dump_only=True, allow_none=True)
    status = Text(dump_only=True, metadata={"enum": list(rules.LEAD_STATUSES)})
    owner_id = fields.Integer(dump_only=True, allow_none=True)
    notes = Text(dump_only=True, allow_none=True)
    source = Text(dump_only=True, metadata={"enum": list(rules.LEAD_SOURCES)})
    utm_source = Text(dump_only=True, allow_none=True)
    utm_medium = Text(dump_only=True, allow_none=True)
    utm_content = Text(dump_only=True, allow_none=True)
    created_at = UTCDateTimeField(dump_only=True)
    updated_at = UTCDateTimeField(dump_only=True)


class LeadPageSchema(Schema):
    items = fields.List(fields.Nested(LeadSchema))
    next_cursor = Text(allow_none=True)


class LeadQuery(ListQuery):
    """Filters of the lead list."""

    campaign_id = fields.Integer(load_default=None, validate=ID_RANGE)
    partner_id = fields.Integer(
        load_default=None,
        validate=ID_RANGE,
        metadata={"description": "Vendor tokens only; partner tokens always see their own."},
    )
    status = Text(load_default="", validate=validate.OneOf(("", *rules.LEAD_STATUSES)))
    owner_id = fields.Integer(load_default=None, validate=ID_RANGE)
    q = _text(100, load_default="", metadata={"description": "Text in name, email or company."})


class LeadCreateSchema(Schema):
    """A lead from a form hosted elsewhere: the person agreed to ``consent_text``."""

    campaign_id = fields.Integer(required=True, validate=ID_RANGE)
    email = Text(required=True, validate=validate.Length(min=1, max=L["email"]))
    first_name = _text(L["first_name"], load_default="")
    last_name = _text(L["last_name"], load_default="")
    company = _text(L["company"], load_default="")
    title = _text(L["title"], load_default="")
    phone = _text(L["phone"], load_default="")
    country = _text(L["country"], load_default="")
    consent_text = Text(
        multiline=True,
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "The exact wording the person agreed to."},
    )
    utm_source = _text(100, load_default="")
    utm_medium = _text(100, load_default="")
    utm_content = _text(100, load_default="")


class LeadUpdateSchema(Schema):
    """Work a lead: any of status, owner and notes."""

    status = Text(validate=validate.OneOf(rules.LEAD_STATUSES))
    owner_id = fields.Integer(allow_none=True, validate=ID_RANGE)
    notes = Text(multiline=True, allow_none=True, validate=validate.Length(max=L["notes"]))


class OpportunitySchema(Schema):
    """An opportunity as the API shows it; ``amount`` is a decimal string in ``currency``."""

    id = fields.Integer(dump_only=True)
    partner_id = fields.Integer(dump_only=True)
    campaign_id = fields.Integer(dump_only=True, allow_none=True)
    lead_id = fields.Integer(dump_only=True, allow_none=True)
    account = Text(dump_only=True)
    name = Text(dump_only=True)
    amount = MoneyString(dump_only=True)
    currency = Text(dump_only=True)
    stage = Text(dump_only=True, metadata={"enum": list(rules.STAGES)})
    expected_close_on = fields.Date(dump_only=True, allow_none=True)
    closed_on = fields.Date(dump_only=True, allow_none=True)
    owner_id = fields.Integer(dump_only=True, allow_none=True)
    source = Text(dump_only=True)
    external_source = Text(dump_only=True, allow_none=True)
    external_id = Text(dump_only=True, allow_none=True)
    created_at = UTCDateTimeField(dump_only=True)
    updated_at = UTCDateTimeField(dump_only=True)


class OpportunityPageSchema(Schema):
    items = fields.List(fields.Nested(OpportunitySchema))
    next_cursor = Text(allow_none=True)


class OpportunityQuery(ListQuery):
    """Filters of the opportunity list (``external_*`` finds a CRM's deal)."""

    campaign_id = fields.Integer(load_default=None, validate=ID_RANGE)
    partner_id = fields.Integer(load_default=None, validate=ID_RANGE)
    stage = Text(load_default="", validate=validate.OneOf(("", "open", "closed", *rules.STAGES)))
    owner_id = fields.Integer(load_default=None, validate=ID_RANGE)
    external_source = _text(40, load_default=None)
    external_id = _text(100, load_default=None)
    q = _text(100, load_default="")


_EXTERNAL = validate.Regexp(r"^[A-Za-z0-9_.:\-]+$", error="Letters, digits and _ . : - only.")


class OpportunityCreateSchema(Schema):
    """Register an opportunity; a CRM sends its own id as ``external_source`` + ``external_id``."""

    name = Text(required=True, validate=validate.Length(min=1, max=L["opportunity_name"]))
    account = _text(L["account"], load_default="")
    amount = MoneyString(required=True)
    currency = currency_field(required=True)
    stage = Text(load_default=rules.PROSPECTING, validate=validate.OneOf(rules.STAGES))
    expected_close_on = fields.Date(load_default=None, allow_none=True)
    owner_id = fields.Integer(load_default=None, allow_none=True, validate=ID_RANGE)
    campaign_id = fields.Integer(load_default=None, allow_none=True, validate=ID_RANGE)
    external_source = Text(
        load_default=None, allow_none=True, validate=[validate.Length(min=1, max=40), _EXTERNAL]
    )
    external_id = Text(
        load_default=None, allow_none=True, validate=[validate.Length(min=1, max=100), _EXTERNAL]
    )


class OpportunityUpdateSchema(Schema):
    """Change any of an opportunity's facts; a new stage goes into its history."""

    name = Text(validate=validate.Length(min=1, max=L["opportunity_name"]))
    account = _text(L["account"])
    amount = MoneyString()
    currency = currency_field()
    stage = Text(validate=validate.OneOf(rules.STAGES))
    expected_close_on = fields.Date(allow_none=True)
    owner_id = fields.Integer(allow_none=True, validate=ID_RANGE)

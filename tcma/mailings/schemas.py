"""API schemas for mailings: contacts, lists, suppressions and mailings with their report."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tcma.api.schemas import ID_RANGE, ListQuery, PageQuery, Text, UTCDateTimeField
from tcma.mailings import rules

#: Ids sent in one request (list members, a mailing's lists).
MAX_IDS = 500


class ContactSchema(Schema):
    """A contact; ``suppressed`` says whether the address may not be mailed."""

    id = fields.Integer(dump_only=True)
    partner_id = fields.Integer(dump_only=True)
    email = Text(dump_only=True)
    first_name = Text(dump_only=True)
    last_name = Text(dump_only=True)
    company = Text(dump_only=True)
    title = Text(dump_only=True)
    country = Text(dump_only=True)
    consent_basis = Text(dump_only=True, metadata={"enum": list(rules.CONSENT_BASES)})
    consent_date = fields.Date(dump_only=True)
    list_ids = fields.List(fields.Integer(), dump_only=True)
    suppressed = fields.Boolean(dump_only=True)
    created_at = UTCDateTimeField(dump_only=True)
    updated_at = UTCDateTimeField(dump_only=True)


class ContactPageSchema(Schema):
    items = fields.List(fields.Nested(ContactSchema))
    next_cursor = Text(allow_none=True)


class ContactQuery(ListQuery):
    q = Text(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "Text in the email, name or company."},
    )
    list_id = fields.Integer(load_default=None, validate=ID_RANGE)


class ContactWriteSchema(Schema):
    """A contact's values; on PATCH only the keys sent change (``list_ids`` replaces)."""

    email = Text(validate=validate.Length(min=1, max=254))
    first_name = Text(validate=validate.Length(max=80))
    last_name = Text(validate=validate.Length(max=80))
    company = Text(validate=validate.Length(max=120))
    title = Text(validate=validate.Length(max=120))
    country = Text(validate=validate.Length(max=80))
    consent_basis = Text(validate=validate.OneOf(rules.CONSENT_BASES))
    consent_date = fields.Date()
    list_ids = fields.List(fields.Integer(validate=ID_RANGE), validate=validate.Length(max=MAX_IDS))


class ContactCreateSchema(ContactWriteSchema):
    email = Text(required=True, validate=validate.Length(min=1, max=254))
    consent_basis = Text(required=True, validate=validate.OneOf(rules.CONSENT_BASES))
    consent_date = fields.Date(required=True)


class ContactListSchema(Schema):
    id = fields.Integer(dump_only=True)
    partner_id = fields.Integer(dump_only=True)
    name = Text(dump_only=True)
    members = fields.Integer(dump_only=True)
    created_at = UTCDateTimeField(dump_only=True)


class ContactListPageSchema(Schema):
    items = fields.List(fields.Nested(ContactListSchema))
    next_cursor = Text(allow_none=True)


class ContactListCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=80))


class MembersSchema(Schema):
    """Contacts to add to a list (yours; another partner's id is a 404)."""

    contact_ids = fields.List(
        fields.Integer(validate=ID_RANGE),
        required=True,
        validate=validate.Length(min=1, max=MAX_IDS),
    )


class SuppressionSchema(Schema):
    id = fields.Integer(dump_only=True)
    partner_id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "null: the program-wide do-not-contact list."},
    )
    email = Text(dump_only=True)
    reason = Text(dump_only=True, metadata={"enum": list(rules.SUPPRESSION_REASONS)})
    mailing_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = UTCDateTimeField(dump_only=True)


class SuppressionPageSchema(Schema):
    items = fields.List(fields.Nested(SuppressionSchema))
    next_cursor = Text(allow_none=True)


class SuppressionQuery(PageQuery):
    reason = Text(load_default=None, validate=validate.OneOf(rules.SUPPRESSION_REASONS))


#: What a suppression added through the API may say (bounces and complaints come back by mail).
API_REASONS = (rules.UNSUBSCRIBED, rules.DO_NOT_CONTACT)


class SuppressionCreateSchema(Schema):
    email = Text(required=True, validate=validate.Length(min=1, max=254))
    reason = Text(load_default=rules.DO_NOT_CONTACT, validate=validate.OneOf(API_REASONS))


class ReportSchema(Schema):
    """What happened to a mailing's messages (the mailing page's figures)."""

    recipients = fields.Integer()
    delivered = fields.Integer()
    waiting = fields.Integer()
    bounced = fields.Integer()
    suppressed = fields.Integer()
    unconfirmed = fields.Integer()
    unsubscribed = fields.Integer()
    clicked = fields.Integer()


class MailingSchema(Schema):
    id = fields.Integer(dump_only=True)
    partner_id = fields.Integer(dump_only=True)
    campaign_id = fields.Integer(dump_only=True)
    asset_key = Text(dump_only=True)
    name = Text(dump_only=True)
    greeting = Text(dump_only=True)
    list_ids = fields.List(fields.Integer(), dump_only=True)
    status = Text(dump_only=True, metadata={"enum": list(rules.MAILING_STATES)})
    scheduled_at = UTCDateTimeField(dump_only=True, allow_none=True)
    time_zone = Text(dump_only=True)
    created_at = UTCDateTimeField(dump_only=True)
    started_at = UTCDateTimeField(dump_only=True, allow_none=True)
    finished_at = UTCDateTimeField(dump_only=True, allow_none=True)
    report = fields.Nested(ReportSchema, dump_only=True, allow_none=True)


class MailingPageSchema(Schema):
    items = fields.List(fields.Nested(MailingSchema))
    next_cursor = Text(allow_none=True)


class MailingQuery(PageQuery):
    status = Text(load_default=None, validate=validate.OneOf(rules.MAILING_STATES))
    campaign_id = fields.Integer(load_default=None, validate=ID_RANGE)


class MailingCreateSchema(Schema):
    """A draft mailing of one of a campaign's emails to some of your lists."""

    campaign_id = fields.Integer(required=True, validate=ID_RANGE)
    asset_key = Text(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "An email asset of the campaign's kit version."},
    )
    name = Text(required=True, validate=validate.Length(min=1, max=120))
    list_ids = fields.List(
        fields.Integer(validate=ID_RANGE),
        required=True,
        validate=validate.Length(min=1, max=MAX_IDS),
    )
    greeting = Text(
        load_default="",
        validate=validate.Length(max=rules.MAX_GREETING),
        metadata={"description": 'Merge fields, e.g. Hi {{ first_name or "there" }},'},
    )


class ScheduleSchema(Schema):
    """Send at a local date and time in an IANA time zone (within the next year)."""

    send_on = fields.Date(required=True)
    send_at = fields.Time(required=True, metadata={"example": "09:30"})
    time_zone = Text(load_default="UTC", validate=validate.Length(min=1, max=60))

"""API schemas for campaigns: they validate requests and describe answers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from tcma.api.schemas import (
    ID_RANGE,
    ListQuery,
    MoneyString,
    Text,
    UTCDateTimeField,
    decimal_string,
)
from tcma.campaigns import launch_rules, rules
from tcma.campaigns.models import STATUSES
from tcma.campaigns.rendering import landing_url

#: Field values are short co-brand texts; the kit's own limits apply on top (422 per field).
MAX_FIELD_VALUE = 5000
MAX_FIELDS = 100


class CampaignSchema(Schema):
    """A campaign as the API shows it."""

    id = fields.Integer(dump_only=True)
    partner_id = fields.Integer(dump_only=True)
    kit_id = fields.Integer(dump_only=True)
    kit_version_id = fields.Integer(dump_only=True)
    name = Text(dump_only=True)
    code = Text(dump_only=True, metadata={"description": "The tracking code."})
    status = Text(dump_only=True, metadata={"enum": list(STATUSES)})
    field_values = fields.Dict(
        keys=Text(),
        values=Text(),
        dump_only=True,
        metadata={"description": "Co-brand values by field key (image fields: a storage key)."},
    )
    starts_on = fields.Date(dump_only=True, allow_none=True)
    ends_on = fields.Date(dump_only=True, allow_none=True)
    consent_text = Text(dump_only=True, allow_none=True)
    landing_url = fields.Method("_landing_url", dump_only=True, metadata={"type": "string"})
    created_at = UTCDateTimeField(dump_only=True)
    updated_at = UTCDateTimeField(dump_only=True)
    launched_at = UTCDateTimeField(dump_only=True, allow_none=True)
    ended_at = UTCDateTimeField(dump_only=True, allow_none=True)

    def _landing_url(self, campaign: Any) -> str:
        return landing_url(campaign.code)


class CampaignPageSchema(Schema):
    items = fields.List(fields.Nested(CampaignSchema))
    next_cursor = Text(allow_none=True)


class CampaignQuery(ListQuery):
    """Filters of the campaign list."""

    status = Text(load_default=None, validate=validate.OneOf(STATUSES))
    kit_id = fields.Integer(load_default=None, validate=ID_RANGE)
    partner_id = fields.Integer(
        load_default=None,
        validate=ID_RANGE,
        metadata={"description": "Vendor tokens only; partner tokens always see their own."},
    )
    q = Text(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "Text in the campaign's name."},
    )


class CampaignCreateSchema(Schema):
    """Start a draft campaign from a published kit version of the partner's catalog."""

    kit_version_id = fields.Integer(
        required=True,
        validate=ID_RANGE,
        metadata={"description": "The kit's latest published version (GET /kits shows it)."},
    )
    name = Text(required=True, validate=validate.Length(min=1, max=rules.MAX_NAME_LENGTH))
    field_values = fields.Dict(
        keys=Text(validate=validate.Length(min=1, max=100)),
        values=Text(allow_none=True, validate=validate.Length(max=MAX_FIELD_VALUE)),
        load_default=dict,
        validate=validate.Length(max=MAX_FIELDS),
        metadata={
            "description": "Values by field key; a field left out gets its default. Image "
            "fields are set on the campaign's page."
        },
    )


class CampaignEditSchema(Schema):
    """Change the name or co-brand values; a field left out keeps its value."""

    name = Text(validate=validate.Length(min=1, max=rules.MAX_NAME_LENGTH))
    field_values = fields.Dict(
        keys=Text(validate=validate.Length(min=1, max=100)),
        values=Text(allow_none=True, validate=validate.Length(max=MAX_FIELD_VALUE)),
        validate=validate.Length(max=MAX_FIELDS),
        metadata={"description": "Values by field key (image fields on the campaign's page)."},
    )


class LaunchSchema(Schema):
    """Launch a draft: the run's first and last day and the lead form's consent wording."""

    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    consent_text = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=launch_rules.MAX_CONSENT_LENGTH),
        metadata={"description": "Left out: the default wording naming the partner and vendor."},
    )


class ActionSchema(Schema):
    """Pause or end: an optional reason kept in the audit trail."""

    comment = Text(load_default=None, allow_none=True, validate=validate.Length(max=300))


class AmountSchema(Schema):
    """An amount of money in one currency."""

    currency = Text()
    amount = MoneyString()


class FunnelStepSchema(Schema):
    label = Text()
    count = fields.Integer()
    rate = decimal_string("Percent of the step before (one decimal); null for the first.")


class PipelineFiguresSchema(Schema):
    """A campaign's pipeline as its pipeline page shows it; money per currency."""

    campaign_id = fields.Integer()
    views = fields.Integer()
    leads = fields.Integer()
    qualified = fields.Integer()
    opportunities = fields.Integer()
    won = fields.Integer()
    open_pipeline = fields.List(fields.Nested(AmountSchema))
    won_revenue = fields.List(fields.Nested(AmountSchema))
    mdf_approved = fields.List(fields.Nested(AmountSchema))
    mdf_paid = fields.List(fields.Nested(AmountSchema))
    cost_per_lead = fields.Nested(AmountSchema, allow_none=True)
    roi = decimal_string("Won revenue / MDF paid; null without MDF or across currencies.")
    funnel = fields.List(fields.Nested(FunnelStepSchema))


class PipelineQuery(Schema):
    """Days of activity the figures cover (both optional)."""

    date_from = fields.Date(load_default=None, data_key="from")
    date_to = fields.Date(load_default=None, data_key="to")

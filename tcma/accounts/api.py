"""Partners and tiers over /api/v1 (read): for the vendor's staff, as the partners pages."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select

from tcma import db
from tcma.accounts import rules
from tcma.accounts.models import Partner, Tier
from tcma.api.auth import require
from tcma.api.blueprint import api_blueprint, problems
from tcma.api.errors import ApiProblem
from tcma.api.pagination import keyset_page
from tcma.api.schemas import ID_RANGE, PageQuery, Text, UTCDateTimeField

bp = api_blueprint("api_partners", __name__, "", "Partner companies and tiers (vendor staff).")

STAFF = rules.VENDOR_ROLES


class TierSchema(Schema):
    id = fields.Integer()
    name = Text()
    rank = fields.Integer(metadata={"description": "Higher ranks are better tiers."})
    description = Text()


class TierListSchema(Schema):
    items = fields.List(fields.Nested(TierSchema))


class PartnerSchema(Schema):
    id = fields.Integer()
    name = Text()
    tier = fields.Nested(TierSchema)
    region = Text(metadata={"enum": list(rules.REGIONS)})
    website = Text()
    status = Text(metadata={"enum": ["active", "suspended"]})
    created_at = UTCDateTimeField()


class PartnerPageSchema(Schema):
    items = fields.List(fields.Nested(PartnerSchema))
    next_cursor = Text(allow_none=True)


class PartnerQuery(PageQuery):
    q = Text(load_default="", validate=validate.Length(max=100))
    tier_id = fields.Integer(load_default=None, validate=ID_RANGE)
    region = Text(load_default=None, validate=validate.OneOf(rules.REGIONS))
    status = Text(load_default=None, validate=validate.OneOf(("active", "suspended")))


@bp.get("/partners")
@require("partners", "read", STAFF)
@problems(bp, 400, 422)
@bp.arguments(PartnerQuery, location="query", unknown=None)
@bp.response(200, PartnerPageSchema)
def list_partners(args: dict[str, Any]) -> dict[str, Any]:
    """Partner companies, newest first; filter by text, tier, region and status."""
    stmt = select(Partner)
    if q := args["q"].strip():
        stmt = stmt.where(
            or_(
                Partner.name.icontains(q, autoescape=True),
                Partner.website.icontains(q, autoescape=True),
            )
        )
    for name, column in (
        ("tier_id", Partner.tier_id),
        ("region", Partner.region),
        ("status", Partner.status),
    ):
        if args[name] is not None:
            stmt = stmt.where(column == args[name])
    page = keyset_page(db.session(), stmt, Partner.id, args["cursor"], args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor}


@bp.get("/partners/<id:partner_id>")
@require("partners", "read", STAFF)
@problems(bp, 404)
@bp.response(200, PartnerSchema)
def get_partner(partner_id: int) -> Partner:
    """One partner company."""
    partner = db.session().get(Partner, partner_id)
    if partner is None:
        raise ApiProblem(404)
    return partner


@bp.get("/tiers")
@require("partners", "read", STAFF)
@problems(bp)
@bp.response(200, TierListSchema)
def list_tiers() -> dict[str, Any]:
    """Every tier, best first (there are a handful: no paging)."""
    tiers = db.session().scalars(select(Tier).order_by(Tier.rank.desc(), Tier.name))
    return {"items": list(tiers)}

"""The kit catalog over /api/v1 (read): a partner sees the kits of its tier and region."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from tcma import db
from tcma.accounts.models import Partner
from tcma.api.auth import principal, require
from tcma.api.blueprint import api_blueprint, problems
from tcma.api.errors import ApiProblem
from tcma.api.pagination import decode_cursor, encode_cursor
from tcma.api.schemas import PageQuery, Text, UTCDateTimeField
from tcma.kits import rules, services
from tcma.kits.models import PUBLISHED, Kit, KitVersion

bp = api_blueprint("api_kits", __name__, "/kits", "The kit catalog.")


class AssetSchema(Schema):
    key = Text()
    kind = Text(metadata={"enum": list(rules.KINDS)})
    name = Text()


class VersionSchema(Schema):
    """A published kit version: what a campaign is started from (``kit_version_id``)."""

    id = fields.Integer()
    kit_id = fields.Integer()
    number = fields.Integer(allow_none=True)
    change_note = Text()
    published_at = UTCDateTimeField(allow_none=True)
    fields_ = fields.Function(
        lambda v: list(v.manifest.get("fields", [])),
        data_key="fields",
        metadata={
            "type": "array",
            "items": {"type": "object"},
            "description": "The co-brand fields as kit.toml declares them (key, label, type, "
            "required, default, limits); campaigns send their values by key.",
        },
    )
    assets = fields.List(fields.Nested(AssetSchema))


class VersionListSchema(Schema):
    items = fields.List(fields.Nested(VersionSchema))


class KitSchema(Schema):
    id = fields.Integer()
    slug = Text()
    name = Text()
    summary = Text()
    objective = Text(metadata={"enum": list(rules.OBJECTIVES)})
    audience = Text()
    tags = fields.List(Text())
    tiers = fields.List(Text(), metadata={"description": "Empty: every tier."})
    regions = fields.List(Text(), metadata={"description": "Empty: every region."})
    updated_at = UTCDateTimeField()
    latest_version = fields.Nested(VersionSchema)


class KitPageSchema(Schema):
    items = fields.List(fields.Nested(KitSchema))
    next_cursor = Text(allow_none=True)


class KitQuery(PageQuery):
    q = Text(load_default="", validate=validate.Length(max=100))
    objective = Text(load_default="", validate=validate.OneOf(("", *rules.OBJECTIVES)))
    kind = Text(load_default="", validate=validate.OneOf(("", *rules.KINDS)))
    tag = Text(load_default="", validate=validate.Length(max=60))


def _partner() -> Partner | None:
    """A partner token sees its catalog; vendor staff see every active kit, as on the page."""
    return principal().partner if principal().partner_id else None


_KIT_FACTS = ("id", "slug", "name", "summary", "objective", "audience", "tags", "tiers")


def _row(kit: Kit, version: KitVersion) -> dict[str, Any]:
    facts = {name: getattr(kit, name) for name in (*_KIT_FACTS, "regions", "updated_at")}
    return {**facts, "latest_version": version}


def _visible(kit_id: int) -> KitVersion:
    version = services.get_visible_kit_version(db.session(), _partner(), kit_id)
    if version is None:
        raise ApiProblem(404)
    return version


@bp.get("")
@require("kits", "read")
@problems(bp, 400, 422)
@bp.arguments(KitQuery, location="query", unknown=None)
@bp.response(200, KitPageSchema)
def list_kits(args: dict[str, Any]) -> dict[str, Any]:
    """The catalog, newest kit first, each with its latest published version."""
    stmt = services.filter_catalog(
        services.visible_kits_statement(_partner()),
        q=args["q"],
        objective=args["objective"],
        kind=args["kind"],
        tag=args["tag"],
    )
    if args["cursor"]:
        stmt = stmt.where(Kit.id < decode_cursor(args["cursor"]))
    rows = db.session().execute(stmt.order_by(Kit.id.desc()).limit(args["limit"] + 1)).all()
    more = len(rows) > args["limit"]
    rows = rows[: args["limit"]]
    return {
        "items": [_row(kit, version) for kit, version in rows],
        "next_cursor": encode_cursor(rows[-1][0].id) if more and rows else None,
    }


@bp.get("/<id:kit_id>")
@require("kits", "read")
@problems(bp, 404)
@bp.response(200, KitSchema)
def get_kit(kit_id: int) -> dict[str, Any]:
    """One kit of the catalog with its latest published version (a kit not yours is 404)."""
    version = _visible(kit_id)
    return _row(version.kit, version)


@bp.get("/<id:kit_id>/versions")
@require("kits", "read")
@problems(bp, 404)
@bp.response(200, VersionListSchema)
def list_versions(kit_id: int) -> dict[str, Any]:
    """Every published version of a kit of the catalog, newest first (a published version
    never changes; campaigns keep the version they were started from)."""
    _visible(kit_id)
    versions = db.session().scalars(
        select(KitVersion)
        .where(KitVersion.kit_id == kit_id, KitVersion.status == PUBLISHED)
        .order_by(KitVersion.number.desc())
    )
    return {"items": list(versions)}

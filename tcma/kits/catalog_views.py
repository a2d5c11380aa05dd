"""The kit catalog: partners browse the published kits meant for their tier and region."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tcma import db, thumbs
from tcma.accounts.models import Partner
from tcma.kits import previews, rules, services
from tcma.kits.models import Kit, KitAsset, KitVersion
from tcma.kits.web import preview_png_response
from tcma.pagination import page_number, paginate
from tcma.permissions import signed_in
from tcma.storage import StorageError, get_storage

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

PER_PAGE = 12


def _partner() -> Partner | None:
    """The signed-in partner; vendor staff see every active kit, as a catalog overview."""
    return current_user.partner if current_user.partner_id else None


def _visible_version_or_404(kit_id: int) -> KitVersion:
    version = services.get_visible_kit_version(db.session(), _partner(), kit_id)
    return version or abort(404)


#: Covers are shown about 240 px wide: a copy twice that, sharp on high-density screens.
COVER_WIDTH = 480


def cover_url(key: str | None, slug: str) -> str | None:
    """A short-lived link to a copy of a kit's cover image at the size it is shown."""
    if not key:
        return None
    storage = get_storage()
    thumb = f"{thumbs.THUMB_PREFIX}covers/{key}-w{COVER_WIDTH}"
    try:
        small = thumbs.cached_copy(storage, thumb, lambda: storage.read(key), COVER_WIDTH)
    except StorageError:
        small = None
    if small is not None:
        return storage.download_url(
            f"{thumb}.{small[1][6:]}", f"{slug}-cover.{small[1][6:]}", inline=True
        )
    return storage.download_url(key, f"{slug}-cover{key[key.rfind('.') :]}", inline=True)


@bp.route("/")
@signed_in
def index() -> str:
    """Cards of the kits this partner may use, searchable and filtered."""
    session = db.session()
    args = request.args
    partner = _partner()
    stmt = services.filter_catalog(
        services.visible_kits_statement(partner),
        q=args.get("q", ""),
        objective=args.get("objective", ""),
        kind=args.get("kind", ""),
        tag=args.get("tag", ""),
    )
    total_stmt = stmt.with_only_columns(Kit.id)
    page = paginate(session, total_stmt.order_by(Kit.name), page_number(args.get("page")), PER_PAGE)
    rows = {
        kit.id: (kit, version)
        for kit, version in session.execute(stmt.where(Kit.id.in_(page.items))).all()
    }
    cards = [rows[kit_id] for kit_id in page.items if kit_id in rows]
    kinds: dict[int, list[str]] = {}
    version_ids = [version.id for _, version in cards]
    for version_id, kind in session.execute(
        select(KitAsset.version_id, KitAsset.kind)
        .where(KitAsset.version_id.in_(version_ids))
        .order_by(KitAsset.position)
    ):
        kinds.setdefault(version_id, [])
        if kind not in kinds[version_id]:
            kinds[version_id].append(kind)
    covers = {kit.id: cover_url(kit.cover_key, kit.slug) for kit, _ in cards}
    return render_template(
        "catalog/index.html",
        page=page,
        cards=cards,
        kinds=kinds,
        covers=covers,
        objectives=rules.OBJECTIVES,
        kind_labels=rules.KIND_LABELS,
        tags=services.catalog_tags(session, partner),
        filtered=any(args.get(name) for name in ("q", "objective", "kind", "tag")),
    )


@bp.route("/kits/<int:kit_id>")
@signed_in
def kit(kit_id: int) -> str:
    """One kit: every asset's preview with the default brand, and the fields partners fill in."""
    version = _visible_version_or_404(kit_id)
    kit = version.kit
    return render_template(
        "catalog/kit.html",
        kit=kit,
        version=version,
        cover=cover_url(kit.cover_key, kit.slug),
        kind_labels=rules.KIND_LABELS,
        preview_size=previews.preview_size,
    )


@bp.route("/kits/<int:kit_id>/assets/<key>/preview.png")
@signed_in
def asset_preview(kit_id: int, key: str) -> Response:
    """The PNG preview of one asset of a kit this partner may see."""
    return preview_png_response(_visible_version_or_404(kit_id), key)

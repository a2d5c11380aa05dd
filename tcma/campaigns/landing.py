"""Hosted landing pages: one lean query per visit, the page cached in storage, the form slot.

A visit to /l/<code> costs one SQL query (the campaign's facts, its partner, the key of
its landing asset and the id of the partner's current brand) and at most one storage read:
the kit's landing asset is rendered once per (campaign values, brand version, kit version)
with an empty slot where the lead form goes, and each visitor's form (with its CSRF and
submit tokens) is put into that slot with a string replace.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, lazyload

from tcma import db
from tcma.accounts.models import Partner, Tier
from tcma.campaigns.models import Campaign
from tcma.campaigns.rendering import CampaignDraft, build_context, cached_renderer, kit_source
from tcma.cobrand.models import BrandVersion
from tcma.cobrand.render import RENDER_FORMAT_VERSION, RenderError
from tcma.kits.models import KitAsset
from tcma.security import app_secret
from tcma.storage import Storage, StorageError, StorageNotFound
from tcma.webhooks import services as webhooks

log = logging.getLogger(__name__)

LANDING_PREFIX = "renders/landing/"
#: Marks where the lead form goes in a rendered page; never shown to anybody.
LEAD_FORM_SLOT = '<div class="tcma-lead-form-slot" data-tcma-slot="lead-form"></div>'
SUBMIT_TOKEN_SALT = "tcma.landing.submit-token"  # noqa: S105 - a salt, not a secret
#: A form older than this is refused politely (the visitor sends it again).
SUBMIT_TOKEN_MAX_AGE = 2 * 24 * 3600


@dataclass(frozen=True)
class Visit:
    """What a visit to a landing page needs to know, read in one query."""

    campaign_id: int
    partner_id: int
    code: str
    status: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    consent_text: str | None
    kit_version_id: int
    field_values: dict[str, Any]
    partner: tuple[str, str, str, str]  # name, tier, region, website
    landing_asset: str | None
    brand_version_id: int | None

    @property
    def partner_name(self) -> str:
        return self.partner[0]


@functools.cache
def _visit_statement() -> Select:
    # Built once: every visit runs it, and building a select costs more than running it.
    landing = (
        select(KitAsset.key)
        .where(KitAsset.version_id == Campaign.kit_version_id, KitAsset.kind == "landing")
        .order_by(KitAsset.position)
        .limit(1)
        .correlate(Campaign)
        .scalar_subquery()
    )
    brand = (
        select(BrandVersion.id)
        .where(BrandVersion.partner_id == Campaign.partner_id)
        .order_by(BrandVersion.number.desc())
        .limit(1)
        .correlate(Campaign)
        .scalar_subquery()
    )
    return (
        select(
            # The campaign as an entity: a lead POST finds it in the session afterwards
            # (no second SELECT); its eager joins are switched off, the page needs none.
            Campaign,
            Partner.name,
            Tier.name,
            Partner.region,
            Partner.website,
            landing,
            brand,
        )
        .join(Partner, Partner.id == Campaign.partner_id)
        .join(Tier, Tier.id == Partner.tier_id)
        .where(Campaign.code == bindparam("code"))
        .options(lazyload("*"))
    )


def find_visit(session: Session, code: str) -> Visit | None:
    """The facts of the campaign with this public code, or None."""
    found = find_visit_and_campaign(session, code)
    return found[0] if found else None


def find_visit_and_campaign(
    session: Session, code: str, lock: str | None = None
) -> tuple[Visit, Campaign] | None:
    """The facts and the campaign itself (one SELECT): a lead POST keeps the campaign, so
    the session's identity map (which holds objects only while referenced) still has it
    for the lead's insert instead of selecting it again.

    With ``lock`` (a lead POST) the same SELECT takes db.lock_for_transaction(lock) and
    learns whether the partner has webhook endpoints: two round trips fewer per lead.
    """
    stmt, params = _visit_statement(), dict[str, Any](code=code)
    column: Any = None
    if lock is not None:
        column, lock_params = db.lock_column(session, lock)
        params |= lock_params
        stmt = stmt.add_columns(webhooks.endpoints_exist(Campaign.partner_id))
        if column is not None:
            stmt = stmt.add_columns(column)
    row = session.execute(stmt, params).first()
    if row is None:
        return None
    campaign = row[0]
    if lock is not None:
        if column is not None:
            db.locked_by_column(session, lock)
        if not row[7]:
            webhooks.note_no_endpoints(session, campaign.partner_id)
    return Visit(
        campaign_id=campaign.id,
        partner_id=campaign.partner_id,
        code=campaign.code,
        status=campaign.status,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        consent_text=campaign.consent_text,
        kit_version_id=campaign.kit_version_id,
        field_values=dict(campaign.field_values or {}),
        partner=tuple(row[1:5]),
        landing_asset=row[5],
        brand_version_id=row[6],
    ), campaign


def page_key(visit: Visit) -> str:
    """The storage key of a campaign's rendered page: it changes with anything the page shows."""
    config = current_app.config
    inputs = [
        RENDER_FORMAT_VERSION,
        visit.code,
        visit.kit_version_id,
        visit.landing_asset,
        visit.brand_version_id,
        sorted((str(k), str(v)) for k, v in visit.field_values.items()),
        list(visit.partner),
        [config["BASE_URL"], config["VENDOR_NAME"], config["VENDOR_WEBSITE"]],
        LEAD_FORM_SLOT,
    ]
    digest = hashlib.sha256(json.dumps(inputs, default=str).encode()).hexdigest()
    return f"{LANDING_PREFIX}{visit.campaign_id}/{digest}.html"


class _RecentPages:
    """The last pages read from storage, kept in this process.

    A page's key names everything it shows, so a kept page can never be out of date; this
    saves the storage read (a network round trip on S3) for the pages visited most.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._pages: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: str) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


_recent = _RecentPages(256)


def landing_html(session: Session, storage: Storage, visit: Visit) -> str | None:
    """The co-branded page with an empty form slot; None when the kit has no landing asset
    or its template fails (the caller then shows the plain branded page)."""
    if visit.landing_asset is None:
        return None
    key = page_key(visit)
    if (page := _recent.get(key)) is not None:
        return page
    try:
        page = storage.read(key).decode("utf-8")
    except StorageNotFound:
        pass
    except StorageError as exc:
        log.warning("landing page cache read of %s failed: %s", key, exc)
    else:
        _recent.put(key, page)
        return page
    campaign = session.get_one(Campaign, visit.campaign_id)
    brand = session.get(BrandVersion, visit.brand_version_id) if visit.brand_version_id else None
    try:
        ctx = build_context(
            session,
            storage,
            CampaignDraft.of(campaign),
            "landing",
            brand=brand,
            lead_form_html=LEAD_FORM_SLOT,
        )
        result = cached_renderer(storage).render(
            kit_source(storage, campaign.kit_version), visit.landing_asset, ctx, "html"
        )
    except (RenderError, StorageError) as exc:
        log.error("landing page of campaign %s could not be rendered: %s", campaign.id, exc)
        return None
    try:
        storage.put(key, result.data, "text/html; charset=utf-8")
    except StorageError as exc:
        log.warning("landing page cache write of %s failed: %s", key, exc)
    page = result.data.decode("utf-8")
    _recent.put(key, page)
    return page


def with_form(page: str, form_html: str) -> str:
    """Put the lead form into the page's slot (or before </body> if the kit forgot the slot).

    The form's own <style> goes into the page's <head>, where HTML allows it.
    """
    style, end, rest = form_html.partition("</style>")
    head = page.lower().find("</head>")
    if end and head != -1 and style.lstrip().startswith("<style"):
        page = page[:head] + style.strip() + end + "\n" + page[head:]
        form_html = rest.lstrip()
    if LEAD_FORM_SLOT in page:
        return page.replace(LEAD_FORM_SLOT, form_html, 1)
    index = page.lower().rfind("</body>")
    if index == -1:
        return page + form_html
    return page[:index] + form_html + page[index:]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app_secret(), salt=SUBMIT_TOKEN_SALT)


def new_submit_token(campaign_id: int) -> str:
    """A signed, unique value for one rendered form; the lead stores its random part."""
    return _serializer().dumps([campaign_id, secrets.token_urlsafe(16)])


def read_submit_token(token: str, campaign_id: int) -> str | None:
    """The random part of a submit token this app issued for this campaign, else None."""
    if not token or len(token) > 200:
        return None
    try:
        value = _serializer().loads(token, max_age=SUBMIT_TOKEN_MAX_AGE)
    except BadSignature:  # also SignatureExpired, a subclass
        return None
    if not (isinstance(value, list) and len(value) == 2 and value[0] == campaign_id):
        return None
    nonce = value[1]
    return nonce if isinstance(nonce, str) and 10 <= len(nonce) <= 64 else None

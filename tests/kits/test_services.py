"""Kit use cases on a real database and storage: drafts, publishing, immutability, archive."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tcma.audit import AuditEvent
from tcma.kits import authoring, importer, services
from tcma.kits.authoring import KitMetadata
from tcma.kits.models import ARCHIVED, KitVersion
from tcma.kits.package import read_zip
from tcma.kits.rules import DraftRefused, KitError, PackageError
from tcma.storage import Storage
from tests.conftest import World
from tests.kits.support import make_zip, png_bytes, with_files

META = KitMetadata(
    name="Cloud backup week",
    summary="Five days of backup tips.",
    objective="awareness",
    audience="IT managers",
    tags=["backup"],
)
BANNER = {"key": "banner", "kind": "banner", "name": "Banner", "width": 300, "height": 100}


def new_kit(session: Session, storage: Storage, world: World):
    marketer = world.users["marketer"].id
    kit = authoring.create_kit(session, storage, marketer, META, cover=("c.png", png_bytes()))
    authoring.save_field(
        session,
        storage,
        kit,
        marketer,
        {"key": "headline", "label": "Headline", "type": "text", "default": "Back up today"},
        [],
    )
    authoring.save_asset(
        session,
        storage,
        kit,
        marketer,
        dict(BANNER),
        {"template": b"<h1>{{ fields.headline }}</h1>"},
    )
    session.commit()
    return kit


def test_a_new_kit_is_an_active_draft_with_its_metadata(db_session, storage, world) -> None:
    kit = new_kit(db_session, storage, world)
    draft = services.draft_of(db_session, kit)
    assert kit.slug == "cloud-backup-week" and kit.status == "active"
    assert draft.number is None and draft.status == "draft"
    assert draft.manifest["cover"] == "media/cover.png"
    assert kit.cover_key == f"kits/cloud-backup-week/v{draft.id}/media/cover.png"
    assert [(a.key, a.used_fields) for a in draft.assets] == [("banner", ["headline"])]
    assert storage.read(draft.storage_key("banner.html")) == b"<h1>{{ fields.headline }}</h1>"
    assert services.latest_published_version(db_session, kit) is None


def test_a_template_that_does_not_compile_saves_nothing(db_session, storage, world) -> None:
    kit = new_kit(db_session, storage, world)
    draft = services.draft_of(db_session, kit)
    before = (dict(draft.manifest), dict(draft.files))
    with pytest.raises(DraftRefused) as caught:
        authoring.save_asset(
            db_session,
            storage,
            kit,
            None,
            dict(BANNER, key="b2"),
            {"template": b"<p>\n{% for x in %}\n</p>"},
        )
    problem = caught.value.problems[0]
    assert (problem.path, problem.line) == ("b2.html", 2)
    with pytest.raises(DraftRefused) as caught:
        authoring.save_asset(
            db_session,
            storage,
            kit,
            None,
            dict(BANNER, key="b3"),
            {"template": b"<p>{{ fields.offer }}</p>"},
        )
    assert caught.value.problems[0].message == "fields.offer is not a field declared in kit.toml"
    db_session.rollback()
    assert (draft.manifest, draft.files) == before
    assert not storage.exists(draft.storage_key("b2.html"))
    assert not storage.exists(draft.storage_key("b3.html"))


def test_publishing_numbers_versions_and_records_who(db_session, storage, world) -> None:
    kit = new_kit(db_session, storage, world)
    marketer = world.users["marketer"].id
    first = services.publish_draft(db_session, storage, kit, marketer, "First version")
    assert (first.number, first.status, first.published_by_id) == (1, "published", marketer)
    assert services.draft_of(db_session, kit) is None
    with pytest.raises(KitError, match="There is no draft"):
        services.publish_draft(db_session, storage, kit, marketer, "again")
    authoring.save_field(
        db_session,
        storage,
        kit,
        marketer,
        {"key": "offer", "label": "Offer", "type": "long_text"},
        ["banner"],
    )
    second = services.publish_draft(db_session, storage, kit, marketer, "Adds an offer")
    assert second.number == 2
    assert services.latest_published_version(db_session, kit) == second
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "kit.published"))
    assert [(e.to_state, e.comment, e.actor_id) for e in events] == [
        ("version 1", "First version", marketer),
        ("version 2", "Adds an offer", marketer),
    ]


def test_editing_a_published_kit_works_on_a_new_draft(db_session, storage, world) -> None:
    kit = new_kit(db_session, storage, world)
    v1 = services.publish_draft(db_session, storage, kit, None, "First version")
    v1_manifest, v1_banner = dict(v1.manifest), storage.read(v1.storage_key("banner.html"))
    authoring.save_asset(
        db_session,
        storage,
        kit,
        None,
        {"name": "Wide banner"},
        {"template": b"<h2>{{ fields.headline }}</h2>"},
        "banner",
    )
    draft = services.draft_of(db_session, kit)
    assert draft.id != v1.id and draft.storage_prefix != v1.storage_prefix
    assert set(draft.files) == set(v1.files)
    assert draft.manifest["assets"][0]["name"] == "Wide banner"
    assert (v1.manifest, storage.read(v1.storage_key("banner.html"))) == (v1_manifest, v1_banner)
    # A second edit continues the same draft.
    authoring.update_metadata(db_session, storage, kit, None, META)
    assert services.draft_of(db_session, kit).id == draft.id


def test_a_published_version_refuses_any_change(db_session, storage, world) -> None:
    kit = new_kit(db_session, storage, world)
    v1 = services.publish_draft(db_session, storage, kit, None, "First version")
    db_session.commit()
    v1.manifest = {**v1.manifest, "name": "Sneaky"}
    with pytest.raises(KitError, match="never changes"):
        db_session.flush()


def test_publishing_without_changes_or_note_is_refused(db_session, storage, world) -> None:
    kit = new_kit(db_session, storage, world)
    with pytest.raises(KitError, match="Say what changed"):
        services.publish_draft(db_session, storage, kit, None, "  ")
    services.publish_draft(db_session, storage, kit, None, "First version")
    authoring.update_metadata(db_session, storage, kit, None, META)
    with pytest.raises(KitError, match="Nothing changed since version 1"):
        services.publish_draft(db_session, storage, kit, None, "Same again")


def test_a_field_in_use_cannot_be_deleted(db_session, storage, world) -> None:
    kit = new_kit(db_session, storage, world)
    with pytest.raises(DraftRefused, match="fields.headline is not a field declared"):
        authoring.delete_field(db_session, storage, kit, None, "headline")


def test_deleting_an_asset_keeps_templates_others_use(db_session, storage, world) -> None:
    kit = new_kit(db_session, storage, world)
    authoring.add_file(db_session, storage, kit, None, "footer.html", b"<small>Footer</small>")
    authoring.save_asset(
        db_session,
        storage,
        kit,
        None,
        dict(BANNER, key="tall", height=600),
        {"template": b'{% include "footer.html" %}'},
    )
    authoring.delete_asset(db_session, storage, kit, None, "banner")
    draft = services.draft_of(db_session, kit)
    assert "banner.html" not in draft.files
    assert {"tall.html", "footer.html"} <= set(draft.files)
    with pytest.raises(DraftRefused, match="'footer.html' is not a template of this kit"):
        authoring.delete_file(db_session, storage, kit, None, "footer.html")


def test_discarding_a_draft_goes_back_to_the_published_version(db_session, storage, world) -> None:
    kit = new_kit(db_session, storage, world)
    services.publish_draft(db_session, storage, kit, None, "First version")
    authoring.update_metadata(db_session, storage, kit, None, META)
    draft = services.draft_of(db_session, kit)
    prefix = draft.storage_prefix
    authoring.discard_draft(db_session, storage, kit)
    assert services.draft_of(db_session, kit) is None
    assert storage.list_keys(prefix), "files stay until the discard commits"
    db_session.commit()
    assert storage.list_keys(prefix) == []


def test_archive_hides_the_kit_and_records_it(db_session, storage, world, import_kit) -> None:
    kit = import_kit().kit
    partner = world.partner_a
    services.set_kit_status(db_session, kit, world.users["marketer"].id, ARCHIVED)
    assert services.get_visible_kit_version(db_session, partner, kit.id) is None
    kept = services.get_visible_kit_version(db_session, partner, kit.id, allow_archived=True)
    assert kept is not None and kept.number == 1
    services.set_kit_status(db_session, kit, None, "active")
    actions = [
        e.action
        for e in db_session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "kit").order_by(AuditEvent.id)
        )
    ]
    assert actions == ["kit.published", "kit.archived", "kit.unarchived"]


def test_importing_an_existing_slug_adds_a_version_only_when_it_differs(
    db_session: Session, storage: Storage, import_kit: Callable
) -> None:
    first = import_kit()
    assert first.created and first.version.number == 1
    assert import_kit().created is False
    changed = import_kit(with_files({"banner.html": "<p>New: {{ fields.headline }}</p>"}))
    assert changed.created and changed.version.number == 2
    assert changed.kit.id == first.kit.id
    assert len(db_session.scalars(select(KitVersion)).all()) == 2


def test_import_refuses_tiers_this_deployment_lacks(db_session, storage, world) -> None:
    toml = with_files({})["kit.toml"].replace(b"tiers = []", b'tiers = ["diamond"]')
    package = read_zip(make_zip(with_files({"kit.toml": toml})))
    with pytest.raises(PackageError, match="'diamond' is not a tier here"):
        importer.import_package(db_session, storage, package, None)


def _tiered(import_kit, slug: str, tiers: str, regions: str = "[]", extra: str = ""):
    toml = with_files({})["kit.toml"].decode()
    toml = toml.replace('slug = "spring-promo"', f'slug = "{slug}"')
    toml = toml.replace("tiers = []", f"tiers = {tiers}").replace(
        "regions = []", f"regions = {regions}"
    )
    toml = toml.replace('name = "Spring backup promotion"', f'name = "{slug} kit{extra}"')
    return import_kit(with_files({"kit.toml": toml})).kit


def test_catalog_lists_what_tier_and_region_allow(db_session, world, import_kit) -> None:
    _tiered(import_kit, "for-all", "[]")
    _tiered(import_kit, "gold-only", '["gold"]')
    _tiered(import_kit, "emea-only", "[]", '["EMEA"]')
    _tiered(import_kit, "platinum-na", '["platinum"]', '["NA"]')

    def slugs(partner) -> list[str]:
        rows = db_session.execute(services.visible_kits_statement(partner)).all()
        return sorted(kit.slug for kit, _ in rows)

    assert slugs(world.partner_a) == ["emea-only", "for-all", "gold-only"]  # gold, EMEA
    assert slugs(world.partner_b) == ["for-all", "platinum-na"]  # platinum, NA
    assert slugs(None) == ["emea-only", "for-all", "gold-only", "platinum-na"]


def test_catalog_filters_by_text_objective_kind_and_tag(db_session, import_kit) -> None:
    _tiered(import_kit, "webinar", "[]", extra=" webinar")
    base = services.visible_kits_statement(None)

    def slugs(**filters: str) -> list[str]:
        stmt = services.filter_catalog(base, **filters)
        return sorted(kit.slug for kit, _ in db_session.execute(stmt).all())

    assert slugs(q="WEBINAR") == ["webinar"]
    assert slugs(q="nothing like it") == []
    assert slugs(objective="lead_generation", kind="banner", tag="backup") == ["webinar"]
    assert slugs(objective="awareness") == []
    assert slugs(tag="promo") == []


def test_emptied_optional_texts_are_dropped(db_session, storage, import_kit) -> None:
    kit = import_kit().kit
    authoring.save_asset(
        db_session,
        storage,
        kit,
        None,
        {"name": "Social post"},
        {
            "template": b"<div>{{ fields.headline }}</div>",
            "network:x": b"  ",
            "network:linkedin": b"{{ fields.headline }} with {{ brand.display_name }}",
        },
        "post",
    )
    post = services.draft_of(db_session, kit).manifest["assets"][3]
    assert post["networks"] == {"linkedin": "post-linkedin.txt"}
    assert (post["width"], post["height"]) == (400, 200)


def test_the_database_allows_one_draft_per_kit(db_session, storage, world) -> None:
    kit = new_kit(db_session, storage, world)
    db_session.add(KitVersion(kit=kit, manifest={}, files={}))
    with pytest.raises(IntegrityError):
        db_session.flush()

"""Kit edits whose commit fails leave storage as the database says it is."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tcma.kits import authoring, importer, services
from tcma.kits.models import KitVersion
from tcma.kits.package import read_zip
from tcma.storage import Storage
from tests.conftest import World
from tests.faults import commit_fails
from tests.kits.support import kit_files, make_zip, png_bytes
from tests.kits.test_services import BANNER, META, new_kit


def _commit_fails(app: Flask, session: Session) -> None:
    with commit_fails(app), pytest.raises(OperationalError):
        session.commit()
    session.rollback()


def test_a_template_edit_whose_commit_fails_keeps_the_old_template(
    app: Flask, db_session: Session, storage: Storage, world: World
) -> None:
    kit = new_kit(db_session, storage, world)
    draft = services.draft_of(db_session, kit)
    key = draft.storage_key("banner.html")
    before = storage.read(key)

    authoring.save_asset(
        db_session, storage, kit, None, dict(BANNER), {"template": b"<h2>Changed</h2>"}, "banner"
    )
    assert storage.read(key) == b"<h2>Changed</h2>"
    _commit_fails(app, db_session)

    assert storage.read(key) == before
    db_session.expire_all()
    assert db_session.get(KitVersion, draft.id).files["banner.html"]["size"] == len(before)


def test_a_first_edit_after_publishing_whose_commit_fails_leaves_no_draft_files(
    app: Flask, db_session: Session, storage: Storage, world: World
) -> None:
    kit = new_kit(db_session, storage, world)
    services.publish_draft(db_session, storage, kit, None, "First version")
    db_session.commit()
    all_keys = storage.list_keys("kits/")

    authoring.update_metadata(db_session, storage, kit, None, META, ("c.png", png_bytes((90, 40))))
    assert storage.list_keys("kits/") != all_keys  # the new draft's copy is written
    _commit_fails(app, db_session)

    assert storage.list_keys("kits/") == all_keys
    assert services.draft_of(db_session, kit) is None


def test_a_discard_whose_commit_fails_keeps_the_draft_files(
    app: Flask, db_session: Session, storage: Storage, world: World
) -> None:
    kit = new_kit(db_session, storage, world)
    services.publish_draft(db_session, storage, kit, None, "First version")
    authoring.update_metadata(db_session, storage, kit, None, META)
    db_session.commit()
    draft = services.draft_of(db_session, kit)
    files = storage.list_keys(draft.storage_prefix)

    authoring.discard_draft(db_session, storage, kit)
    _commit_fails(app, db_session)

    assert services.draft_of(db_session, kit).id == draft.id
    assert storage.list_keys(draft.storage_prefix) == files


def test_a_publish_whose_commit_fails_keeps_the_files_the_draft_lists(
    app: Flask, db_session: Session, storage: Storage, world: World
) -> None:
    kit = new_kit(db_session, storage, world)
    draft = services.draft_of(db_session, kit)
    stray = draft.storage_key("media/old-photo.png")  # left by an earlier edit
    storage.put(stray, b"png")

    services.publish_draft(db_session, storage, kit, None, "First version")
    _commit_fails(app, db_session)
    assert storage.exists(stray)

    services.publish_draft(db_session, storage, kit, None, "First version")
    db_session.commit()
    assert not storage.exists(stray)


def test_an_import_whose_commit_fails_leaves_no_files(
    app: Flask, db_session: Session, storage: Storage, world: World
) -> None:
    package = read_zip(make_zip(kit_files()))
    result = importer.import_package(db_session, storage, package, None)
    assert storage.list_keys(result.version.storage_prefix)
    _commit_fails(app, db_session)
    assert storage.list_keys("kits/") == []

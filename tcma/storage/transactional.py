"""Storage side effects that follow the database transaction.

A file is written before the commit (so a committed row never names a missing file) and
removed again if the transaction rolls back; a file is deleted only after the commit (so a
failed commit never leaves a row whose file is gone).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from typing import BinaryIO

from sqlalchemy.orm import Session

from tcma.db import after_commit, after_rollback
from tcma.storage.base import Storage, StorageNotFound

log = logging.getLogger(__name__)
# Keys written during the session's current transaction (reset when it ends).
_WRITTEN = "tcma.storage.written"


def put_in_transaction(
    session: Session,
    storage: Storage,
    key: str,
    data: bytes | BinaryIO,
    content_type: str = "application/octet-stream",
    *,
    content_addressed: bool = False,
    replaces: bool = False,
) -> str:
    """Store ``data`` at ``key`` now; if ``session`` rolls back, undo the write.

    By default ``key`` is new (e.g. it holds a random part) and a rollback deletes it.
    ``content_addressed`` keys name their content (a hash): a file already there is the
    same file, maybe used by committed rows, so it is neither rewritten nor removed.
    ``replaces``: the key may hold a file already, which a rollback puts back.
    """
    written = _written_in_transaction(session)
    if key in written:
        # The first write of this key in the transaction registered the undo already.
        storage.put(key, data, content_type)
        return key
    previous = None
    if content_addressed and storage.exists(key):
        return key
    if replaces:
        previous = _current_content(storage, key)
    storage.put(key, data, content_type)
    written.add(key)
    if previous is None:
        after_rollback(session, lambda: storage.delete(key))
    else:
        old_content, old_type = previous, mimetypes.guess_type(key)[0] or content_type

        def restore() -> None:
            storage.put(key, old_content, old_type)

        after_rollback(session, restore)
    return key


def delete_after_commit(session: Session, storage: Storage, keys: str | Iterable[str]) -> None:
    """Delete ``keys`` once ``session`` has committed; nothing happens if it rolls back."""
    pending = [keys] if isinstance(keys, str) else list(keys)
    if pending:
        after_commit(session, lambda: _delete_all(storage, pending))


def _written_in_transaction(session: Session) -> set[str]:
    written = session.info.get(_WRITTEN)
    if written is None:
        written = session.info[_WRITTEN] = set()

        def forget() -> None:
            session.info.pop(_WRITTEN, None)

        after_commit(session, forget)
        after_rollback(session, forget)
    return written


def _current_content(storage: Storage, key: str) -> bytes | None:
    try:
        return storage.read(key)
    except StorageNotFound:
        return None


def _delete_all(storage: Storage, keys: list[str]) -> None:
    # The rows are gone already: a file left behind costs space, never correctness, so one
    # failed delete is logged and the others still go.
    for key in keys:
        try:
            storage.delete(key)
        except Exception:
            log.exception("storage delete of %s after commit failed", key)

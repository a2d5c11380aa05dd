"""Idempotency keys: each effect of a job happens once, however often the job runs.

``claim(session, key)`` is for effects in the database: it inserts the key in the job's own
transaction, so the key and the effect commit (or roll back) together — exactly once.
``once(key, action)`` is for effects outside it (SMTP, HTTP): the key is taken before the
action and marked done after; a rerun finds it done and skips. If a worker dies during the
action itself, the key stays open and a rerun after ``STALE_AFTER`` repeats it (at least once):
no outside system can be made to commit with the database.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from flask import current_app
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tcma.db import utcnow
from tcma.jobs.models import JobEffect

log = logging.getLogger(__name__)

#: An open key older than this belongs to a worker that died; a rerun may take it over.
STALE_AFTER = dt.timedelta(minutes=10)


class EffectBusy(Exception):
    """Another worker is doing this effect right now; try again later."""


def claim(session: Session, key: str) -> bool:
    """Record ``key`` in this transaction; False if it was already recorded (skip the effect)."""
    if session.get(JobEffect, key) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(JobEffect(key=key, done_at=utcnow()))
    except IntegrityError:
        return False
    return True


def is_done(session: Session, key: str) -> bool:
    """True once the effect under ``key`` has happened."""
    effect = session.get(JobEffect, key)
    return effect is not None and effect.done_at is not None


def _take(factory: Callable[[], Session], key: str) -> bool:
    with factory() as session:
        effect = session.get(JobEffect, key)
        if effect is None:
            session.add(JobEffect(key=key))
            try:
                session.commit()
            except IntegrityError as exc:
                raise EffectBusy(key) from exc
            return True
        if effect.done_at is not None:
            return False
        if utcnow() - effect.started_at < STALE_AFTER:
            raise EffectBusy(key)
        effect.started_at = utcnow()
        effect.attempts += 1
        session.commit()
        return True


def once(key: str, action: Callable[[], object]) -> bool:
    """Do ``action`` unless the effect ``key`` was done; True if it ran now.

    Uses sessions of its own (the key must be visible to other workers before the action),
    so call it outside a write transaction of the job's.
    """
    factory = current_app.extensions["tcma.sessionmaker"]
    if not _take(factory, key):
        log.info("effect %s already done; skipped", key)
        return False
    try:
        action()
    except BaseException:
        with factory() as session:  # free the key so that the retry can take it at once
            session.execute(delete(JobEffect).where(JobEffect.key == key))
            session.commit()
        raise
    with factory() as session:
        session.execute(update(JobEffect).where(JobEffect.key == key).values(done_at=utcnow()))
        session.commit()
    return True

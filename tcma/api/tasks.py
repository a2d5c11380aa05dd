"""API jobs: forget stored idempotent answers once no client retries them any more."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tcma import jobs
from tcma.api.models import IdempotentResponse
from tcma.db import utcnow

#: How long a retry with the same Idempotency-Key gets the first answer back.
KEEP = dt.timedelta(hours=24)


@jobs.periodic(jobs.crontab(minute="17"), name="tcma.api.tasks.forget_idempotent_answers")
def forget_idempotent_answers(session: Session) -> int:
    """Delete stored answers older than KEEP (idempotent: a second run deletes nothing)."""
    result = session.execute(
        delete(IdempotentResponse).where(IdempotentResponse.created_at < utcnow() - KEEP)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

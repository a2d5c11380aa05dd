"""Landing-page facts per campaign code, kept in this process for a few seconds.

A landing GET that finds its campaign here (and its rendered page in the page cache) costs
no database round trip at all. Entries live LANDING_CACHE_SECONDS (5 s by default) in every
process; in the process that changed a campaign, its partner or the partner's brand, the
entries are dropped as soon as that change commits (a session hook below), so a pause shows
at once there and within the TTL everywhere else. Lead POSTs never use this cache: they read
the campaign afresh, so a paused or ended campaign takes no lead in any process.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from tcma import db
from tcma.accounts.models import Partner
from tcma.campaigns.models import Campaign
from tcma.cobrand.models import BrandProfile, BrandVersion

DEFAULT_TTL = 5.0
_MISSING = object()


class VisitCache:
    """Code -> (expiry, facts or None for 'no such page'), least recently used dropped first."""

    def __init__(self, ttl: float = DEFAULT_TTL, size: int = 4096) -> None:
        self.ttl, self.size = ttl, size
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        _caches.add(self)

    def get(self, code: str, load: Callable[[], Any]) -> Any:
        """The cached facts of code, or load() them (and keep them for ttl seconds)."""
        if self.ttl <= 0:
            return load()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(code)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(code)
                return entry[1]
        value = load()
        with self._lock:
            self._entries[code] = (now + self.ttl, value)
            self._entries.move_to_end(code)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def forget(self, codes: Iterable[str] = (), partner_ids: Iterable[int] = ()) -> None:
        """Drop the entries of these codes and of every campaign of these partners."""
        codes, partners = set(codes), set(partner_ids)
        with self._lock:
            for code, (_, value) in list(self._entries.items()):
                if code in codes or getattr(value, "partner_id", None) in partners:
                    del self._entries[code]


_caches: weakref.WeakSet[VisitCache] = weakref.WeakSet()


def forget_everywhere(codes: Iterable[str] = (), partner_ids: Iterable[int] = ()) -> None:
    """Drop entries in every cache of this process (one per app)."""
    codes, partner_ids = list(codes), list(partner_ids)
    for cache in list(_caches):
        cache.forget(codes, partner_ids)


def _changed_facts(session: Session) -> tuple[set[str], set[int]]:
    """Codes and partners whose landing facts this flush changes."""
    codes: set[str] = set()
    partners: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Campaign):
            codes.add(obj.code)
        elif isinstance(obj, BrandVersion | BrandProfile):
            partners.add(obj.partner_id)
        elif isinstance(obj, Partner):
            partners.add(obj.id)
    return codes, partners


@event.listens_for(Session, "before_flush")
def _drop_after_commit(session: Session, flush_context: Any, instances: Any) -> None:
    if not _caches:
        return
    codes, partners = _changed_facts(session)
    if codes or partners:
        db.after_commit(session, lambda: forget_everywhere(codes, partners))

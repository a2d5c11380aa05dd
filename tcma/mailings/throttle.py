"""Sending rates shared by every worker: per partner and overall, counted in the queue's storage.

Each rate is a counter per window of ``MAIL_RATE_WINDOW`` seconds (one minute by default) in
the queue's own storage (Redis in production, the SQLite queue file by default), incremented
atomically, so workers on any number of machines share one count. A batch takes what fits in
the current window and sends only that; the rest of the batch waits for the next window in
the queue (re-scheduled, not busy-waiting), which also lets other partners' batches through:
one big partner cannot hold the whole sending rate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import Flask
from huey import Huey
from huey.storage import RedisStorage

from tcma import jobs
from tcma.mailings import rules

_PREFIX = "mail-rate"


@dataclass
class Grant:
    """Messages a batch may send now, and the counters they were taken from."""

    count: int
    keys: list[str] = field(default_factory=list)


class Throttle:
    """The sending rates of one app: take(partner, wanted) says how many may go now."""

    def __init__(self, huey: Huey, per_partner: int, total: int, window: float) -> None:
        self.huey, self.window = huey, window
        self.limits = {
            "partner": rules.window_limit(per_partner, window) if per_partner else 0,
            "total": rules.window_limit(total, window) if total else 0,
        }

    @classmethod
    def of(cls, app: Flask) -> Throttle:
        """The throttle the app's settings describe."""
        config = app.config
        return cls(
            jobs.get_queue(app),
            config["MAIL_RATE_PER_PARTNER"],
            config["MAIL_RATE_TOTAL"],
            config["MAIL_RATE_WINDOW"],
        )

    @property
    def unlimited(self) -> bool:
        return not any(self.limits.values())

    def seconds_to_next_window(self) -> float:
        """How long until the counters start again (when a throttled batch may go on)."""
        return self.window - time.time() % self.window

    def take(self, partner_id: int, wanted: int) -> Grant:
        """Count up to ``wanted`` messages against the partner's and the overall rate."""
        if self.unlimited or wanted <= 0:
            return Grant(max(0, wanted))
        index = int(time.time() // self.window)
        grant = Grant(wanted)
        for scope, limit in (("partner", self.limits["partner"]), ("total", self.limits["total"])):
            if not limit or not grant.count:
                continue
            key = f"{_PREFIX}:{scope}:{partner_id if scope == 'partner' else 'all'}:{index}"
            counted = self._add(key, grant.count)
            allowed = rules.granted(counted - grant.count, grant.count, limit)
            self.give_back(Grant(grant.count - allowed, grant.keys))  # fewer for the scopes before
            grant = Grant(allowed, [*grant.keys, key])
        return grant

    def give_back(self, grant: Grant) -> None:
        """Return messages counted but not sent (another worker had sent them)."""
        if grant.count > 0:
            for key in grant.keys:
                self._add(key, -grant.count)

    def _add(self, key: str, amount: int) -> int:
        storage = self.huey.storage
        if isinstance(storage, RedisStorage):
            # A key of its own with an expiry, so old windows vanish by themselves.
            name = f"{storage.name}:{key}"
            pipe = storage.conn.pipeline()
            pipe.incrby(name, amount)
            pipe.expire(name, int(self.window * 3) + 1)
            return int(pipe.execute()[0])
        counted = int(storage.incr(key, amount))
        if amount > 0:  # forget the window before the previous one: no one counts it any more
            scope, index = key.rsplit(":", 1)
            storage.delete_counter(f"{scope}:{int(index) - 2}")
        return counted

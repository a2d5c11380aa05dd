"""Webhook use cases: register endpoints, rotate secrets, emit events, record attempts."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from tcma import audit, db, jobs
from tcma.db import utcnow
from tcma.webhooks import rules, signing
from tcma.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from tcma.webhooks.rules import WebhookError

#: How long the old secret keeps signing after a rotation, so receivers can switch over.
ROTATION_OVERLAP = dt.timedelta(hours=24)
DELIVER_JOB = "tcma.webhooks.tasks.deliver"


def create_endpoint(
    session: Session,
    actor_id: int | None,
    *,
    partner_id: int | None,
    url: str,
    event_types: list[str],
    description: str = "",
    allow_private: bool = False,
) -> WebhookEndpoint:
    """Register an endpoint: vendor-wide (partner_id None) or for one partner's events."""
    endpoint = WebhookEndpoint(
        partner_id=partner_id,
        url=rules.check_url(url, allow_private=allow_private),
        description=description.strip()[:200],
        event_types=rules.check_event_types(event_types),
        secret=signing.new_secret(),
        created_by_id=actor_id,
    )
    session.add(endpoint)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="webhook_endpoint.created",
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        partner_id=partner_id,
        data={"url": endpoint.url, "event_types": endpoint.event_types},
    )
    return endpoint


def rotate_secret(session: Session, actor_id: int | None, endpoint: WebhookEndpoint) -> str:
    """A new secret; the old one also signs for ROTATION_OVERLAP. Returns the new secret."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = utcnow() + ROTATION_OVERLAP
    endpoint.secret = signing.new_secret()
    audit.record(
        session,
        actor_id=actor_id,
        action="webhook_endpoint.secret_rotated",
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        partner_id=endpoint.partner_id,
    )
    session.flush()
    return endpoint.secret


def set_status(
    session: Session, actor_id: int | None, endpoint: WebhookEndpoint, status: str, reason: str
) -> None:
    """Enable or disable an endpoint by hand; enabling starts its failure count afresh."""
    if status not in ("active", "disabled"):
        raise WebhookError("Unknown status.", "status")
    endpoint.status = status
    endpoint.disabled_reason = reason if status == "disabled" else None
    if status == "active":
        endpoint.consecutive_failures = 0
    audit.record(
        session,
        actor_id=actor_id,
        action=f"webhook_endpoint.{'enabled' if status == 'active' else 'disabled'}",
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        partner_id=endpoint.partner_id,
        comment=reason or None,
    )
    session.flush()


def signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous during the overlap."""
    keys = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and now < (endpoint.previous_secret_until)
    ):
        keys.append(endpoint.previous_secret)
    return keys


_NONE_FOR = "no webhook endpoints for partner"


def endpoints_exist(partner_id: Any) -> ColumnElement[bool]:
    """EXISTS: some endpoint may want this partner's events (a column to read with others)."""
    return (
        select(WebhookEndpoint.id)
        .where(or_(WebhookEndpoint.partner_id.is_(None), WebhookEndpoint.partner_id == partner_id))
        .exists()
    )


def note_no_endpoints(session: Session, partner_id: int) -> None:
    """endpoints_exist(partner) read false in this transaction: emit skips its lookup."""
    db.transaction_memo(session)[(_NONE_FOR, partner_id)] = True


def emit(
    session: Session,
    event_type: str,
    partner_id: int | None,
    data: dict[str, Any] | Callable[[], dict[str, Any]],
) -> WebhookEvent | None:
    """Record an event and a delivery per subscribed active endpoint, sent after the commit.

    ``data`` may be a function: it is called only when some endpoint wants the event.

    Vendor-wide endpoints get every partner's events; a partner's endpoint only its own. A
    disabled endpoint's deliveries wait, and go out once it is enabled again: none is lost.
    """
    if event_type not in rules.EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    if (_NONE_FOR, partner_id) in db.transaction_memo(session):
        return None
    stmt = select(WebhookEndpoint).where(
        or_(WebhookEndpoint.partner_id.is_(None), WebhookEndpoint.partner_id == partner_id)
        if partner_id is not None
        else WebhookEndpoint.partner_id.is_(None)
    )
    endpoints = [e for e in session.scalars(stmt) if event_type in e.event_types]
    if not endpoints:
        return None
    now = utcnow()
    event = WebhookEvent(
        message_id="msg_" + secrets.token_hex(12),
        event_type=event_type,
        partner_id=partner_id,
        payload={
            "type": event_type,
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "data": data() if callable(data) else data,
        },
        created_at=now,
    )
    session.add(event)
    session.flush()
    for endpoint in endpoints:
        delivery = WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id, next_attempt_at=now)
        session.add(delivery)
        session.flush()
        if endpoint.status == "active":
            jobs.enqueue(session, DELIVER_JOB, delivery.id)
    return event


def body_of(event: WebhookEvent) -> str:
    """The exact bytes every attempt of an event sends (one body, so one signature input)."""
    return json.dumps(event.payload, separators=(",", ":"), sort_keys=True)


def record_attempt(
    session: Session,
    delivery: WebhookDelivery,
    *,
    status_code: int | None,
    duration_ms: int,
    error: str | None,
) -> int | None:
    """Log one call; returns the seconds until a retry, or None when the delivery is done."""
    now = utcnow()
    ok = rules.is_success(status_code) and error is None
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            at=now,
            status_code=status_code,
            duration_ms=duration_ms,
            error=error,
            succeeded=ok,
        )
    )
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_duration_ms = status_code, duration_ms
    delivery.last_error = error
    endpoint = delivery.endpoint
    if ok:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = "succeeded", now, None
        endpoint.consecutive_failures = 0
        session.flush()
        return None
    endpoint.consecutive_failures += 1
    delay = rules.retry_delay(delivery.attempts)
    if delay is None:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = "failed", now, None
    else:
        delivery.next_attempt_at = now + dt.timedelta(seconds=delay)
    session.flush()
    return delay


def redeliver(session: Session, actor_id: int | None, delivery: WebhookDelivery) -> None:
    """Send a delivery again (same webhook-id, so receivers can tell it is the same event)."""
    delivery.status, delivery.finished_at = "pending", None
    delivery.next_attempt_at = utcnow()
    audit.record(
        session,
        actor_id=actor_id,
        action="webhook_delivery.redelivered",
        object_type="webhook_delivery",
        object_id=delivery.id,
        partner_id=delivery.endpoint.partner_id,
    )
    session.flush()
    jobs.enqueue(session, DELIVER_JOB, delivery.id)


def due_deliveries(session: Session, now: dt.datetime, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come (the sweep re-queues them if a job was lost)."""
    stmt = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.status == "active",
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))

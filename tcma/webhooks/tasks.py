"""Webhook jobs: deliver one delivery (signed POST, retries with back-off), sweep due ones.

A delivery is leased before the call (its next attempt moved past the call's timeout and
committed), so the HTTP call holds no lock and a second worker does not send it meanwhile;
a worker that dies mid-call leaves a lease that expires, and the sweep sends it again with
the same webhook-id. Receivers de-duplicate on webhook-id.
"""

from __future__ import annotations

import datetime as dt
import http.client
import socket
import time
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import jobs
from tcma.accounts.models import User
from tcma.db import utcnow
from tcma.mail import queue_mail
from tcma.webhooks import rules, services, signing
from tcma.webhooks.models import WebhookDelivery, WebhookEndpoint

LEASE = dt.timedelta(seconds=rules.TIMEOUT_SECONDS * 3)
USER_AGENT = "tcma-webhooks/1"


class TargetRefused(Exception):
    """The endpoint's address is not one tcma may call (private, loopback, ...)."""


def _connect_address(host: str, port: int, allow_private: bool) -> str:
    """Resolve once and check the address actually connected to (no DNS rebinding)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for info in infos:
        address = str(info[4][0])
        if allow_private or rules.is_public_address(address):
            return address
    raise TargetRefused(f"{host} resolves only to private or reserved addresses")


def post(url: str, body: str, headers: dict[str, str], allow_private: bool) -> int:
    """POST ``body`` to ``url`` (no redirects followed) and return the status code."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _connect_address(parts.hostname or "", port, allow_private)
    timeout = rules.TIMEOUT_SECONDS
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname or "", port, timeout=timeout
        )
    else:
        conn = http.client.HTTPConnection(address, port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn.request(
            "POST",
            path,
            body=body.encode(),
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Host": parts.netloc.rpartition("@")[2],
            },
        )
        response = conn.getresponse()
        response.read(65536)
        return response.status
    finally:
        conn.close()


def _lease(session: Session, delivery_id: int) -> WebhookDelivery | None:
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .with_for_update(of=WebhookDelivery)  # the joined event is only read
    )
    delivery = session.scalar(stmt)
    now = utcnow()
    if delivery is None or delivery.status != "pending":
        return None
    if delivery.endpoint.status != "active":
        return None
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return None  # leased by another worker, or not due yet (a duplicate job)
    delivery.next_attempt_at = now + LEASE
    session.commit()
    return delivery


@jobs.task(name=services.DELIVER_JOB)
def deliver(session: Session, delivery_id: int) -> None:
    """One attempt of a delivery: signed POST, log it, schedule the retry or finish."""
    delivery = _lease(session, delivery_id)
    if delivery is None:
        return
    endpoint, event = delivery.endpoint, delivery.event
    body = services.body_of(event)
    now = utcnow()
    headers = signing.headers(event.message_id, body, services.signing_secrets(endpoint, now), now)
    allow_private = current_app.config["WEBHOOK_ALLOW_PRIVATE"]
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    try:
        status = post(endpoint.url, body, headers, allow_private)
        if not rules.is_success(status):
            error = f"answered {status}"
    except TargetRefused as exc:
        error = f"refused: {exc}"
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    duration = int((time.monotonic() - started) * 1000)
    delay = services.record_attempt(
        session, delivery, status_code=status, duration_ms=duration, error=error
    )
    if delay is not None:
        jobs.enqueue(session, services.DELIVER_JOB, delivery.id, delay=delay)
    if endpoint.status == "active" and endpoint.consecutive_failures >= rules.DISABLE_AFTER:
        _disable(session, endpoint)


def _disable(session: Session, endpoint: WebhookEndpoint) -> None:
    reason = f"{endpoint.consecutive_failures} calls in a row failed"
    services.set_status(session, None, endpoint, "disabled", reason)
    owner = session.get(User, endpoint.created_by_id) if endpoint.created_by_id else None
    if owner is None or not owner.email:
        return
    base = current_app.config["BASE_URL"]
    queue_mail(
        session,
        owner.email,
        "A tcma webhook endpoint was disabled",
        f"Hello {owner.display_name},\n\n"
        f"tcma stopped sending events to {endpoint.url} because {reason}.\n"
        "Events that happen meanwhile are kept; after you fix the receiver, enable the "
        f"endpoint again on its page and redeliver what failed:\n\n"
        f"{base}/webhooks/{endpoint.id}\n",
        key=f"webhook-disabled-{endpoint.id}-{int(utcnow().timestamp())}",
    )


@jobs.periodic(jobs.crontab(minute="*"), name="tcma.webhooks.tasks.sweep")
def sweep(session: Session) -> None:
    """Queue every delivery whose time has come (a lost job or an expired lease)."""
    for delivery_id in services.due_deliveries(session, utcnow()):
        jobs.enqueue(session, services.DELIVER_JOB, delivery_id)

"""Test data of the webhook pages: partner A's endpoint with one delivery (access matrix)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from tcma.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


def matrix_endpoint(ctx: Any) -> SimpleNamespace:
    """Partner A's endpoint (made by its admin) and a delivery in its log."""
    if not hasattr(ctx, "webhook_objects"):
        session = ctx.app.extensions["tcma.sessionmaker"]()
        partner_id = ctx.world.partner_a.id
        endpoint = WebhookEndpoint(
            partner_id=partner_id,
            url="https://127.0.0.1:9/hooks",  # an IP literal: refused, no DNS lookup
            event_types=["lead.created"],
            secret="whsec_" + "A" * 43 + "=",
            created_by_id=ctx.world.users["a_admin"].id,
        )
        event = WebhookEvent(
            message_id="msg_matrix", event_type="lead.created", partner_id=partner_id, payload={}
        )
        session.add_all([endpoint, event])
        session.flush()
        # Redelivering it in the matrix tries once and is refused (a loopback target).
        delivery = WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id, status="failed")
        session.add(delivery)
        session.commit()
        ctx.webhook_objects = SimpleNamespace(endpoint_id=endpoint.id, delivery_id=delivery.id)
        session.close()
    return ctx.webhook_objects

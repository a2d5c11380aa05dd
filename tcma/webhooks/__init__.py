"""Webhooks: endpoints registered for event types, signed deliveries with retries and a log."""

"""Webhook events of the pipeline: payloads are the API's own representation."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tcma.pipeline import rules
from tcma.pipeline.models import Lead, Opportunity
from tcma.pipeline.schemas import LeadSchema, OpportunitySchema
from tcma.webhooks import services as webhooks

_LEAD, _OPPORTUNITY = LeadSchema(), OpportunitySchema()


def lead_event(session: Session, event_type: str, lead: Lead) -> None:
    """lead.created / lead.updated with the lead as GET /api/v1/leads/{id} shows it."""
    session.flush()
    # Dumped only when some endpoint wants the event (most leads go to no webhook).
    webhooks.emit(session, event_type, lead.partner_id, lambda: {"lead": _LEAD.dump(lead)})


def opportunity_created(session: Session, opportunity: Opportunity) -> None:
    """opportunity.created (and opportunity.won when it is registered as won)."""
    session.flush()
    data = {"opportunity": _OPPORTUNITY.dump(opportunity)}
    webhooks.emit(session, "opportunity.created", opportunity.partner_id, data)
    if opportunity.stage == rules.CLOSED_WON:
        webhooks.emit(session, "opportunity.won", opportunity.partner_id, data)


def opportunity_moved(session: Session, opportunity: Opportunity, before: str) -> None:
    """opportunity.stage_changed (with the stage before), and opportunity.won on a win."""
    session.flush()
    data = {"opportunity": _OPPORTUNITY.dump(opportunity), "previous_stage": before}
    webhooks.emit(session, "opportunity.stage_changed", opportunity.partner_id, data)
    if opportunity.stage == rules.CLOSED_WON:
        webhooks.emit(session, "opportunity.won", opportunity.partner_id, data)

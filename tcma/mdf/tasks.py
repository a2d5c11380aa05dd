"""MDF periodic jobs: closing claim windows (unclaimed money goes back), claim reminders and
fund-expiry reminders.

Every consumer schedules these, so each is idempotent: releasing recomputes what is still
unclaimed (a second run finds nothing left), and each reminder has an effect key.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from tcma import db, jobs
from tcma.accounts import rules as account_rules
from tcma.jobs import effects
from tcma.mail import queue_mail
from tcma.mdf import ledger, payment_services, rules
from tcma.mdf.models import Allocation, Budget, FundRequest
from tcma.mdf.money import format_money
from tcma.urls import external_url

log = logging.getLogger(__name__)

#: Days before the claim due date at which the partner is reminded (once each).
REMINDER_DAYS = (14, 3)


@jobs.periodic(jobs.crontab(minute="10"), name="mdf.release_expired")
def release_expired_job(session: Session) -> int:
    """Hourly: give unclaimed approved money back once a claim window has closed."""
    released = payment_services.release_expired(session, db.utcnow().date())
    for item in released:
        log.info(
            "fund request %s: released %s",
            item.fund_request_id,
            format_money(item.amount, item.currency),
        )
    return len(released)


def _reminder_bucket(days_left: int) -> int | None:
    """The smallest reminder threshold the deadline is within (14, then 3), if any."""
    within = [days for days in REMINDER_DAYS if days_left <= days]
    return min(within) if within else None


def send_claim_reminders(session: Session, today: dt.date) -> int:
    """Email each partner user whose approved request's claim window closes soon; count sent."""
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    due = session.scalars(
        select(FundRequest)
        .where(
            FundRequest.status == rules.APPROVED,
            FundRequest.claim_due_on >= today,
            FundRequest.claim_due_on <= horizon,
        )
        .order_by(FundRequest.id)
    )
    sent = 0
    for request in due:
        live = [c for c in request.claims if c.status not in (rules.REJECTED, rules.WITHDRAWN)]
        if live or request.created_by is None or request.created_by.status != "active":
            continue
        if request.claim_due_on is None:  # the query asked for a due date; this keeps mypy sure
            continue
        days_left = (request.claim_due_on - today).days
        bucket = _reminder_bucket(days_left)
        key = f"mdf.claim_reminder:{request.id}:{request.claim_due_on}:{bucket}"
        if bucket is None or not effects.claim(session, key):
            continue
        amount = format_money(request.approved_amount or 0, request.currency)
        url = external_url("mdf.requests.show", request_id=request.id)
        queue_mail(
            session,
            request.created_by.email,
            f"Claim your {amount} by {request.claim_due_on:%d %B %Y}: {request.title}",
            f"Hello {request.created_by.display_name},\n\n"
            f"{amount} of market development funds is approved for {request.title}.\n"
            f"File your claim with proof of performance by {request.claim_due_on:%d %B %Y} "
            f"({days_left} day{'s' if days_left != 1 else ''} left); after that the money "
            f"goes back to the program.\n\nFile the claim: {url}\n",
            key=key,
        )
        sent += 1
    return sent


@jobs.periodic(jobs.crontab(minute="0", hour="8"), name="mdf.claim_reminders")
def claim_reminders_job(session: Session) -> int:
    """Daily at 08:00 UTC: remind partners of claim windows that close soon."""
    return send_claim_reminders(session, db.utcnow().date())


def _partner_contacts(allocation: Allocation) -> list[str]:
    """Who hears about a partner's funds: its active admins, else its active users."""
    active = [user for user in allocation.partner.users if user.status == "active"]
    admins = [user for user in active if user.role == account_rules.PARTNER_ADMIN]
    return sorted(user.email for user in admins or active)


def send_fund_expiry_reminders(session: Session, today: dt.date, within_days: int) -> int:
    """Tell each partner, once per allocation, that unspent MDF expires with its budget's
    period within ``within_days``; returns how many allocations were reminded."""
    horizon = today + dt.timedelta(days=within_days)
    expiring = list(
        session.scalars(
            select(Allocation)
            .join(Budget, Allocation.budget_id == Budget.id)
            .where(Budget.period_end >= today, Budget.period_end <= horizon)
            .order_by(Allocation.id)
        )
    )
    available = ledger.balances(session, [allocation.id for allocation in expiring])
    reminded = 0
    for allocation in expiring:
        left = available[allocation.id].available
        recipients = _partner_contacts(allocation)
        if left <= 0 or not recipients or allocation.partner.status != "active":
            continue
        budget = allocation.budget
        key = f"mdf.fund_expiry:{allocation.id}:{budget.period_end}"
        if not effects.claim(session, key):
            continue  # reminded already (another worker, an earlier day)
        amount = format_money(left, budget.currency)
        days_left = (budget.period_end - today).days
        url = external_url("mdf.requests.new", allocation=allocation.id)
        queue_mail(
            session,
            recipients,
            f"{amount} of MDF expires on {budget.period_end:%d %B %Y}",
            f"Hello,\n\n{allocation.partner.name} still has {amount} of market development "
            f"funds from {budget.name} that no approved activity uses yet. The budget period "
            f"ends on {budget.period_end:%d %B %Y} ({days_left} day{'s' if days_left != 1 else ''}"
            f" left); money not requested by then goes back to the program.\n\n"
            f"Propose an activity: {url}\n",
            key=key,
        )
        reminded += 1
    return reminded


@jobs.periodic(jobs.crontab(minute="5", hour="8"), name="mdf.fund_expiry_reminders")
def fund_expiry_reminders_job(session: Session) -> int:
    """Daily at 08:05 UTC: remind partners of unspent funds whose budget period ends soon."""
    within = int(current_app.config["FUND_EXPIRY_REMINDER_DAYS"])
    return send_fund_expiry_reminders(session, db.utcnow().date(), within)

"""MDF use cases for claims: file with proof, submit, withdraw, and finance's decisions."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy.orm import Session

from tcma import audit
from tcma.accounts.models import User
from tcma.db import utcnow
from tcma.mdf import events, ledger, limits, money, rules, uploads
from tcma.mdf.models import Allocation, Claim, FundRequest, ProofFile
from tcma.mdf.rules import MdfError, ProofMissing, TransitionError
from tcma.storage import Storage, delete_after_commit, put_in_transaction

# Claims that hold part of a request's approved amount, and how much each holds.
PENDING_CLAIM_STATES = (rules.SUBMITTED, rules.CHANGES_REQUESTED)
DECIDED_CLAIM_STATES = (rules.APPROVED, rules.PAID)


def _audit(
    session: Session,
    actor: User | None,
    claim: Claim,
    action: str,
    from_state: str | None,
    amount: Decimal | None = None,
    comment: str | None = None,
    data: dict | None = None,
) -> None:
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=f"mdf.claim_{action}",
        object_type="claim",
        object_id=claim.id,
        partner_id=claim.partner_id,
        from_state=from_state,
        to_state=claim.status,
        amount=amount,
        currency=claim.currency,
        comment=comment or None,
        data=data,
    )


def reserved_by_claim(claim: Claim) -> Decimal:
    """How much of its request's approved amount a claim holds right now."""
    if claim.status in DECIDED_CLAIM_STATES:
        return claim.approved_amount or money.ZERO
    if claim.status in PENDING_CLAIM_STATES:
        return claim.claimed_amount
    return money.ZERO


def unclaimed(
    session: Session, request: FundRequest, except_claim_id: int | None = None
) -> Decimal:
    """What a partner may still claim on an approved request."""
    if request.status != rules.APPROVED or request.approved_amount is None:
        return money.ZERO
    _committed, released = ledger.request_sums(session, request.id)
    held = sum(
        (reserved_by_claim(c) for c in request.claims if c.id != except_claim_id), money.ZERO
    )
    return request.approved_amount - released - held


def _own_claim(session: Session, actor: User, claim_id: int) -> Claim:
    claim = ledger.lock(session, Claim, claim_id)
    if actor.partner_id is not None and actor.partner_id != claim.partner_id:
        raise MdfError("This claim does not exist.")
    return claim


def _check_amounts(
    session: Session, request: FundRequest, actual_cost: Decimal, claimed: Decimal, claim_id=None
) -> None:
    limits.check_claim_amounts(
        actual_cost,
        claimed,
        unclaimed(session, request, except_claim_id=claim_id),
        request.share_percent,
        request.currency,
    )


def create_claim(
    session: Session,
    actor: User,
    request_id: int,
    *,
    actual_cost: Decimal,
    claimed_amount: Decimal,
    notes: str = "",
    today: dt.date,
) -> Claim:
    """Start a draft claim on an approved request of the actor's company."""
    request = ledger.lock(session, FundRequest, request_id)
    if actor.partner_id != request.partner_id:
        raise MdfError("This fund request does not exist.")
    if request.status != rules.APPROVED:
        raise TransitionError("Claims can be filed only for approved fund requests.")
    rules.ensure_before_due(request.claim_due_on, today)
    _check_amounts(session, request, actual_cost, claimed_amount)
    claim = Claim(
        fund_request_id=request.id,
        fund_request=request,
        partner_id=request.partner_id,
        created_by_id=actor.id,
        actual_cost=actual_cost,
        claimed_amount=claimed_amount,
        notes=notes.strip(),
        status=rules.DRAFT,
    )
    session.add(claim)
    session.flush()
    _audit(session, actor, claim, "created", None, claimed_amount)
    return claim


def update_claim(
    session: Session,
    actor: User,
    claim_id: int,
    *,
    actual_cost: Decimal,
    claimed_amount: Decimal,
    notes: str = "",
) -> Claim:
    """Change a draft claim, or one sent back for changes."""
    claim = _own_claim(session, actor, claim_id)
    rules.ensure_editable("claim", claim.status)
    _check_amounts(session, claim.fund_request, actual_cost, claimed_amount, claim.id)
    claim.actual_cost, claim.claimed_amount, claim.notes = (
        actual_cost,
        claimed_amount,
        notes.strip(),
    )
    session.flush()
    _audit(session, actor, claim, "edited", claim.status, claimed_amount)
    return claim


def add_proof(
    session: Session,
    storage: Storage,
    actor: User,
    claim_id: int,
    kind: str,
    filename: str,
    data: bytes,
) -> ProofFile:
    """Check an upload by its content and store it as proof of performance."""
    claim = _own_claim(session, actor, claim_id)
    rules.ensure_editable("claim", claim.status)
    if kind not in uploads.PROOF_KINDS:
        raise MdfError("Choose what the file shows.", field="kind")
    checked = uploads.check_proof(filename, data)
    key = f"mdf/claims/{claim.id}/{uuid.uuid4().hex}-{checked.safe_name}"
    put_in_transaction(session, storage, key, data, checked.content_type)
    proof = ProofFile(
        claim_id=claim.id,
        kind=kind,
        storage_key=key,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by_id=actor.id,
    )
    session.add(proof)
    session.flush()
    _audit(
        session,
        actor,
        claim,
        "proof_added",
        claim.status,
        data={"file": checked.filename, "kind": kind},
    )
    return proof


def remove_proof(session: Session, storage: Storage, actor: User, proof_id: int) -> Claim:
    """Take a file off a claim that is still being prepared."""
    proof = session.get_one(ProofFile, proof_id)
    claim = _own_claim(session, actor, proof.claim_id)
    rules.ensure_editable("claim", claim.status)
    session.delete(proof)
    session.flush()
    delete_after_commit(session, storage, proof.storage_key)
    _audit(session, actor, claim, "proof_removed", claim.status, data={"file": proof.filename})
    return claim


def submit_claim(session: Session, actor: User, claim_id: int, today: dt.date) -> Claim:
    """Send a claim to finance: it needs an invoice and, the first time, to be on time."""
    # The request is locked first: two claims on one request submitted at the same moment
    # must not both fit in what is unclaimed.
    request = ledger.lock(session, FundRequest, session.get_one(Claim, claim_id).fund_request_id)
    claim = _own_claim(session, actor, claim_id)
    from_state = claim.status
    new_state = rules.claim_transition(from_state, "submit")
    if request.status != rules.APPROVED:
        raise TransitionError("The fund request of this claim is no longer approved.")
    if not any(proof.kind == "invoice" for proof in claim.proof_files):
        raise ProofMissing("Attach at least one invoice before submitting the claim.", field="file")
    if claim.first_submitted_at is None:
        rules.ensure_before_due(request.claim_due_on, today)
    _check_amounts(session, request, claim.actual_cost, claim.claimed_amount, claim.id)
    now = utcnow()
    claim.status = new_state
    claim.first_submitted_at = claim.first_submitted_at or now
    claim.submitted_at = now
    session.flush()
    _audit(session, actor, claim, "submitted", from_state, claim.claimed_amount)
    events.claim_event(session, "claim.submitted", claim)
    return claim


def withdraw_claim(session: Session, actor: User, claim_id: int) -> Claim:
    """The partner drops a claim that finance has not received or sent back."""
    claim = _own_claim(session, actor, claim_id)
    from_state = claim.status
    claim.status = rules.claim_transition(from_state, "withdraw")
    session.flush()
    _audit(session, actor, claim, "withdrawn", from_state)
    return claim


def _lock_claim_with_allocation(session: Session, claim_id: int) -> tuple[Allocation, Claim]:
    return ledger.lock_with_allocation(session, Claim, claim_id)


def approve_claim(
    session: Session,
    actor: User,
    claim_id: int,
    amount: Decimal | None = None,
    comment: str = "",
) -> Claim:
    """Finance approves a claim, possibly for less than claimed."""
    allocation, claim = _lock_claim_with_allocation(session, claim_id)
    amount = claim.claimed_amount if amount is None else amount
    from_state = claim.status
    new_state = rules.claim_transition(from_state, "approve")
    limits.check_claim_approval(claim.claimed_amount, amount, claim.currency)
    limits.ensure_claim_covered(ledger.balance(session, allocation.id), amount, claim.currency)
    ledger.post(
        session,
        allocation,
        money.CLAIM_APPROVE,
        amount,
        actor_id=actor.id,
        fund_request_id=claim.fund_request_id,
        claim_id=claim.id,
        comment=comment,
    )
    claim.status, claim.approved_amount = new_state, amount
    claim.decision_comment, claim.decided_at = comment.strip(), utcnow()
    session.flush()
    _audit(session, actor, claim, "approved", from_state, amount, comment)
    events.claim_event(session, "claim.approved", claim)
    return claim


def _decide(
    session: Session, actor: User, claim_id: int, action: str, comment: str, verb: str
) -> Claim:
    if not comment.strip():
        raise MdfError("Tell the partner why, so they know what to do next.", field="comment")
    claim = ledger.lock(session, Claim, claim_id)
    from_state = claim.status
    claim.status = rules.claim_transition(from_state, action)
    claim.decision_comment, claim.decided_at = comment.strip(), utcnow()
    session.flush()
    _audit(session, actor, claim, verb, from_state, comment=comment.strip())
    return claim


def reject_claim(session: Session, actor: User, claim_id: int, reason: str) -> Claim:
    """Refuse a claim, with the reason the partner will read."""
    return _decide(session, actor, claim_id, "reject", reason, "rejected")


def send_back_claim(session: Session, actor: User, claim_id: int, comment: str) -> Claim:
    """Return a claim to the partner, saying what to fix."""
    return _decide(session, actor, claim_id, "request_changes", comment, "changes_requested")

"""The MDF page actions the first API left out: edit, cancel and send back fund requests;
file claims with their proof files, edit, withdraw and send them back.

Each route calls the service its page calls (request_views.py, claim_views.py) with the same
roles; proof files go through the same content and size checks (tcma.mdf.uploads).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import request, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from tcma import db
from tcma.accounts.access import get_scoped_or_404
from tcma.api.auth import require
from tcma.api.blueprint import api_blueprint, problems
from tcma.api.errors import ApiProblem, field_error
from tcma.mdf import action_schemas, claim_services, notify, request_services, schemas, uploads
from tcma.mdf.api import _check_currency, _mdf_error
from tcma.mdf.models import Claim, FundRequest, ProofFile
from tcma.mdf.request_services import RequestFields
from tcma.mdf.rules import MdfError
from tcma.mdf.web import today
from tcma.permissions import (
    FINANCE_ROLES,
    MARKETING_ROLES,
    PARTNER_ROLES,
    PARTNER_WORK_ROLES,
)
from tcma.storage import get_storage

bp = api_blueprint("api_mdf_actions", __name__, "", "MDF: edits, claims with proof, send-backs.")

MULTIPART = "multipart/form-data"


def _upload(name: str) -> tuple[str, bytes] | None:
    """(filename, bytes) of a file part, reading one byte past the limit as the page does."""
    part: FileStorage | None = request.files.get(name)
    if part is None or not part.filename:
        return None
    return part.filename, part.stream.read(uploads.MAX_PROOF_BYTES + 1)


def _refused(exc: MdfError, file_field: str) -> ApiProblem:
    if exc.field == "file":
        return field_error(422, exc.message, file_field)
    return _mdf_error(exc)


# --- fund requests -------------------------------------------------------------------------


@bp.patch("/fund-requests/<id:request_id>")
@require("mdf", "write", PARTNER_ROLES)
@problems(bp, 400, 404, 409, 422)
@bp.arguments(action_schemas.FundRequestEditSchema)
@bp.response(200, schemas.FundRequestSchema)
def edit_fund_request(data: dict[str, Any], request_id: int) -> FundRequest:
    """Change a draft, or a request sent back for changes (the keys sent; the rest stays)."""
    session = db.session()
    item = get_scoped_or_404(session, FundRequest, request_id)
    current = {f.name: getattr(item, f.name) for f in dataclasses.fields(RequestFields)}
    sent = {k: v for k, v in data.items() if k != "currency"}
    try:
        request_services.update_request(
            session, current_user, item.id, RequestFields(**{**current, **sent})
        )
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    _check_currency(data.get("currency"), item.currency)
    return item


@bp.post("/fund-requests/<id:request_id>/cancel")
@require("mdf", "write", PARTNER_WORK_ROLES)
@problems(bp, 400, 404, 409, 422)
@bp.arguments(schemas.CommentSchema)
@bp.response(200, schemas.FundRequestSchema)
def cancel_fund_request(data: dict[str, Any], request_id: int) -> FundRequest:
    """Cancel an approved request without claims: its money goes back to the allocation."""
    item = get_scoped_or_404(db.session(), FundRequest, request_id)
    try:
        request_services.cancel_request(db.session(), current_user, item.id, data["comment"])
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    return item


@bp.post("/fund-requests/<id:request_id>/request-changes")
@require("mdf", "write", MARKETING_ROLES)
@problems(bp, 400, 404, 409, 422)
@bp.arguments(action_schemas.SendBackSchema)
@bp.response(200, schemas.FundRequestSchema)
def send_back_fund_request(data: dict[str, Any], request_id: int) -> FundRequest:
    """Send the request back to the partner, saying what to change."""
    item = get_scoped_or_404(db.session(), FundRequest, request_id)
    try:
        decided = request_services.request_changes(
            db.session(), current_user, item.id, data["comment"]
        )
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    notify.request_decided(decided)
    return decided


# --- claims -------------------------------------------------------------------------------


@bp.post("/fund-requests/<id:request_id>/claims")
@require("mdf", "write", PARTNER_ROLES)
@problems(bp, 400, 404, 409, 413, 422)
@bp.arguments(action_schemas.ClaimCreateSchema, location="form", content_type=MULTIPART)
@bp.response(201, schemas.ClaimSchema)
def create_claim(data: dict[str, Any], request_id: int) -> tuple[Claim, int, dict[str, str]]:
    """File a draft claim on an approved request, with its invoice if sent (submit it next)."""
    session = db.session()
    fund_request = get_scoped_or_404(session, FundRequest, request_id)
    _check_currency(data["currency"], fund_request.currency)
    try:
        claim = claim_services.create_claim(
            session,
            current_user,
            fund_request.id,
            actual_cost=data["actual_cost"],
            claimed_amount=data["claimed_amount"],
            notes=data["notes"],
            today=today(),
        )
        if (invoice := _upload("invoice")) is not None:
            claim_services.add_proof(
                session, get_storage(), current_user, claim.id, "invoice", *invoice
            )
    except MdfError as exc:
        raise _refused(exc, "invoice") from exc
    return claim, 201, {"Location": url_for("api_mdf.get_claim", claim_id=claim.id)}


@bp.patch("/claims/<id:claim_id>")
@require("mdf", "write", PARTNER_ROLES)
@problems(bp, 400, 404, 409, 422)
@bp.arguments(action_schemas.ClaimEditSchema)
@bp.response(200, schemas.ClaimSchema)
def edit_claim(data: dict[str, Any], claim_id: int) -> Claim:
    """Change a draft claim, or one sent back (the keys sent; the rest stays)."""
    session = db.session()
    claim = get_scoped_or_404(session, Claim, claim_id)
    _check_currency(data.get("currency"), claim.currency)
    try:
        claim_services.update_claim(
            session,
            current_user,
            claim.id,
            actual_cost=data.get("actual_cost", claim.actual_cost),
            claimed_amount=data.get("claimed_amount", claim.claimed_amount),
            notes=data.get("notes", claim.notes),
        )
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    return claim


@bp.post("/claims/<id:claim_id>/proofs")
@require("mdf", "write", PARTNER_ROLES)
@problems(bp, 400, 404, 409, 413, 422)
@bp.arguments(action_schemas.ProofUploadSchema, location="form", content_type=MULTIPART)
@bp.response(201, schemas.ProofFileSchema)
def add_proof(data: dict[str, Any], claim_id: int) -> tuple[ProofFile, int]:
    """Add a proof-of-performance file to a claim that is still being prepared."""
    session = db.session()
    claim = get_scoped_or_404(session, Claim, claim_id)
    try:
        upload = _upload("file")
        if upload is None:
            raise MdfError("Choose a file to upload.", field="file")
        proof = claim_services.add_proof(
            session, get_storage(), current_user, claim.id, data["kind"], *upload
        )
    except MdfError as exc:
        raise _refused(exc, "file") from exc
    return proof, 201


@bp.delete("/claims/<id:claim_id>/proofs/<id:proof_id>")
@require("mdf", "write", PARTNER_ROLES)
@problems(bp, 404, 409, 422)
@bp.response(204)
def remove_proof(claim_id: int, proof_id: int) -> None:
    """Remove a file from a claim that is still being prepared."""
    session = db.session()
    claim = get_scoped_or_404(session, Claim, claim_id)
    proof = session.get(ProofFile, proof_id)
    if proof is None or proof.claim_id != claim.id:
        raise ApiProblem(404)
    try:
        claim_services.remove_proof(session, get_storage(), current_user, proof.id)
    except MdfError as exc:
        raise _mdf_error(exc) from exc


@bp.post("/claims/<id:claim_id>/withdraw")
@require("mdf", "write", PARTNER_ROLES)
@problems(bp, 404, 409, 422)
@bp.response(200, schemas.ClaimSchema)
def withdraw_claim(claim_id: int) -> Claim:
    """Drop a claim that finance has not received (a draft, or one sent back)."""
    claim = get_scoped_or_404(db.session(), Claim, claim_id)
    try:
        claim_services.withdraw_claim(db.session(), current_user, claim.id)
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    return claim


@bp.post("/claims/<id:claim_id>/request-changes")
@require("mdf", "write", FINANCE_ROLES)
@problems(bp, 400, 404, 409, 422)
@bp.arguments(action_schemas.SendBackSchema)
@bp.response(200, schemas.ClaimSchema)
def send_back_claim(data: dict[str, Any], claim_id: int) -> Claim:
    """Return the claim to the partner, saying what to fix."""
    claim = get_scoped_or_404(db.session(), Claim, claim_id)
    try:
        decided = claim_services.send_back_claim(
            db.session(), current_user, claim.id, data["comment"]
        )
    except MdfError as exc:
        raise _mdf_error(exc) from exc
    notify.claim_decided(decided)
    return decided

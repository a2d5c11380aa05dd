"""Job pages: "Your exports", one job's progress (with a JSON endpoint that JS polls),
its download, starting exports, and the vendor admin's failed jobs with retry."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts import rules as account_rules
from tcma.accounts.models import User
from tcma.forms import Form
from tcma.jobs import records
from tcma.jobs.models import DONE, FAILED, JobRecord
from tcma.permissions import admins, lead_readers, signed_in
from tcma.pipeline import export
from tcma.pipeline import tasks as pipeline_tasks
from tcma.pipeline import web as pipeline_web
from tcma.storage import get_storage

bp = Blueprint("jobs", __name__)


class ActionForm(Form):
    """A button that posts (CSRF only)."""


def record_or_404(record_id: int) -> JobRecord:
    """A job record of the signed-in person's own (a vendor admin sees every one); else 404."""
    record = db.session().get(JobRecord, record_id)
    if record is None:
        abort(404)
    if record.user_id != current_user.id and current_user.role != account_rules.ADMIN:
        abort(404)
    return record


def status_of(record: JobRecord) -> dict[str, Any]:
    """What the progress display shows, as JSON."""
    return {
        "id": record.id,
        "status": record.status,
        "label": record.label,
        "percent": record.percent,
        "done": record.progress_done,
        "total": record.progress_total,
        "error": record.error,
        "download_url": (
            url_for("jobs.download", record_id=record.id) if record.status == DONE else None
        ),
        "file_name": record.result_name,
    }


def recent_jobs(job_kind: str, /, **params: Any) -> list[JobRecord]:
    """The signed-in person's recent jobs of one kind (for the page where they started them)."""
    if not current_user.is_authenticated:
        return []
    return records.recent(db.session(), current_user.id, job_kind, **params)


@bp.app_context_processor
def _job_helpers() -> dict[str, Any]:
    return {"recent_jobs": recent_jobs, "job_status_of": status_of}


@bp.route("/exports")
@signed_in
def index() -> str:
    """Your exports: every file you asked for, how far it got, and its download."""
    items = records.for_user(db.session(), current_user.id)
    return render_template("jobs/index.html", items=items)


@bp.route("/jobs/<int:record_id>")
@signed_in
def show(record_id: int) -> str:
    """One job: waiting, running with its progress, ready with its file, or failed and why."""
    record = record_or_404(record_id)
    return render_template("jobs/show.html", record=record, form=ActionForm())


@bp.route("/jobs/<int:record_id>/status.json")
@signed_in
def status(record_id: int) -> Response:
    """The job's state for the page's progress display to poll."""
    response = jsonify(status_of(record_or_404(record_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/jobs/<int:record_id>/download")
@signed_in
def download(record_id: int) -> Response:
    """The finished file (a short-lived link on S3)."""
    record = record_or_404(record_id)
    if record.status != DONE or not record.result_key:
        flash("The file is not ready yet.", "info")
        return redirect(url_for("jobs.show", record_id=record.id))
    return redirect(get_storage().download_url(record.result_key, record.result_name or "file"))


@bp.route("/exports/<kind>", methods=["POST"])
@lead_readers
def start_export(kind: str) -> Response:
    """Start a lead or opportunity export of the list as filtered, written by a worker."""
    if kind not in pipeline_tasks.KINDS:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    crm = request.form.get("format", export.SALESFORCE)
    crm = crm if crm in export.CRMS else export.SALESFORCE
    flt = pipeline_web.list_filter(request.form)
    record = pipeline_tasks.start_export(db.session(), current_user, kind, crm, flt)
    flash("Your export has started. It stays under Your exports when it is ready.", "success")
    return redirect(url_for("jobs.show", record_id=record.id))


@bp.route("/jobs/failed")
@admins
def failed() -> str:
    """Failed jobs of everyone, with their reasons, for the vendor admin to retry."""
    session = db.session()
    items = records.listed(session, FAILED)
    ids = {item.user_id for item in items if item.user_id is not None}
    users = dict(session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())
    return render_template("jobs/failed.html", items=items, record_users=users, form=ActionForm())


@bp.route("/jobs/<int:record_id>/retry", methods=["POST"])
@admins
def retry(record_id: int) -> Response:
    """Queue a failed job again."""
    record_or_404(record_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        records.retry(db.session(), record_id)
    except records.NotRetryable as exc:
        flash(str(exc), "error")
    else:
        flash("The job is queued again.", "success")
    if request.form.get("back") == "show":
        return redirect(url_for("jobs.show", record_id=record_id))
    return redirect(url_for("jobs.failed"))

"""The home page per role and the health check."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select, text
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts import rules
from tcma.accounts.models import Partner, Tier, User
from tcma.permissions import signed_in
from tcma.storage import StorageError, check_within, get_storage

bp = Blueprint("home", __name__)
log = logging.getLogger(__name__)


@bp.app_template_global()
def has_endpoint(endpoint: str) -> bool:
    """Lets shared templates link to areas only when they are installed."""
    return endpoint in current_app.view_functions


@bp.route("/")
def root() -> Response:
    """Signed-in people go to their home page, everyone else to sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return redirect(url_for("auth.login"))


@bp.route("/home")
@signed_in
def index() -> str:
    """What to do next, for each role."""
    session = db.session()
    facts: dict[str, int] = {}
    if current_user.role == rules.ADMIN:
        facts["partners"] = session.scalar(select(func.count(Partner.id))) or 0
        facts["tiers"] = session.scalar(select(func.count(Tier.id))) or 0
        facts["users"] = session.scalar(select(func.count(User.id))) or 0
        facts["invited"] = (
            session.scalar(select(func.count(User.id)).where(User.status == "invited")) or 0
        )
    elif current_user.role == rules.PARTNER_ADMIN:
        facts["colleagues"] = (
            session.scalar(
                select(func.count(User.id)).where(User.partner_id == current_user.partner_id)
            )
            or 0
        )
    return render_template(f"home/{current_user.role}.html", facts=facts)


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """Database and storage reachability, for load balancers and monitoring."""
    checks = {"database": "ok", "storage": "ok"}
    try:
        # One statement in autocommit mode: no BEGIN/COMMIT round trips for a probe.
        engine = db.get_engine()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        log.exception("health check: database failed")
        checks["database"] = "error"
    try:
        # With a deadline: a hanging storage must not hold the load balancer's probe.
        check_within(get_storage(), current_app.config["HEALTH_CHECK_TIMEOUT"])
    except StorageError as exc:
        log.error("health check: storage failed: %s", exc)
        checks["storage"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "error", **checks}
    return jsonify(body), 200 if healthy else 503

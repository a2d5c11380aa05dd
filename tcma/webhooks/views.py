"""Webhook pages: endpoints (vendor admins: all; partner admins: their company's), the
delivery log of each, redelivery, secret rotation, enabling and disabling."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tcma import db
from tcma.forms import show_error
from tcma.permissions import company_admins
from tcma.webhooks import services
from tcma.webhooks.forms import ActionForm, EndpointForm
from tcma.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tcma.webhooks.rules import WebhookError

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
LOG_SIZE = 50


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    # A partner admin manages only their company's endpoints; vendor-wide ones are the
    # vendor's. Anything else is 404, as if it did not exist.
    endpoint = db.session().get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.partner_id != current_user.partner_id:
        abort(404)
    return endpoint


@bp.route("/", methods=["GET", "POST"])
@company_admins
def index() -> str | Response:
    """The endpoints this user manages and the form to add one."""
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint = services.create_endpoint(
                db.session(),
                current_user.id,
                partner_id=current_user.partner_id,
                url=form.url.data or "",
                event_types=form.event_types.data or [],
                description=form.description.data or "",
                allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"],
            )
        except WebhookError as exc:
            show_error(form, exc)
        else:
            flash("Endpoint added. Copy its signing secret from its page.", "success")
            return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))
    stmt = select(WebhookEndpoint).where(
        WebhookEndpoint.partner_id.is_(None)
        if current_user.partner_id is None
        else WebhookEndpoint.partner_id == current_user.partner_id
    )
    endpoints = list(db.session().scalars(stmt.order_by(WebhookEndpoint.id)))
    return render_template("webhooks/index.html", form=form, endpoints=endpoints)


@bp.get("/<int:endpoint_id>")
@company_admins
def endpoint(endpoint_id: int) -> str:
    """One endpoint: its secret, status and the log of its latest deliveries."""
    record = _endpoint_or_404(endpoint_id)
    deliveries = list(
        db.session().scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == record.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(LOG_SIZE)
        )
    )
    return render_template(
        "webhooks/endpoint.html", endpoint=record, deliveries=deliveries, form=ActionForm()
    )


@bp.route("/<int:endpoint_id>/rotate", methods=["GET", "POST"])
@company_admins
def rotate(endpoint_id: int) -> str | Response:
    """Ask, then make a new secret (the old one keeps signing for a day)."""
    record = _endpoint_or_404(endpoint_id)
    form = ActionForm()
    if form.validate_on_submit():
        services.rotate_secret(db.session(), current_user.id, record)
        flash("New secret made. The old one also signs for 24 hours.", "success")
        return redirect(url_for("webhooks.endpoint", endpoint_id=record.id))
    return render_template("webhooks/rotate.html", endpoint=record, form=form)


@bp.post("/<int:endpoint_id>/status")
@company_admins
def set_status(endpoint_id: int) -> Response:
    """Enable or disable an endpoint (the button sends status=active or disabled)."""
    record = _endpoint_or_404(endpoint_id)
    status = request.form.get("status", "")
    if ActionForm().validate_on_submit() and status in ("active", "disabled"):
        services.set_status(db.session(), current_user.id, record, status, "disabled by hand")
        flash("Endpoint enabled." if status == "active" else "Endpoint disabled.", "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=record.id))


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
@company_admins
def redeliver(endpoint_id: int, delivery_id: int) -> Response:
    """Send one delivery again, with the same webhook-id."""
    record = _endpoint_or_404(endpoint_id)
    delivery = db.session().get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != record.id:
        abort(404)
    if ActionForm().validate_on_submit():
        services.redeliver(db.session(), current_user.id, delivery)
        flash("Delivery queued again.", "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=record.id))


@bp.get("/<int:endpoint_id>/deliveries/<int:delivery_id>")
@company_admins
def delivery(endpoint_id: int, delivery_id: int) -> str:
    """One delivery: its payload and every attempt with answer code and duration."""
    record = _endpoint_or_404(endpoint_id)
    item = db.session().get(WebhookDelivery, delivery_id)
    if item is None or item.endpoint_id != record.id:
        abort(404)
    attempts = list(
        db.session().scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == item.id)
            .order_by(WebhookAttempt.id)
        )
    )
    return render_template(
        "webhooks/delivery.html",
        endpoint=record,
        delivery=item,
        attempts=attempts,
        body=services.body_of(item.event),
        form=ActionForm(),
    )

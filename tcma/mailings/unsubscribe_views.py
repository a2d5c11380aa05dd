"""Public unsubscribe: a page with a button, and the RFC 8058 one-click POST of mail programs.

No sign-in and no CSRF token: the signed token in the URL is the authority, and suppressing
an address is the only thing it can do. A GET never unsubscribes (link scanners open links).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from tcma import db
from tcma.extensions import csrf, limiter
from tcma.mailings import rules, services
from tcma.mailings.models import Delivery, Mailing

bp = Blueprint("unsubscribe", __name__, url_prefix="/u")


def _delivery(token: str) -> Delivery | None:
    """The delivery of a token; None for the inert token of a test message; 404 if forged."""
    delivery_id = rules.delivery_of_token(current_app.config["SECRET_KEY"], token)
    if delivery_id is None:
        abort(404)
    if delivery_id == 0:
        return None
    return db.session().get(Delivery, delivery_id) or abort(404)


def _sender_name(delivery: Delivery) -> str:
    mailing = db.session().scalar(select(Mailing).where(Mailing.id == delivery.mailing_id))
    return services.sender_of(db.session(), mailing).name if mailing else ""


@bp.route("/<token>", methods=["GET"])
@limiter.limit("60 per minute")
def page(token: str) -> str:
    """Ask before unsubscribing (one button)."""
    delivery = _delivery(token)
    return render_template(
        "mailings/unsubscribe.html",
        token=token,
        test=delivery is None,
        done=delivery is not None and delivery.unsubscribed_at is not None,
        sender=_sender_name(delivery) if delivery else "",
    )


@bp.route("/<token>", methods=["POST"])
@csrf.exempt
@limiter.limit("60 per minute")
def confirm(token: str) -> str:
    """Unsubscribe: the page's button, or a mail program's one-click POST (RFC 8058)."""
    delivery = _delivery(token)
    if delivery is not None:
        services.unsubscribe(db.session(), delivery)
    return render_template(
        "mailings/unsubscribe.html",
        token=token,
        test=delivery is None,
        done=True,
        sender=_sender_name(delivery) if delivery else "",
    )

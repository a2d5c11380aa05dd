"""Public landing pages: /l/<code> with its lead form, the thank-you page, polite notices.

No sign-in and no app chrome here: these pages are the partner's, shown to anyone.
"""

from __future__ import annotations

import functools
import re

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import escape
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts.models import Partner
from tcma.campaigns import landing, tracking
from tcma.campaigns import launch_rules as rules
from tcma.campaigns.models import DRAFT, Campaign
from tcma.campaigns.rendering import brand_logo_url
from tcma.campaigns.visit_cache import DEFAULT_TTL, VisitCache
from tcma.cobrand import services as brand_services
from tcma.cobrand.models import BrandVersion
from tcma.db import utcnow
from tcma.extensions import limiter
from tcma.mailings import engagement as mail_engagement
from tcma.pipeline import rules as pipeline_rules
from tcma.pipeline import services as pipeline_services
from tcma.pipeline.forms import LeadCaptureForm
from tcma.pipeline.rules import PipelineError
from tcma.storage import get_storage
from tcma.web_perf import Piece, accepts_gzip, gzip_pieces, join_pieces, piece

bp = Blueprint("landing", __name__)
VISIT_CACHE_KEY = "tcma.landing_visits"

DEFAULT_LEAD_RATE_LIMIT = "10 per minute; 60 per hour"
# Link previews, crawlers and browser prefetches are not people looking at the page.
_NOT_A_VIEW = re.compile(r"bot|crawl|spider|slurp|preview|facebookexternalhit", re.IGNORECASE)
NOTICES = {
    rules.PAUSED_PAGE: (
        "Registrations are paused",
        "This page is not taking registrations right now. Please come back a little later.",
    ),
    rules.OVER: (
        "This campaign has ended",
        "Thank you for your interest. This page no longer takes registrations.",
    ),
    rules.NOT_STARTED: ("Coming soon", "This page opens for registrations on {starts}."),
}


# Placeholders of the cached empty form, replaced per visitor (never shown to anybody).
_SUBMIT_SLOT, _CSRF_SLOT, _ACTION_SLOT = "tcma-submit-slot", "tcma-csrf-slot", "tcma-action-slot"
_SLOTS = (_SUBMIT_SLOT, _CSRF_SLOT, _ACTION_SLOT)
ERRORS = {
    400: ("Please try again", "The form could not be sent. Please open the page again."),
    404: ("Page not found", "There is no page at this address. The link may be old or mistyped."),
    429: ("Too many attempts", "Please wait a minute before sending the form again."),
}


def _lead_rate_limit() -> str:
    return current_app.config.get("LANDING_LEAD_RATE_LIMIT", DEFAULT_LEAD_RATE_LIMIT)


def _visit_or_404(code: str, cached: bool = False) -> landing.Visit:
    """A launched campaign's facts; drafts and unknown codes are not found.

    Pages read them from the process's short-lived cache (no SQL on a hit); other callers
    read them afresh (lead POSTs too, see submit), so a paused campaign takes no lead.
    """
    visit = None
    if len(code) <= 32:
        if cached:
            visit = _visit_cache().get(code, lambda: _read_visit(code))
        else:
            visit = landing.find_visit(db.session(), code)
    if visit is None or visit.status == DRAFT:
        abort(404)
    return visit


def _read_visit(code: str) -> landing.Visit | None:
    # One statement on a connection in autocommit mode: no BEGIN, no COMMIT, no ROLLBACK.
    engine = db.get_engine()
    with (
        engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
        Session(bind=conn) as session,
    ):
        return landing.find_visit(session, code)


def _visit_cache() -> VisitCache:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache = app.extensions.get(VISIT_CACHE_KEY)
    if cache is None:
        ttl = float(app.config.get("LANDING_CACHE_SECONDS", DEFAULT_TTL))
        cache = app.extensions.setdefault(VISIT_CACHE_KEY, VisitCache(ttl))
    return cache


def _state(visit: landing.Visit) -> str:
    return rules.landing_state(visit.status, visit.starts_on, visit.ends_on, utcnow().date())


def _consent_text(visit: landing.Visit) -> str:
    return visit.consent_text or rules.default_consent_text(
        visit.partner_name, current_app.config["VENDOR_NAME"]
    )


def _brand(visit: landing.Visit) -> dict[str, object]:
    """The template values of the partner's own pages: brand values and logo URL."""
    session = db.session()
    version = session.get(BrandVersion, visit.brand_version_id) if visit.brand_version_id else None
    partner = session.get_one(Partner, visit.partner_id)
    return {
        "brand": brand_services.brand_values(partner, version),
        "logo_url": brand_logo_url(version),
    }


def _page_response(body: str | bytes, status: int = 200) -> Response:
    response = make_response(body, status)
    # Each page carries its visitor's own form tokens: no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _action() -> str:
    # The form posts back to the address it was shown on, UTM parameters included.
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


@functools.lru_cache(maxsize=256)
def _blank_form(consent_text: str, with_csrf: bool) -> str:
    """The empty lead form with placeholders for its per-visitor values, rendered once.

    Rendering the WTForms fields costs more than the rest of the page put together; the
    empty form only differs between visitors in its tokens and address.
    """
    form = LeadCaptureForm(formdata=None, meta={"csrf": False})
    form.submit_token.data = _SUBMIT_SLOT
    form.consent.label.text = consent_text
    return render_template(
        "landing/_lead_form.html",
        form=form,
        message="",
        action=_ACTION_SLOT,
        csrf_slot=_CSRF_SLOT if with_csrf else None,
    )


@functools.lru_cache(maxsize=64)
def _page_pieces(page: str, consent_text: str, with_csrf: bool) -> tuple[Piece | str, ...]:
    """The page with the empty form, cut at its per-visitor slots: fixed pieces (with their
    compressed bytes, made once) and the names of the slots between them."""
    html = landing.with_form(page, _blank_form(consent_text, with_csrf))
    slots = sorted((html.find(slot), slot) for slot in _SLOTS if slot in html)
    parts: list[Piece | str] = []
    start = 0
    for at, slot in slots:
        parts += [piece(html[start:at].encode()), slot]
        start = at + len(slot)
    return (*parts, piece(html[start:].encode()))


def _new_form_page(visit: landing.Visit, page: str) -> Response:
    """The page with a fresh form: only its tokens and address are made per visitor."""
    with_csrf = current_app.config.get("WTF_CSRF_ENABLED", True)
    values = {
        _SUBMIT_SLOT: landing.new_submit_token(visit.campaign_id),
        _CSRF_SLOT: str(escape(generate_csrf())) if with_csrf else "",
        _ACTION_SLOT: str(escape(_action())),
    }
    parts = [
        part if isinstance(part, Piece) else values[part].encode()
        for part in _page_pieces(page, _consent_text(visit), with_csrf)
    ]
    if not accepts_gzip():
        return _page_response(join_pieces(parts))
    response = _page_response(gzip_pieces(parts))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def _form_page(
    visit: landing.Visit, form: LeadCaptureForm | None = None, status: int = 200, message: str = ""
) -> Response:
    page = landing.landing_html(db.session(), get_storage(), visit)
    if page is None:
        campaign = db.session().get_one(Campaign, visit.campaign_id)
        page = render_template(
            "landing/fallback.html",
            campaign=campaign,
            form_slot=landing.LEAD_FORM_SLOT,
            **_brand(visit),
        )
    if form is None:
        return _new_form_page(visit, page)
    if not form.submit_token.data:
        form.submit_token.data = landing.new_submit_token(visit.campaign_id)
    form.consent.label.text = _consent_text(visit)
    form_html = render_template(
        "landing/_lead_form.html", form=form, message=message, action=_action()
    )
    return _page_response(landing.with_form(page, form_html), status)


def _notice(visit: landing.Visit, state: str) -> Response:
    title, text = NOTICES[state]
    starts = f"{visit.starts_on:%d %B %Y}" if visit.starts_on else ""
    body = render_template(
        "landing/notice.html", title=title, text=text.format(starts=starts), **_brand(visit)
    )
    return _page_response(body)


def _is_a_view() -> bool:
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    agent = request.headers.get("User-Agent", "")
    return request.method == "GET" and "prefetch" not in purpose and not _NOT_A_VIEW.search(agent)


@bp.route("/l/<code>")
@limiter.exempt  # no limit applies to pages; skip the limiter's per-request lookups
def page(code: str) -> Response:
    """The campaign's co-branded landing page with its lead form."""
    visit = _visit_or_404(code, cached=True)
    state = _state(visit)
    if state != rules.OPEN:
        return _notice(visit, state)
    response = _form_page(visit)
    if _is_a_view():
        tracking.count_page_view(db.session(), visit.campaign_id, utcnow().date())
    return response


@bp.route("/l/<code>", methods=["POST"])
@limiter.limit(_lead_rate_limit)
def submit(code: str) -> Response:
    """Take a lead: once per rendered form, whatever the clicks and retries."""
    # Facts read afresh (a paused campaign takes no lead anywhere), with the campaign itself.
    lock = _lead_lock_name(code)
    found = landing.find_visit_and_campaign(db.session(), code, lock) if len(code) <= 32 else None
    if found is None or found[0].status == DRAFT:
        abort(404)
    visit, campaign = found
    state = _state(visit)
    if state != rules.OPEN:
        return _notice(visit, state)
    form = LeadCaptureForm()
    if form.homepage.data:
        # A bot filled in the hidden field: it gets the same answer as a person, and no lead.
        return redirect(_thanks_url(visit), 303)
    if not form.validate_on_submit():
        return _form_page(visit, form, 400, "Please check the marked fields.")
    nonce = landing.read_submit_token(form.submit_token.data or "", visit.campaign_id)
    if nonce is None:
        form.submit_token.data = ""
        return _form_page(
            visit, form, 400, "This form was open for too long. Please check it and send it again."
        )
    values = pipeline_services.LeadInput(
        **{
            name: form[name].data or ""
            for name in ("first_name", "last_name", "email", "company", "title", "phone", "country")
        }
    )
    try:
        lead, created = pipeline_services.capture_lead(
            db.session(),
            campaign,
            values,
            consent_text=_consent_text(visit),
            submit_token=nonce,
            utm=tracking.visit_utm(request.args),
            repeat_window=current_app.config["LEAD_REPEAT_WINDOW"],
        )
    except PipelineError as exc:
        form.email.errors = [*form.email.errors, exc.message]
        return _form_page(visit, form, 400, "Please check the marked fields.")
    if created and lead is not None:
        # A click in a mailing left a signed reference for this page: the lead is the mailing's.
        reference = request.cookies.get(mail_engagement.ATTRIBUTION_COOKIE)
        mail_engagement.attribute_lead(db.session(), lead, reference)
    return redirect(_thanks_url(visit), 303)


def _lead_lock_name(code: str) -> str | None:
    # The lock capture_lead takes, taken with the campaign's read; a typed address that
    # capture_lead would write another way only makes it take its own lock too.
    try:
        email = pipeline_rules.clean_email(request.form.get("email", ""))
    except PipelineError:
        return None
    return pipeline_services.lead_lock_name(code, email)


def _thanks_url(visit: landing.Visit) -> str:
    return url_for("landing.thanks", code=visit.code)


@bp.route("/l/<code>/thanks")
@limiter.exempt
def thanks(code: str) -> Response:
    """The thank-you page after a lead was sent."""
    visit = _visit_or_404(code, cached=True)
    return _page_response(render_template("landing/thanks.html", **_brand(visit)))


@bp.errorhandler(CSRFError)
def _csrf_failed(error: CSRFError) -> Response:
    # Typically a visitor whose browser dropped the session cookie: keep what they typed.
    code = str((request.view_args or {}).get("code", ""))[:32]
    visit = landing.find_visit(db.session(), code)
    if visit is None or visit.status == DRAFT or _state(visit) != rules.OPEN:
        return _plain_error(error)
    form = LeadCaptureForm()  # keeps what they typed; renders a fresh CSRF token
    return _form_page(
        visit,
        form,
        400,
        "Your browser sent the form without its security "
        "check (cookies may be blocked). Please send it again.",
    )


@bp.errorhandler(404)
@bp.errorhandler(429)
def _plain_error(error: HTTPException) -> Response:
    # Visitors of a partner's page never see the partner program's own pages.
    title, text = ERRORS.get(error.code or 400, ERRORS[400])
    body = render_template("landing/error.html", title=title, text=text)
    return _page_response(body, error.code or 400)

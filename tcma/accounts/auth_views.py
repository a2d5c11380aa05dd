"""Sign in and out, invitations and password resets."""

from __future__ import annotations

import hashlib
import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tcma import db
from tcma.accounts import rules, services, tokens
from tcma.accounts.forms import LoginForm, ResetRequestForm, SetPasswordForm
from tcma.accounts.models import User
from tcma.accounts.rules import AccountError
from tcma.extensions import limiter
from tcma.forms import filled
from tcma.mail import queue_mail
from tcma.security import app_secret
from tcma.urls import external_url, is_safe_next

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


def _failed(response: Response) -> bool:
    # Only failed attempts count towards the limit: a successful sign-in redirects.
    return response.status_code != 302


def _account_key() -> str:
    # Per account, whether or not it exists: an unknown email is throttled exactly like a
    # real one, so the 429 tells nothing. The key is a digest, so no email sits in Redis.
    email = rules.normalise_email(str(request.form.get("email", ""))[:254])
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per 5 minutes", methods=["POST"], deduct_when=_failed)
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
def login() -> str | Response:
    """The sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                db.session(), filled(form.email.data), filled(form.password.data)
            )
        except AccountError as exc:
            error = exc.message
        else:
            next_url = request.args.get("next")
            session.clear()  # a fresh session at sign-in prevents session fixation
            login_user(user)
            flash(f"Welcome, {user.display_name}.", "success")
            return redirect(next_url if is_safe_next(next_url) else url_for("home.index"))
    return render_template("accounts/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Sign out (a POST, so that a link on another site cannot sign people out)."""
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def _user_from_token(purpose: str, token: str, max_age_key: str) -> User:
    user_id, fingerprint = tokens.read_token(
        app_secret(), purpose, token, current_app.config[max_age_key]
    )
    user = db.session().get(User, user_id)
    if not tokens.token_matches(user, fingerprint):
        raise tokens.TokenError("This link has already been used. Ask for a new one.")
    return user


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    """An invited person sets their name and password."""
    try:
        user = _user_from_token(tokens.INVITATION, token, "INVITATION_MAX_AGE")
    except tokens.TokenError as exc:
        return render_template("accounts/link_problem.html", message=str(exc)), 404
    form = SetPasswordForm(name=user.name)
    if form.validate_on_submit():
        try:
            services.accept_invitation(
                db.session(), user, filled(form.password.data), filled(form.name.data)
            )
        except AccountError as exc:
            form.password.errors = [*form.password.errors, exc.message]
        else:
            session.clear()
            login_user(user)
            flash("Your account is ready. Welcome to the partner program.", "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/set_password.html", form=form, user=user, invitation=True)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password() -> str | Response:
    """Ask for a reset link; the answer is the same whether the email exists or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(db.session(), filled(form.email.data))
        if user is not None and user.status == "active":
            send_password_reset(user)
        flash("If that email has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("accounts/forgot_password.html", form=form)


def send_password_reset(user: User) -> None:
    """Email a single-use password reset link (sent by a worker after the commit)."""
    token = tokens.make_token(app_secret(), tokens.PASSWORD_RESET, user)
    link = external_url("auth.reset_password", token=token)
    hours = current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600
    queue_mail(
        db.session(),
        user.email,
        "Reset your tcma password",
        f"Hello {user.display_name},\n\nSomeone (hopefully you) asked to reset your password.\n"
        f"Choose a new one here within {hours} hours:\n\n{link}\n\n"
        "If you did not ask for this, ignore this email; your password stays the same.\n",
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password from an emailed link."""
    try:
        user = _user_from_token(tokens.PASSWORD_RESET, token, "PASSWORD_RESET_MAX_AGE")
    except tokens.TokenError as exc:
        return render_template("accounts/link_problem.html", message=str(exc)), 404
    form = SetPasswordForm()
    del form.name
    if form.validate_on_submit():
        try:
            services.reset_password(db.session(), user, filled(form.password.data))
        except AccountError as exc:
            form.password.errors = [*form.password.errors, exc.message]
        else:
            logout_user()
            session.clear()
            flash("Your password is changed. Sign in with the new one.", "success")
            return redirect(url_for("auth.login"))
    return render_template("accounts/set_password.html", form=form, user=user, invitation=False)


def send_invitation(user: User, inviter: User) -> str:
    """Email an invitation link after the commit; returns the link (shown to the inviter)."""
    token = tokens.make_token(app_secret(), tokens.INVITATION, user)
    link = external_url("auth.accept_invitation", token=token)
    days = current_app.config["INVITATION_MAX_AGE"] // 86400
    vendor = current_app.config["VENDOR_NAME"]
    company = user.partner.name if user.partner else vendor
    queue_mail(
        db.session(),
        user.email,
        f"{inviter.display_name} invited you to the {vendor} partner program",
        f"Hello{(' ' + user.name) if user.name else ''},\n\n"
        f"{inviter.display_name} invited you to join {company} on tcma as {user.role_label}.\n"
        f"Set your password within {days} days here:\n\n{link}\n",
    )
    return link


def send_existing_account_notice(user: User, inviter: User) -> None:
    """Tell the owner of an address that someone tried to invite it again (nobody else is)."""
    vendor = current_app.config["VENDOR_NAME"]
    company = inviter.partner.name if inviter.partner else vendor
    queue_mail(
        db.session(),
        user.email,
        f"Someone at {company} tried to invite you to the {vendor} partner program",
        f"Hello{(' ' + user.name) if user.name else ''},\n\n"
        f"{inviter.display_name} of {company} tried to invite this address, which already has "
        "an account, so nothing was changed and no new account was made.\n"
        f"Sign in as usual here:\n\n{external_url('auth.login')}\n\n"
        "If you should now belong to another company, ask the partner program's team to "
        "move your account.\n",
    )

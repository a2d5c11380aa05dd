"""Flask-Login wiring: how a session cookie becomes a user."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from tcma import db
from tcma.accounts import rules
from tcma.accounts.models import User
from tcma.extensions import login_manager


def init_login(app: Flask) -> None:
    """Bind Flask-Login with strong session protection."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    """Load the user only if the session was made with their current password."""
    user_id, _, fingerprint = login_id.partition(".")
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    user = db.session().scalar(select(User).where(User.id == int(user_id)))
    if user is None or rules.fingerprint(user.password_hash) != fingerprint:
        return None
    return user

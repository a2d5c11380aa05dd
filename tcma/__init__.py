"""tcma: through-channel co-marketing and Market Development Funds."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from tcma import commands, db, errors, security, templating, web_perf
from tcma.accounts import auth_views, home_views, partner_views, user_views
from tcma.accounts.login import init_login
from tcma.campaigns import landing_views, launch_views
from tcma.campaigns import media_views as campaign_media_views
from tcma.campaigns import views as campaign_views
from tcma.cobrand import views as brand_views
from tcma.config import load_config
from tcma.extensions import csrf, limiter
from tcma.kits import catalog_views, content_views
from tcma.kits import views as kit_views
from tcma.mail import init_mail
from tcma.mdf import views as mdf_views
from tcma.pipeline import views as pipeline_views
from tcma.reports import views as report_views
from tcma.storage import init_storage

PROJECT_ROOT = Path(__file__).resolve().parent.parent

BLUEPRINTS = (
    auth_views.bp,
    home_views.bp,
    partner_views.bp,
    user_views.bp,
    kit_views.bp,
    content_views.bp,
    catalog_views.bp,
    brand_views.bp,
    campaign_views.bp,
    campaign_media_views.bp,
    launch_views.bp,
    landing_views.bp,
    pipeline_views.bp,
    report_views.bp,
    mdf_views.bp,
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: read settings, bind extensions, register blueprints and commands."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str((config or {}).get("INSTANCE_PATH") or PROJECT_ROOT / "instance"),
    )
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(levelname)s %(name)s: %(message)s")

    db.init_db(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    init_storage(app)
    init_mail(app)
    security.init_security(app)
    errors.init_errors(app)
    templating.init_templating(app)
    web_perf.init_web_perf(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    commands.register_commands(app)
    return app

"""tcma: through-channel co-marketing and Market Development Funds."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from tcma import commands, db, errors, mail, resources, security, templating, web_perf
from tcma.accounts import api as partners_api
from tcma.accounts import auth_views, home_views, partner_views, user_views
from tcma.accounts.login import init_login
from tcma.api import tasks as api_tasks  # noqa: F401 - registers its jobs
from tcma.api import token_views
from tcma.api.spec import init_api
from tcma.campaigns import api as campaigns_api
from tcma.campaigns import landing_views, launch_views
from tcma.campaigns import media_views as campaign_media_views
from tcma.campaigns import share_views as campaign_share_views
from tcma.campaigns import tasks as campaign_tasks
from tcma.campaigns import views as campaign_views
from tcma.cobrand import views as brand_views
from tcma.cobrand.render import configure_shared_pool
from tcma.config import load_config
from tcma.extensions import csrf, limiter
from tcma.inflight import init_inflight
from tcma.jobs import failures as job_failures
from tcma.jobs import get_queue, init_jobs
from tcma.jobs import views as job_views
from tcma.kits import api as kits_api
from tcma.kits import catalog_views, content_views
from tcma.kits import tasks as kit_tasks
from tcma.kits import views as kit_views
from tcma.mail import init_mail
from tcma.mailings import api as contacts_api
from tcma.mailings import esp_views, mailing_api, tracking_views, unsubscribe_views
from tcma.mailings import tasks as mailing_tasks
from tcma.mailings import views as mailing_views
from tcma.mdf import api as mdf_api
from tcma.mdf import budget_api, claim_api
from tcma.mdf import tasks as mdf_tasks
from tcma.mdf import views as mdf_views
from tcma.pipeline import api as pipeline_api
from tcma.pipeline import tasks as pipeline_tasks
from tcma.pipeline import views as pipeline_views
from tcma.reports import api as reports_api
from tcma.reports import tasks as report_tasks
from tcma.reports import views as report_views
from tcma.storage import init_storage
from tcma.webhooks import tasks as webhook_tasks
from tcma.webhooks import views as webhook_views

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
    job_views.bp,
    token_views.bp,
    webhook_views.bp,
    mailing_views.contacts_bp,
    mailing_views.bp,
    unsubscribe_views.bp,
    tracking_views.bp,
    tracking_views.open_bp,
    esp_views.bp,
    campaign_share_views.bp,
)

# The modules that define jobs (areas' tasks.py): imported here so that init_jobs binds them.
JOB_MODULES = (
    mail,
    job_failures,
    campaign_tasks,
    mailing_tasks,
    kit_tasks,
    mdf_tasks,
    pipeline_tasks,
    report_tasks,
    webhook_tasks,
)

# The areas' /api/v1 resources (flask-smorest blueprints, one OpenAPI document).
API_BLUEPRINTS = (
    pipeline_api.bp,
    campaigns_api.bp,
    mdf_api.bp,
    claim_api.bp,
    budget_api.bp,
    contacts_api.bp,
    mailing_api.bp,
    kits_api.bp,
    partners_api.bp,
    reports_api.bp,
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: read settings, bind extensions, register blueprints and commands."""
    app = Flask(
        __name__,
        template_folder=str(resources.folder("templates")),
        static_folder=str(resources.folder("static")),
        static_url_path="/static",
        instance_path=_instance_path(config),
    )
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(levelname)s %(name)s: %(message)s")

    if hops := app.config["TRUSTED_PROXY_HOPS"]:
        # Behind that many load balancers, the client's address, scheme and host are the
        # ones they forward; with 0 (the default) forwarded headers are ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    db.init_db(app)
    # Render workers start on first use, or right after a gunicorn fork (gunicorn_conf.py).
    configure_shared_pool(size=max(1, app.config["RENDER_WORKERS"]))
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    init_storage(app)
    init_inflight(app)
    init_mail(app)
    init_jobs(app)
    job_failures.init_failure_records(app, get_queue(app))
    security.init_security(app)
    errors.init_errors(app)
    templating.init_templating(app)
    web_perf.init_web_perf(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    init_api(app, API_BLUEPRINTS)
    commands.register_commands(app)
    return app


def _instance_path(config: dict[str, Any] | None) -> str | None:
    # A checkout keeps its data in instance/; an installed tcma uses Flask's default
    # (<prefix>/var/tcma-instance) unless INSTANCE_PATH says otherwise.
    chosen = (config or {}).get("INSTANCE_PATH")
    if chosen:
        return str(chosen)
    return str(resources.CHECKOUT / "instance") if resources.in_checkout() else None

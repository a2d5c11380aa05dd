"""`tcma demo` adds a living program once: campaigns, leads, deals and a paid MDF claim."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from tcma.accounts.models import User
from tcma.campaigns.models import Campaign
from tcma.mdf.models import Payment
from tcma.pipeline.models import Lead, Opportunity
from tests.conftest import login, make_test_app

MODELS = (Campaign, Lead, Opportunity, Payment)


def activity_counts(app: Flask) -> tuple[int, ...]:
    session = app.extensions["tcma.sessionmaker"]()
    try:
        return tuple(session.scalar(select(func.count(m.id))) for m in MODELS)
    finally:
        session.close()


def test_demo_twice_adds_activity_once_and_dashboard_shows_it(tmp_path) -> None:
    app = make_test_app(f"sqlite:///{tmp_path / 'demo.sqlite3'}", tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    after_first = activity_counts(app)
    assert after_first == (2, 45, 6, 1)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert activity_counts(app) == after_first

    session = app.extensions["tcma.sessionmaker"]()
    try:
        admin = session.scalar(select(User).where(User.email == "admin@northbeam.example"))
    finally:
        session.close()
    client = login(app.test_client(), admin)
    response = client.get("/reports/")
    assert response.status_code == 200
    assert "$48,000.00" in response.get_data(as_text=True)

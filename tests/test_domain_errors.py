"""One error model: every area's refusal is a DomainError with a message and a field, shown
next to the field on pages, as a 422 problem in the API, and never as a server error."""

from __future__ import annotations

from flask import Flask, get_flashed_messages
from wtforms import StringField

from tcma.accounts.rules import AccountError
from tcma.api.rules import TokenRuleError
from tcma.campaigns.launch_rules import LaunchError
from tcma.exceptions import DomainError
from tcma.forms import Form, show_error
from tcma.kits.rules import KitError
from tcma.mdf.rules import MdfError, TransitionError
from tcma.pipeline.rules import PipelineError
from tcma.webhooks.rules import WebhookError


def test_every_area_refuses_with_the_same_error() -> None:
    for area_error in (
        AccountError,
        KitError,
        LaunchError,
        MdfError,
        TransitionError,
        PipelineError,
        TokenRuleError,
        WebhookError,
    ):
        error = area_error("Pick an amount below 5,000.", "amount")
        assert isinstance(error, DomainError)
        assert (error.message, error.field) == ("Pick an amount below 5,000.", "amount")


class _AmountForm(Form):
    amount = StringField("Amount")


def test_a_refusal_is_shown_next_to_its_field_or_on_top(app: Flask) -> None:
    with app.test_request_context("/", method="POST"):
        form = _AmountForm(meta={"csrf": False})
        show_error(form, MdfError("More than the allocation has left.", "amount"))
        assert form.amount.errors == ["More than the allocation has left."]
        show_error(form, MdfError("This request was decided already."))

        assert get_flashed_messages(with_categories=True) == [
            ("error", "This request was decided already.")
        ]


def test_a_refusal_that_escapes_a_view_is_a_clear_422(app: Flask) -> None:
    def refuse() -> str:
        raise PipelineError("That lead is already converted.", "status")

    app.add_url_rule("/refused-page", "refused_page", refuse)
    app.add_url_rule("/api/v1/refused", "refused_api", refuse)
    client = app.test_client()

    page = client.get("/refused-page", headers={"Accept": "text/html"})
    assert page.status_code == 422
    assert "That lead is already converted." in page.get_data(as_text=True)

    api = client.get("/api/v1/refused")
    assert api.status_code == 422
    assert api.mimetype == "application/problem+json"
    assert api.json["errors"] == [
        {"location": "json", "field": "status", "message": "That lead is already converted."}
    ]

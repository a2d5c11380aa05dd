"""Forms of the webhook pages (each with its CSRF token)."""

from __future__ import annotations

from wtforms import SelectMultipleField, StringField, SubmitField, URLField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from tcma.forms import Form
from tcma.webhooks import rules


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(Form):
    url = URLField(
        "Endpoint URL",
        validators=[DataRequired(), Length(max=rules.MAX_URL)],
        description="An https:// address that answers 2xx within 10 seconds.",
    )
    description = StringField("Description", validators=[Length(max=200)])
    event_types = CheckboxesField(
        "Events",
        choices=[(t, t) for t in rules.EVENT_TYPES],
        validators=[DataRequired("Choose at least one event type.")],
    )
    submit = SubmitField("Add endpoint")


class ActionForm(Form):
    """A button that posts (rotate, enable, disable, redeliver)."""

"""Forms of the token pages (each with its CSRF token)."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from tcma.api import rules
from tcma.fields import IdChoiceField, optional_id
from tcma.forms import Form


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(Form):
    name = StringField(
        "Name",
        validators=[DataRequired(), Length(max=rules.MAX_NAME)],
        description="What uses it, e.g. “Salesforce sync”.",
    )
    kind = SelectField(
        "Kind",
        choices=[
            (rules.PERSONAL, "Personal: acts as you"),
            (rules.SERVICE, "Service: for a system, optionally limited to one partner"),
        ],
        default=rules.PERSONAL,
    )
    partner_id = IdChoiceField("Limited to partner", coerce=optional_id, default="")
    scopes = CheckboxesField("Scopes", validators=[DataRequired("Choose at least one scope.")])
    days = IntegerField(
        "Valid for (days)",
        default=rules.DEFAULT_DAYS,
        validators=[DataRequired(), NumberRange(min=1, max=rules.MAX_DAYS)],
    )
    submit = SubmitField("Create token")


class RevokeForm(Form):
    submit = SubmitField("Revoke token")

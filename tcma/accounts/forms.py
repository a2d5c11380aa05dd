"""Forms of the accounts area; every form carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

from wtforms import (
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from tcma.accounts import rules
from tcma.forms import FlaskForm


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Sign in")


class SetPasswordForm(FlaskForm):
    name = StringField("Your name", validators=[Optional(), Length(max=120)])
    password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(
                min=rules.MIN_PASSWORD_LENGTH,
                max=rules.MAX_PASSWORD_LENGTH,
                message=f"Use at least {rules.MIN_PASSWORD_LENGTH} characters.",
            ),
        ],
        description=f"At least {rules.MIN_PASSWORD_LENGTH} characters; a sentence works well.",
    )
    confirm = PasswordField("Repeat the password", validators=[DataRequired()])
    submit = SubmitField("Save password")

    def validate_confirm(self, field: PasswordField) -> None:
        if field.data != self.password.data:
            raise ValidationError("The two passwords are not the same.")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Email me a reset link")


class TierForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=60)])
    rank = IntegerField(
        "Rank",
        validators=[DataRequired(), NumberRange(min=1, max=100)],
        description="Higher is better: e.g. registered 1, gold 2, platinum 3.",
    )
    description = StringField("Description", validators=[Optional(), Length(max=300)])
    submit = SubmitField("Save tier")


class PartnerForm(FlaskForm):
    name = StringField("Company name", validators=[DataRequired(), Length(max=120)])
    tier_id = SelectField("Tier", coerce=int, validators=[DataRequired()])
    region = SelectField(
        "Region", choices=[(code, label) for code, label in rules.REGION_LABELS.items()]
    )
    website = URLField(
        "Website",
        validators=[
            Optional(),
            URL(require_tld=False, message="Enter a full address, e.g. https://example.com"),
            Length(max=300),
        ],
    )
    submit = SubmitField("Save partner")


class StatusForm(FlaskForm):
    """A single button that changes a status (suspend, reactivate, deactivate)."""

    comment = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Confirm")


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[Optional(), Length(max=120)])
    role = SelectField("Role")
    partner_id = SelectField("Partner company", coerce=int, validators=[Optional()])
    submit = SubmitField("Send invitation")

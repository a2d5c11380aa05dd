"""Forms of the pipeline area and the landing page's lead form; each carries a CSRF token."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from tcma.forms import FlaskForm
from tcma.mdf.money import CURRENCIES
from tcma.pipeline import rules
from tcma.pipeline.csvmap import LEADS, OPPORTUNITIES

L = rules.LIMITS


def _strip(value: str | None) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) else value


def _optional_int(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None  # type: ignore[arg-type]


def _text(label: str, key: str, required: str | None = None, **render_kw: str) -> StringField:
    checks = [DataRequired(required)] if required else [Optional()]
    return StringField(
        label,
        validators=[*checks, Length(max=L[key])],
        filters=[_strip],
        render_kw={"maxlength": L[key], **render_kw},
    )


class LeadCaptureForm(FlaskForm):
    """The landing page's lead form; the consent label is the campaign's own wording."""

    first_name = _text(
        "First name", "first_name", "Enter your first name.", autocomplete="given-name"
    )
    last_name = _text("Last name", "last_name", "Enter your last name.", autocomplete="family-name")
    email = EmailField(
        "Work email",
        filters=[_strip],
        validators=[
            DataRequired("Enter your work email."),
            Length(max=L["email"]),
            Email("Enter an email address like name@company.com."),
        ],
        render_kw={"maxlength": L["email"], "autocomplete": "email"},
    )
    company = _text("Company", "company", "Enter your company.", autocomplete="organization")
    title = _text("Job title", "title", autocomplete="organization-title")
    phone = TelField(
        "Phone",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=L["phone"]),
            Regexp(r"^[0-9+()./ -]*$", message="Use digits, spaces and + ( ) - . / only."),
        ],
        render_kw={"maxlength": L["phone"], "autocomplete": "tel"},
    )
    country = _text("Country", "country", autocomplete="country-name")
    consent = BooleanField(
        "I agree to be contacted.",
        validators=[DataRequired("Tick the box so that we may contact you.")],
    )
    submit_token = HiddenField()
    # The honeypot: hidden from people, filled in by bots that fill in everything.
    homepage = StringField(
        "Leave this field empty", render_kw={"autocomplete": "off", "tabindex": "-1"}
    )


class LeadWorkForm(FlaskForm):
    """Work a lead: status, owner, notes."""

    status = SelectField(
        "Status",
        choices=[
            (s, rules.LEAD_STATUS_LABELS[s]) for s in rules.LEAD_STATUSES if s != rules.CONVERTED
        ],
    )
    owner_id = SelectField("Owner", coerce=_optional_int, choices=[("", "Nobody yet")])
    notes = TextAreaField(
        "Notes",
        validators=[Optional(), Length(max=L["notes"])],
        description="Only your company and the vendor's team can read notes.",
    )
    submit = SubmitField("Save lead")


class OpportunityForm(FlaskForm):
    """An opportunity's facts, for registering, converting and editing."""

    name = _text("Opportunity name", "opportunity_name", "Name the opportunity.")
    account = _text(
        "Account", "account", "Enter the customer's company.", autocomplete="organization"
    )
    amount = DecimalField(
        "Amount",
        places=2,
        validators=[InputRequired("Enter the expected deal value."), NumberRange(min=0)],
        render_kw={"inputmode": "decimal", "step": "0.01", "min": "0"},
    )
    currency = SelectField("Currency", choices=[(c, c) for c in CURRENCIES], default="USD")
    stage = SelectField(
        "Stage",
        choices=[(s, rules.STAGE_LABELS[s]) for s in rules.STAGES],
        default=rules.PROSPECTING,
    )
    expected_close_on = DateField("Expected close date", validators=[Optional()])
    owner_id = SelectField("Owner", coerce=_optional_int, choices=[("", "Nobody yet")])
    campaign_id = SelectField("Campaign", coerce=_optional_int, choices=[("", "No campaign")])
    submit = SubmitField("Save opportunity")


class ImportForm(FlaskForm):
    """Upload a CSV export of leads or opportunities."""

    kind = SelectField(
        "What the file holds", choices=[(LEADS, "Leads"), (OPPORTUNITIES, "Opportunities")]
    )
    campaign_id = SelectField(
        "Campaign",
        coerce=_optional_int,
        choices=[("", "No campaign")],
        description="The campaign the rows came from, if any.",
    )
    currency = SelectField(
        "Currency of amounts",
        choices=[(c, c) for c in CURRENCIES],
        default="USD",
        description="Used where the file has no currency column.",
    )
    file = FileField(
        "CSV file",
        validators=[DataRequired("Choose a CSV file.")],
        description="A Salesforce or HubSpot export (.csv), at most 2 MB and 5,000 rows.",
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField("Check the file")


class ImportConfirmForm(FlaskForm):
    """The checked file, sent back to be written (it is checked again first)."""

    kind = HiddenField()
    campaign_id = HiddenField()
    currency = HiddenField()
    payload = HiddenField()
    submit = SubmitField("Import")


class EraseForm(FlaskForm):
    """Erasing personal data cannot be undone: the person ticks a box to say they mean it."""

    confirm = BooleanField(
        "Yes, delete this person's data for good",
        validators=[DataRequired("Tick the box to confirm.")],
    )

"""Forms of the pipeline area and the landing page's lead form; each carries a CSRF token."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
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
    Optional,
    Regexp,
)

from tcma.fields import AmountField, IdChoiceField
from tcma.forms import Form
from tcma.mdf.money import CURRENCIES
from tcma.pipeline import rules
from tcma.pipeline.csvmap import LEADS, OPPORTUNITIES

L = rules.LIMITS


def _strip(value: str | None) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) else value


def _optional_int(value: str | int | None) -> int | None:
    return int(value) if value not in (None, "", "None") else None


def _text(label: str, key: str, required: str | None = None, **render_kw: str) -> StringField:
    checks = [DataRequired(required)] if required else [Optional()]
    return StringField(
        label,
        validators=[*checks, Length(max=L[key])],
        filters=[_strip],
        render_kw={"maxlength": L[key], **render_kw},
    )


class LeadCaptureForm(Form):
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


class LeadWorkForm(Form):
    """Work a lead: status, owner, notes."""

    status = SelectField(
        "Status",
        choices=[
            (s, rules.LEAD_STATUS_LABELS[s]) for s in rules.LEAD_STATUSES if s != rules.CONVERTED
        ],
    )
    owner_id = IdChoiceField("Owner", coerce=_optional_int, choices=[("", "Nobody yet")])
    notes = TextAreaField(
        "Notes",
        validators=[Optional(), Length(max=L["notes"])],
        description="Only your company and the vendor's team can read notes.",
    )
    submit = SubmitField("Save lead")


class OpportunityForm(Form):
    """An opportunity's facts, for registering, converting and editing."""

    name = _text("Opportunity name", "opportunity_name", "Name the opportunity.")
    account = _text(
        "Account", "account", "Enter the customer's company.", autocomplete="organization"
    )
    amount = AmountField(
        "Amount",
        allow_zero=True,
        validators=[InputRequired("Enter the expected deal value.")],
        description="e.g. 12,500.00",
    )
    currency = SelectField("Currency", choices=[(c, c) for c in CURRENCIES], default="USD")
    stage = SelectField(
        "Stage",
        choices=[(s, rules.STAGE_LABELS[s]) for s in rules.STAGES],
        default=rules.PROSPECTING,
    )
    expected_close_on = DateField("Expected close date", validators=[Optional()])
    owner_id = IdChoiceField("Owner", coerce=_optional_int, choices=[("", "Nobody yet")])
    campaign_id = IdChoiceField("Campaign", coerce=_optional_int, choices=[("", "No campaign")])
    submit = SubmitField("Save opportunity")

    def validate(self, extra_validators: Any = None) -> bool:
        """A currency sign typed with the amount must be the chosen currency's."""
        self.amount.currency = self.currency.data if self.currency.data in CURRENCIES else None
        return super().validate(extra_validators)


class ImportForm(Form):
    """Upload a CSV export of leads or opportunities."""

    kind = SelectField(
        "What the file holds", choices=[(LEADS, "Leads"), (OPPORTUNITIES, "Opportunities")]
    )
    campaign_id = IdChoiceField(
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


class ImportConfirmForm(Form):
    """The checked file, sent back to be written (it is checked again first)."""

    kind = HiddenField()
    campaign_id = HiddenField()
    currency = HiddenField()
    payload = HiddenField()
    submit = SubmitField("Import")


class EraseForm(Form):
    """Erasing personal data cannot be undone: the person ticks a box to say they mean it."""

    confirm = BooleanField(
        "Yes, delete this person's data for good",
        validators=[DataRequired("Tick the box to confirm.")],
    )

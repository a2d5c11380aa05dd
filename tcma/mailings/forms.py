"""Forms of the mailings area; each carries a CSRF token (the one-click unsubscribe does not)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tcma.fields import IdChoiceField, optional_id
from tcma.forms import Form
from tcma.mailings import rules
from tcma.mailings.csvfile import MAX_IMPORT_ROWS

BASIS_CHOICES = [(basis, rules.CONSENT_LABELS[basis]) for basis in rules.CONSENT_BASES]
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)


def _strip(value: str | None) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ContactForm(Form):
    """Add or edit one contact."""

    email = StringField(
        "Email",
        validators=[DataRequired("Enter an email address."), Length(max=254)],
        filters=[_strip],
        render_kw={"maxlength": 254, "autocomplete": "off", "type": "email"},
    )
    first_name = StringField("First name", [Optional(), Length(max=80)], filters=[_strip])
    last_name = StringField("Last name", [Optional(), Length(max=80)], filters=[_strip])
    company = StringField("Company", [Optional(), Length(max=120)], filters=[_strip])
    title = StringField("Job title", [Optional(), Length(max=120)], filters=[_strip])
    country = StringField("Country", [Optional(), Length(max=80)], filters=[_strip])
    consent_basis = SelectField("Consent basis", choices=BASIS_CHOICES)
    consent_date = DateField(
        "Consent date",
        validators=[InputRequired("Enter the date the consent basis was recorded.")],
        description="When the person opted in, or when the basis was recorded.",
    )
    list_ids = CheckboxesField("Lists", coerce=int, choices=[])
    submit = SubmitField("Save contact")


class ListForm(Form):
    """Create a list."""

    name = StringField(
        "List name",
        validators=[DataRequired("Give the list a name."), Length(max=80)],
        filters=[_strip],
    )
    submit = SubmitField("Create list")


class ContactImportForm(Form):
    """Upload a contacts CSV."""

    file = FileField(
        "CSV file",
        validators=[DataRequired("Choose a CSV file.")],
        description=f"tcma, Salesforce or HubSpot columns; at most {MAX_IMPORT_ROWS:,} rows.",
        render_kw={"accept": ".csv,text/csv"},
    )
    default_basis = SelectField(
        "Consent basis for rows without one",
        choices=[("", "None: such rows are refused"), *BASIS_CHOICES],
        default="",
    )
    default_date = DateField(
        "Consent date for rows without one", validators=[Optional()], render_kw={"type": "date"}
    )
    list_id = IdChoiceField("Add to list", coerce=optional_id, choices=[("", "No list")])
    submit = SubmitField("Check the file")


class ContactImportConfirmForm(Form):
    """The second step: the checked file, kept in storage, imported whole."""

    upload = HiddenField(validators=[DataRequired()])
    default_basis = HiddenField()
    default_date = HiddenField()
    list_id = HiddenField()
    submit = SubmitField("Import")


class EraseForm(Form):
    """Erasing a person cannot be undone: tick a box to say so."""

    confirm = BooleanField(
        "Yes, delete this person's data for good",
        validators=[DataRequired("Tick the box to confirm.")],
    )
    submit = SubmitField("Erase this contact")


class MailingForm(Form):
    """A new mailing: which email of the campaign, to which lists, with which greeting."""

    name = StringField(
        "Mailing name",
        validators=[DataRequired("Name the mailing."), Length(max=120)],
        filters=[_strip],
    )
    asset_key = SelectField("Email", choices=[])
    list_ids = CheckboxesField("Send to lists", coerce=int, choices=[])
    greeting = TextAreaField(
        "Greeting",
        validators=[Optional(), Length(max=rules.MAX_GREETING)],
        default='Hi {{ first_name or "there" }},',
        description=(
            "The first line of the message, personal for each recipient. Merge fields: "
            "{{ first_name }}, {{ last_name }}, {{ company }}, {{ title }}, {{ country }}; "
            'a fallback with or: {{ company or "your team" }}.'
        ),
        render_kw={"rows": 2},
    )
    track_opens = BooleanField(
        "Track opens",
        description="Adds an invisible image to each message; the report then counts who "
        "opened it (mail programs that block images are counted only when they click).",
    )
    submit = SubmitField("Save mailing")


class ScheduleForm(Form):
    """Send at a later date and time, in a time zone."""

    send_on = DateField("Date", validators=[InputRequired("Choose a date.")])
    send_at = TimeField("Time", validators=[InputRequired("Choose a time.")])
    time_zone = SelectField("Time zone", choices=[(z, z.replace("_", " ")) for z in COMMON_ZONES])
    submit = SubmitField("Schedule")


class SendNowForm(Form):
    """Start sending now."""

    submit = SubmitField("Send now")


class TestSendForm(Form):
    """A test copy to the signed-in user, as a chosen contact would see it."""

    submit = SubmitField("Send me a test")


class DoNotContactForm(Form):
    """Addresses for the program-wide do-not-contact list, one a line."""

    addresses = TextAreaField(
        "Addresses",
        validators=[DataRequired("Enter at least one address.")],
        description="One email address a line. No partner can mail them, whatever their lists say.",
        render_kw={"rows": 6},
    )
    submit = SubmitField("Add to do-not-contact list")


class ApproveForm(Form):
    """A marketer approves a mailing waiting for approval."""

    submit = SubmitField("Approve")


class RejectForm(Form):
    """A marketer sends a mailing back, saying why."""

    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired("Say why, so the partner knows what to change."),
            Length(max=2000),
        ],
        description="The partner sees this on the mailing's page and in an email.",
        render_kw={"rows": 3},
    )
    submit = SubmitField("Reject")


class MailingSettingsForm(Form):
    """The vendor's mailing rules."""

    approval_threshold = IntegerField(
        "Require marketer approval for mailings above this many recipients",
        validators=[
            Optional(),
            NumberRange(0, 10_000_000, "Enter a number from 0 to 10,000,000, or leave it blank."),
        ],
        description="Leave blank to never ask. 0 asks for every mailing.",
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField("Save settings")

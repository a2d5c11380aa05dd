"""Forms of the kit authoring pages; every form carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from tcma.forms import Form
from tcma.kits import rules

IMAGE_TYPES = ("png", "jpg", "jpeg", "gif", "webp")


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes, each with its own label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def split_list(text: str | None) -> list[str]:
    """'webinar, backup ,, events' -> ['webinar', 'backup', 'events']."""
    return [item.strip() for item in (text or "").split(",") if item.strip()]


class KitForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        "Short name in links (optional)",
        validators=[
            Optional(),
            Length(max=60),
            Regexp(rules.SLUG_RE, message="Use lowercase letters, digits and dashes."),
        ],
        description="Lowercase letters, digits and dashes; made from the name when left empty.",
    )
    summary = TextAreaField(
        "Summary",
        validators=[DataRequired(), Length(max=500)],
        description="One or two sentences partners see on the catalog card.",
    )
    objective = SelectField("Objective", choices=list(rules.OBJECTIVES.items()))
    audience = StringField(
        "Audience",
        validators=[Optional(), Length(max=300)],
        description="Who the campaign speaks to, e.g. IT managers at "
        "companies of 200-2,000 employees.",
    )
    tags = StringField(
        "Tags",
        validators=[Optional(), Length(max=400)],
        description="Separated by commas, e.g. webinar, backup.",
    )
    tiers = CheckboxesField("Tiers that may use it", description="None ticked: every tier.")
    regions = CheckboxesField("Regions that may use it", description="None ticked: every region.")
    cover = FileField(
        "Cover image",
        validators=[FileAllowed(IMAGE_TYPES, "Use PNG, JPEG, GIF or WebP.")],
        description="Shown on the catalog card; 1200 x 630 pixels works well.",
    )
    submit = SubmitField("Save kit")


class AssetForm(Form):
    key = StringField(
        "Key",
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                rules.ASSET_KEY_RE,
                message="Use lowercase letters, digits and dashes, starting with a letter.",
            ),
        ],
        description="Names the asset's files, e.g. invite-email.",
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    template = TextAreaField(
        "Template",
        validators=[Optional()],
        description=(
            "Jinja HTML. A template sees partner (name, tier, region, website), brand "
            "(display_name, logo_url, primary_color, secondary_color, website, phone, email, "
            "address, description), fields.KEY for each co-brand field, campaign (code, "
            "landing_url, tracking_url('content'), utm), kit (name, slug, version) and vendor "
            "(name, website); media('file.png') for a file in media/, field_image('KEY') for an "
            "uploaded image, the date filter ({{ fields.KEY | date }}), and on a landing page "
            "{{ lead_form }} where the lead form goes. It may include or extend this kit's "
            "other templates."
        ),
        render_kw={"rows": 18, "spellcheck": "false", "class": "code"},
    )
    template_file = FileField("…or upload the template file")
    subject = StringField("Subject line", validators=[Optional(), Length(max=300)])
    preheader = StringField(
        "Preheader (optional)",
        validators=[Optional(), Length(max=300)],
        description="The line inboxes show after the subject.",
    )
    text_template = TextAreaField(
        "Plain-text version (optional)",
        validators=[Optional()],
        description="Made from the HTML when left empty.",
        render_kw={"rows": 8, "spellcheck": "false", "class": "code"},
    )
    page_size = SelectField("Page size", choices=[(s, s) for s in rules.PAGE_SIZES])
    bleed = StringField(
        "Bleed",
        validators=[Optional(), Length(max=10)],
        description=(
            "How far the design runs past the trimmed page in the print-ready PDF, in "
            f"millimetres (0 to {rules.MAX_BLEED_MM}), e.g. 3mm. Empty: {rules.DEFAULT_BLEED}."
        ),
    )
    width = IntegerField(
        "Width in pixels", validators=[Optional(), NumberRange(rules.MIN_PIXELS, rules.MAX_PIXELS)]
    )
    height = IntegerField(
        "Height in pixels", validators=[Optional(), NumberRange(rules.MIN_PIXELS, rules.MAX_PIXELS)]
    )
    linkedin = TextAreaField("LinkedIn post", validators=[Optional()], render_kw={"rows": 6})
    x = TextAreaField("X post", validators=[Optional()], render_kw={"rows": 4})
    facebook = TextAreaField("Facebook post", validators=[Optional()], render_kw={"rows": 6})
    fields = CheckboxesField(
        "Fields this asset uses", description="Fields the templates name are added automatically."
    )
    submit = SubmitField("Save asset")


class FieldForm(Form):
    key = StringField(
        "Key",
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                rules.FIELD_KEY_RE,
                message="Use lowercase letters, digits and underscores, starting with a letter.",
            ),
        ],
        description="What templates write: {{ fields.KEY }}.",
    )
    label = StringField("Label", validators=[DataRequired(), Length(max=80)])
    type = SelectField("Type", choices=list(rules.FIELD_TYPE_LABELS.items()))
    required = BooleanField("Partners must fill it in")
    default = StringField("Default value (optional)", validators=[Optional(), Length(max=5000)])
    max_length = IntegerField(
        "Maximum length (optional)",
        validators=[Optional(), NumberRange(1, rules.MAX_LENGTH_LIMIT)],
        description="In characters; for text, long text, web address, email and phone fields.",
    )
    choices = TextAreaField(
        "Choices",
        validators=[Optional()],
        description="Choice fields only: one option per line.",
        render_kw={"rows": 4},
    )
    help = StringField("Help text (optional)", validators=[Optional(), Length(max=300)])
    used_by = CheckboxesField("Assets that use it")
    submit = SubmitField("Save field")


class FileUploadForm(Form):
    file = FileField(
        "File",
        validators=[FileRequired("Choose a file.")],
        description="Images and fonts go to media/; templates (.html, .txt, .css) "
        "to the top of the kit.",
    )
    submit = SubmitField("Upload file")


class PublishForm(Form):
    change_note = TextAreaField(
        "What changed",
        validators=[DataRequired(), Length(max=500)],
        description="Partners see this note with the new version.",
        render_kw={"rows": 3},
    )
    submit = SubmitField("Publish")


class ZipUploadForm(Form):
    package = FileField(
        "Kit zip",
        validators=[
            FileRequired("Choose a .zip file."),
            FileAllowed(["zip"], "Upload a .zip file."),
        ],
        description="A zip of a kit folder: kit.toml, templates and media/.",
    )
    submit = SubmitField("Upload kit")


class ActionForm(Form):
    """A button that posts (archive, delete, discard): only the CSRF token."""

"""The brand form; tcma.cobrand.rules checks its values, so errors read the same everywhere."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, StringField, SubmitField, TelField, TextAreaField
from wtforms.fields import URLField

from tcma.cobrand import rules
from tcma.forms import Form, RequiredMark


class BrandForm(Form):
    display_name = StringField(
        "Display name",
        validators=[RequiredMark()],
        description="Your company name as it appears on co-branded assets.",
        render_kw={"maxlength": rules.LIMITS["display_name"], "autocomplete": "organization"},
    )
    logo = FileField(
        "Logo",
        description="PNG or JPEG, at most 2 MB and 4000 × 4000 pixels; a transparent "
        "PNG works best. SVG is not accepted.",
        render_kw={"accept": "image/png,image/jpeg"},
    )
    remove_logo = BooleanField("Remove the current logo")
    primary_color = StringField(
        "Primary colour",
        description="Headings and buttons. Hex, for example #0b5fff.",
        render_kw={
            "maxlength": 7,
            "placeholder": "#0b5fff",
            "data-swatch": "primary",
            "autocomplete": "off",
            "spellcheck": "false",
        },
    )
    secondary_color = StringField(
        "Secondary colour",
        description="Accents and backgrounds. Hex, for example #14213d.",
        render_kw={
            "maxlength": 7,
            "placeholder": "#14213d",
            "data-swatch": "secondary",
            "autocomplete": "off",
            "spellcheck": "false",
        },
    )
    website = URLField(
        "Website",
        description="Starts with https:// or http://.",
        render_kw={"maxlength": rules.LIMITS["website"], "autocomplete": "url"},
    )
    phone = TelField("Phone", render_kw={"maxlength": rules.LIMITS["phone"], "autocomplete": "tel"})
    email = EmailField(
        "Email",
        description="Where prospects write to; also the sender of email drafts (.eml).",
        render_kw={"maxlength": rules.LIMITS["email"], "autocomplete": "email"},
    )
    address = TextAreaField(
        "Address",
        render_kw={
            "maxlength": rules.LIMITS["address"],
            "rows": 3,
            "autocomplete": "street-address",
        },
    )
    description = TextAreaField(
        "Short description",
        description="One or two sentences about your company; some kits print it.",
        render_kw={"maxlength": rules.LIMITS["description"], "rows": 3},
    )
    submit = SubmitField("Save brand")

    def values(self) -> dict[str, str]:
        """The typed values by brand key."""
        keys = (
            "display_name",
            "primary_color",
            "secondary_color",
            "website",
            "phone",
            "email",
            "address",
            "description",
        )
        return {key: getattr(self, key).data or "" for key in keys}

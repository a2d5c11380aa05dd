"""The campaign form, built from a kit version's co-brand fields; tcma.campaigns.rules checks it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields import URLField
from wtforms.widgets import DateInput

from tcma.campaigns import rules
from tcma.forms import Form, RequiredMark

FIELD_PREFIX = "field_"
REMOVE_PREFIX = "remove_image_"
IMAGE_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"


class CampaignForm(Form):
    """The fixed part of every campaign form; the kit's fields are added per kit version."""

    name = StringField(
        "Campaign name",
        validators=[RequiredMark()],
        description="For you and your team; recipients never see it.",
        render_kw={"maxlength": rules.MAX_NAME_LENGTH},
    )
    submit = SubmitField("Save campaign")

    specs: list[dict[str, Any]] = []

    def kit_fields(self) -> list[tuple[dict[str, Any], Field, Field | None]]:
        """(field spec, its input, its remove-image checkbox or None), in kit order."""
        return [
            (spec, self[FIELD_PREFIX + spec["key"]], self._fields.get(REMOVE_PREFIX + spec["key"]))
            for spec in self.specs
        ]

    def field_for(self, key: str) -> Field | None:
        """The input of a field key ("name" or a kit field key)."""
        return self._fields.get(key) or self._fields.get(FIELD_PREFIX + key)


def _description(spec: Mapping[str, Any]) -> str:
    parts = [str(spec.get("help") or "").strip()]
    kind = spec.get("type", "text")
    if kind in ("text", "long_text") and spec.get("max_length"):
        parts.append(f"Up to {spec['max_length']} characters.")
    elif kind == "image":
        parts.append("PNG, JPEG, GIF or WebP, at most 5 MB.")
    elif kind == "colour":
        parts.append("Hex, for example #0b5fff.")
    return " ".join(part for part in parts if part)


def _make_field(spec: Mapping[str, Any]) -> Field:
    kind = spec.get("type", "text")
    options: dict[str, Any] = {
        "label": spec.get("label") or spec["key"],
        "description": _description(spec),
        "validators": [RequiredMark()] if spec.get("required") else [],
    }
    attrs: dict[str, Any] = {"data-kit-field": spec["key"]}
    if kind in ("text", "long_text", "url", "email", "phone"):
        attrs["maxlength"] = rules.max_length(spec)
    if kind == "long_text":
        return TextAreaField(render_kw={**attrs, "rows": 4}, **options)
    if kind == "date":
        return StringField(widget=DateInput(), render_kw=attrs, **options)
    if kind == "choice":
        choices = [("", "Choose…")] + [(str(c), str(c)) for c in spec.get("choices") or []]
        return SelectField(choices=choices, validate_choice=False, render_kw=attrs, **options)
    if kind == "image":
        return FileField(render_kw={**attrs, "accept": IMAGE_ACCEPT}, **options)
    if kind == "colour":
        attrs.update(placeholder="#rrggbb", spellcheck="false", autocomplete="off")
    field_class = {"url": URLField, "email": EmailField, "phone": TelField}.get(kind, StringField)
    return field_class(render_kw=attrs, **options)


def campaign_form(
    specs: list[dict[str, Any]], *, saved_images: set[str] | None = None, **kwargs: Any
) -> CampaignForm:
    """A form for these field specs; ``saved_images`` are image fields that have an image."""
    attrs: dict[str, Any] = {"specs": specs}
    for spec in specs:
        attrs[FIELD_PREFIX + spec["key"]] = _make_field(spec)
        if spec.get("type") == "image" and spec["key"] in (saved_images or set()):
            attrs[REMOVE_PREFIX + spec["key"]] = BooleanField("Remove this image")
    form_class = type("KitCampaignForm", (CampaignForm,), attrs)
    return form_class(**kwargs)


def initial_data(
    name: str, specs: list[dict[str, Any]], values: Mapping[str, Any]
) -> dict[str, Any]:
    """Form data from a campaign's saved values (or a kit's defaults)."""
    data: dict[str, Any] = {"name": name}
    for spec in specs:
        if spec.get("type") != "image":
            data[FIELD_PREFIX + spec["key"]] = values.get(spec["key"], "")
    return data


class BundleForm(Form):
    """ "Make the zip": a button that posts (CSRF only); the zip is made by a worker."""

"""The base of every form: only real attribute values reach the page.

WTForms prints an attribute whose value is None as the text "None" (aria-invalid="None",
required="None"), and every form's hidden CSRF field carries id="csrf_token", so a page
with several forms repeats that id. Hidden fields need no id (no label points at them).
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm as _FlaskForm
from wtforms import Field

HIDDEN = ("HiddenField", "CSRFTokenField")


class FlaskForm(_FlaskForm):
    class Meta(_FlaskForm.Meta):
        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Any:
            attributes = {**(field.render_kw or {}), **render_kw}
            if field.type in HIDDEN:
                attributes.setdefault("id", False)
            if field.type == "SelectField" and _first_choice_is_a_value(field):
                # A select that always has a value needs no `required` (HTML wants an empty
                # first option on a required select).
                attributes.setdefault("required", False)
            attributes = {k: v for k, v in attributes.items() if v is not None}
            return field.widget(field, **attributes)


def _first_choice_is_a_value(field: Field) -> bool:
    choices = list(getattr(field, "choices", None) or [])
    if not choices:
        return False
    first = choices[0]
    value = first[0] if isinstance(first, tuple | list) else first
    return value not in ("", None)

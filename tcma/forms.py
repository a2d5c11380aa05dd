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
            attributes = {k: v for k, v in attributes.items() if v is not None}
            return field.widget(field, **attributes)

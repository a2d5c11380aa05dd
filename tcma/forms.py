"""The base of every form: Flask-WTF's CSRF-protected form, the control-character check, and
only real attribute values on the page.

WTForms prints an attribute whose value is None as the text "None" (aria-invalid="None",
required="None"), and every form's hidden CSRF field carries id="csrf_token", so a page
with several forms repeats that id. Hidden fields need no id (no label points at them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, TextAreaField

from tcma.text_rules import control_character_problem

HIDDEN = ("HiddenField", "CSRFTokenField")


class Form(FlaskForm):
    """Every tcma form: a control character in any field is an error shown next to it."""

    class Meta(FlaskForm.Meta):
        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Any:
            attributes = {**(field.render_kw or {}), **render_kw}
            if field.type in HIDDEN:
                attributes.setdefault("id", False)
            if field.type in ("SelectField", "IdChoiceField") and _first_choice_is_a_value(field):
                # A select that always has a value needs no `required` (HTML wants an empty
                # first option on a required select).
                attributes.setdefault("required", False)
            attributes = {k: v for k, v in attributes.items() if v is not None}
            return field.widget(field, **attributes)

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for field in _typed_fields(self):
            problem = _field_problem(field)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


def _first_choice_is_a_value(field: Field) -> bool:
    choices = list(getattr(field, "choices", None) or [])
    if not choices:
        return False
    first = choices[0]
    value = first[0] if isinstance(first, tuple | list) else first
    return value not in ("", None)


def _typed_fields(fields: Iterable[Field]) -> Iterator[Field]:
    for field in fields:
        if isinstance(field, FieldList):
            yield from _typed_fields(field.entries)
        elif isinstance(field, FormField):
            yield from _typed_fields(field.form)
        else:
            yield field


def _field_problem(field: Field) -> str | None:
    multiline = isinstance(field, TextAreaField)
    for raw in field.raw_data or ():
        if isinstance(raw, str) and (
            problem := control_character_problem(raw, multiline=multiline)
        ):
            return problem
    return None

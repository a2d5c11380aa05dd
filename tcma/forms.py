"""The base of every form: Flask-WTF's CSRF-protected form, the control-character check, and
only real attribute values on the page.

WTForms prints an attribute whose value is None as the text "None" (aria-invalid="None",
required="None"), and every form's hidden CSRF field carries id="csrf_token", so a page
with several forms repeats that id. Hidden fields need no id (no label points at them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from flask import flash
from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, TextAreaField

from tcma.exceptions import DomainError
from tcma.text_rules import control_character_problem

HIDDEN = ("HiddenField", "CSRFTokenField")

T = TypeVar("T")


class RequiredMark:
    """Marks a field required (the * and the attribute) and leaves checking to the rules."""

    field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None


def show_error(form: FlaskForm | None, exc: DomainError) -> None:
    """A refused action's message next to the input it is about, or at the top of the page."""
    field = getattr(form, exc.field, None) if form is not None and exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")


def filled(value: T | None) -> T:
    """The data of a field whose DataRequired/InputRequired validator has passed.

    The WTForms stubs type every field's data as optional; after validation a required
    field's data is never None, and this says so where a service needs the value."""
    if value is None:
        raise ValueError("a required form field reached a view without a value")
    return value


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

"""The base of every form: Flask-WTF's CSRF-protected form plus the control-character check."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, TextAreaField

from tcma.text_rules import control_character_problem


class Form(FlaskForm):
    """Every tcma form: a control character in any field is an error shown next to it."""

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for field in _typed_fields(self):
            problem = _field_problem(field)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


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

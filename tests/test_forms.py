"""Only real attribute values reach the page: no "None", no repeated csrf id, no required
select without an empty first option."""

from __future__ import annotations

from flask import Flask
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Optional

from tcma.forms import Form


class _Form(Form):
    name = StringField("Name", validators=[DataRequired()])
    title = StringField("Title", validators=[Optional()])
    size = SelectField("Size", choices=[("a4", "A4"), ("a5", "A5")], validators=[DataRequired()])
    pick = SelectField("Pick", choices=[("", "Choose…"), ("x", "X")], validators=[DataRequired()])


def test_fields_render_only_real_attribute_values(app: Flask) -> None:
    with app.test_request_context():
        form = _Form(meta={"csrf": True})
        title = str(form.title(**{"aria-invalid": None, "required": None}))
        name = str(form.name())
        csrf = str(form.csrf_token())
        size, pick = str(form.size()), str(form.pick())

    assert "None" not in title and "required" not in title and "aria-invalid" not in title
    assert "required" in name
    assert "id=" not in csrf and 'name="csrf_token"' in csrf
    assert "required" not in size  # always has a value
    assert "required" in pick  # has an empty first option

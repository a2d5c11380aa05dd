"""Form fields every area shares: money amounts read by one strict parser, and object ids.

Every id a form carries (a campaign, an allocation, an owner, a partner, a tier, ...) is an
IdChoiceField: the view fills its choices from a tenant-scoped query, and an id outside them
(another partner's object, or one that does not exist) is refused at the field. The service
checks the id against the actor's partner once more, so an API or a job is held to it too.
tests/test_id_fields.py finds every id field of every form and posts foreign ids into it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from wtforms import Field, SelectField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from tcma import amounts


class AmountField(Field):
    """A money amount typed by a person; ``data`` is a Decimal with two places, or None.

    Read by tcma.amounts (``2,50`` and ``1.000,00`` are refused, ``$1,000.00`` is read).
    ``currency`` (given here, or set by the view once it knows the budget) refuses a typed
    sign of another currency.
    """

    widget = TextInput()  # typed like text; ``data`` is a Decimal, not a string

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        allow_zero: bool = False,
        currency: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.allow_zero = allow_zero
        self.currency = currency
        self.sign: str | None = None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:.2f}" if isinstance(self.data, Decimal) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data, self.sign = None, None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            read = amounts.read_amount(valuelist[0], allow_zero=self.allow_zero)
        except amounts.AmountError as exc:
            # WTForms shows a ValueError raised here as an error next to the field.
            raise ValueError(exc.message) from None
        self.data, self.sign = read.amount, read.sign

    def pre_validate(self, form: Any) -> None:
        if self.currency is not None and self.data is not None:
            try:
                amounts.check_sign(self.sign, self.currency)
            except amounts.AmountError as exc:
                self.data = None
                raise ValidationError(exc.message) from None


def optional_id(value: str | int | None) -> int | None:
    """A select's value as an id; the empty choice is None."""
    return int(value) if value not in (None, "", "None") else None


class IdChoiceField(SelectField):
    """An object id chosen from the choices the view gave, which come from a scoped query."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("choices", [])
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError("Choose one of the options in the list.") from None

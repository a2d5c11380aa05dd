"""Schemas every area's API shares: problem+json, money, timestamps, a page of results."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from tcma.api.pagination import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from tcma.mdf.money import CURRENCIES
from tcma.text_rules import control_character_problem

#: Ids are 32-bit on every database tcma runs on; larger numbers name nothing.
MAX_ID = 2**31 - 1
ID_RANGE = validate.Range(min=1, max=MAX_ID)

# Strict: digits, an optional point and at most two decimals; no sign, exponent or spaces;
# at most 9999999999.99, the largest amount the pages accept (tcma.amounts.MAX_AMOUNT).
_MONEY = re.compile(r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$")


class Text(fields.String):
    """Text read from a request: control characters are refused with the forms' message.

    ``multiline=True`` keeps tab, newline and carriage return (notes, consent wording).
    """

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.multiline = multiline

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if problem := control_character_problem(text, multiline=self.multiline):
            raise ValidationError(problem)
        return text


class ProblemFieldSchema(Schema):
    location = Text(metadata={"description": "json, query, headers or path"})
    field = Text()
    message = Text()


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = Text()
    title = Text()
    status = fields.Integer()
    detail = Text()
    instance = Text()
    errors = fields.List(fields.Nested(ProblemFieldSchema))


class MoneyString(fields.Field):
    """Money as a decimal string ("1250.00"); floats and numbers are refused."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "pattern": _MONEY.pattern, "example": "1250.00"}
        metadata.update(kwargs.pop("metadata", {}))
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Decimal | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else f"{value:.2f}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str) or not _MONEY.match(value):
            raise ValidationError(
                'Give the amount as a decimal string with at most two decimals, e.g. "1250.00".'
            )
        try:
            return Decimal(value)
        except InvalidOperation as exc:  # the pattern makes this unreachable; be safe anyway
            raise ValidationError("Not a valid amount.") from exc


def decimal_string(description: str = "", **kwargs: Any) -> fields.Decimal:
    """A ratio or percent as a decimal string ("12.50"), or null when it cannot be computed.

    marshmallow documents Decimal as a number even with as_string: say what is sent.
    """
    return fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={
            "type": "string",
            "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
            "description": description,
        },
        **kwargs,
    )


def currency_field(**kwargs: Any) -> Text:
    """An ISO 4217 code tcma knows."""
    return Text(
        validate=lambda v: v in CURRENCIES or _raise(f"Use one of {', '.join(CURRENCIES)}."),
        metadata={"enum": list(CURRENCIES)},
        **kwargs,
    )


def _raise(message: str) -> bool:
    raise ValidationError(message)


class UTCDateTimeField(fields.DateTime):
    """An ISO 8601 timestamp; output always in UTC with a Z, input must name its offset."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value: dt.datetime | None, attr: str | None, obj: Any, **kwargs: Any):
        if value is None:
            return None
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise ValidationError("Give a time zone, e.g. 2026-01-31T09:00:00Z.")
        return parsed.astimezone(dt.UTC)


class PageQuery(Schema):
    """Query parameters of every list: the page."""

    class Meta:
        # A misspelt filter is an error, not a silently wider list (the document says so too).
        unknown = RAISE

    cursor = Text(
        load_default=None,
        validate=validate.Regexp(CURSOR_PATTERN, error="Not a valid cursor."),
        metadata={"description": "`next_cursor` of the previous page (opaque)."},
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, 1 to {MAX_LIMIT}."},
    )


class ListQuery(PageQuery):
    """A list of objects that keep ``updated_at``: paging and incremental sync."""

    updated_since = UTCDateTimeField(
        load_default=None,
        metadata={"description": "Only objects changed at or after this UTC time."},
    )

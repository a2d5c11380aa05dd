"""The one reader of money amounts typed by people (pure: no Flask, no session).

It accepts what cannot be misread and refuses the rest, with a message a person can act on:

- plain numbers and numbers grouped by thousands with commas: ``1000``, ``1,000``, ``1,000.00``;
- at most two decimals, after a point: ``12.5``, ``.50``;
- an optional leading currency sign or code (``$1,000.00``, ``€ 250``, ``USD 90``) and spaces
  around; when the field's currency is known, a sign of another currency is refused.

``2,50`` (a decimal comma), ``1.000,00`` (points between thousands), ``1,00,0`` (groups not of
three), exponents, NaN, infinities, negatives and amounts too large for Numeric(14,2)'s
practical range are refused: each could be a different amount from the one the person meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from tcma.money import CURRENCY_SYMBOLS, format_money

CENT = Decimal("0.01")
# The largest amount any form accepts; far below what integer cents in BIGINT can hold.
MAX_AMOUNT = Decimal("9999999999.99")

# Every sign a currency is written with: "$", "€", "C$", "CHF", ...; "$" stands for any dollar.
_SIGNS: dict[str, set[str]] = {}
for _code, _symbol in CURRENCY_SYMBOLS.items():
    _SIGNS.setdefault(_symbol.strip(), set()).add(_code)
    _SIGNS.setdefault(_code, set()).add(_code)
    if _symbol.strip().endswith("$"):
        _SIGNS.setdefault("$", set()).add(_code)
_SIGN_PATTERN = "|".join(re.escape(sign) for sign in sorted(_SIGNS, key=len, reverse=True))

_SHAPE = re.compile(
    rf"^(?P<minus>[-−])?\s*(?P<sign>{_SIGN_PATTERN})?\s*(?P<minus2>[-−])?\s*(?P<number>.*)$",
    re.ASCII,
)
_PLAIN = re.compile(r"^[0-9]+(?:\.[0-9]{1,2})?$|^\.[0-9]{1,2}$", re.ASCII)
_GROUPED = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?$", re.ASCII)
_TOO_PRECISE = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)\.[0-9]{3,}$", re.ASCII)
_DIGITS_AND_MARKS = re.compile(r"^[0-9][0-9.,]*$", re.ASCII)

EXAMPLE = "1,250.00"
MESSAGES = {
    "empty": "Enter an amount.",
    "shape": f"Enter an amount such as {EXAMPLE} (digits, a point for decimals).",
    "separators": (
        f"Write the amount as {EXAMPLE}: a point before the cents, and commas only "
        "between groups of three digits."
    ),
    "decimals": "Use at most two decimals (cents).",
    "negative": "The amount cannot be negative.",
    "zero": "The amount must be more than zero.",
    "large": f"The amount is too large: at most {MAX_AMOUNT:,}.",
}


class AmountError(ValueError):
    """An amount that cannot be read exactly; ``message`` says what to type instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ReadAmount:
    """What a person typed: the amount and the currency sign or code they wrote, if any."""

    amount: Decimal
    sign: str | None


def read_amount(text: str, *, allow_zero: bool = False) -> ReadAmount:
    """Read one typed amount, or raise AmountError with the message for the field."""
    if not isinstance(text, str):
        raise TypeError("amounts are read from text")
    stripped = text.strip()
    if not stripped:
        raise AmountError(MESSAGES["empty"])
    shape = _SHAPE.match(stripped)
    if shape is None:  # pragma: no cover - the pattern matches every string
        raise AmountError(MESSAGES["shape"])
    number = shape["number"]
    if shape["minus"] or shape["minus2"]:
        raise AmountError(MESSAGES["negative"])
    if _PLAIN.match(number) or _GROUPED.match(number):
        amount = Decimal(number.replace(",", ""))
    elif _TOO_PRECISE.match(number):
        raise AmountError(MESSAGES["decimals"])
    elif _DIGITS_AND_MARKS.match(number):
        raise AmountError(MESSAGES["separators"])
    else:
        raise AmountError(MESSAGES["shape"])
    if amount == 0 and not allow_zero:
        raise AmountError(MESSAGES["zero"])
    if amount > MAX_AMOUNT:
        raise AmountError(MESSAGES["large"])
    return ReadAmount(amount.quantize(CENT), shape["sign"])


def check_sign(sign: str | None, currency: str) -> None:
    """A currency sign typed with an amount must be the field's own currency's."""
    if sign is None or currency in _SIGNS.get(sign, set()):
        return
    expected = CURRENCY_SYMBOLS.get(currency, currency).strip()
    raise AmountError(f"This amount is in {currency} ({expected}); leave out the {sign} sign.")


def parse_amount(text: str, *, currency: str | None = None, allow_zero: bool = False) -> Decimal:
    """The amount in ``text`` as an exact Decimal with two places, or AmountError."""
    read = read_amount(text, allow_zero=allow_zero)
    if currency is not None:
        check_sign(read.sign, currency)
    return read.amount


def display(amount: Decimal, currency: str | None = None) -> str:
    """How an amount is shown back in its input: 1,250.00 (or $1,250.00); parse reads it back."""
    return format_money(amount, currency) if currency else f"{amount:,.2f}"

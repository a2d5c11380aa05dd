"""The one money parser: what it reads exactly, what it refuses, and the forms that use it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcma import amounts
from tcma.amounts import AmountError, parse_amount
from tcma.money import CURRENCY_SYMBOLS, format_money

D = Decimal

cents = st.integers(min_value=1, max_value=int(amounts.MAX_AMOUNT * 100)).map(lambda n: D(n) / 100)
currencies = st.sampled_from(sorted(CURRENCY_SYMBOLS))
spaces = st.sampled_from(["", " ", "  ", "\t", "\u00a0"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000", "1000.00"),
        ("1,000", "1000.00"),
        ("1,000.00", "1000.00"),
        ("1,234,567.8", "1234567.80"),
        ("$1,000.00", "1000.00"),
        ("€ 250", "250.00"),
        ("£0.50", "0.50"),
        ("USD 90", "90.00"),
        (" 12.5 ", "12.50"),
        (".50", "0.50"),
        ("CHF 1,250.00", "1250.00"),
    ],
)
def test_plain_and_well_grouped_amounts_are_read_exactly(text, expected):
    assert parse_amount(text) == D(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2,50", "a point before the cents"),
        ("1.000,00", "a point before the cents"),
        ("1,00,0", "a point before the cents"),
        ("12,3456", "a point before the cents"),
        ("1 000", "such as"),
        ("1e3", "such as"),
        ("1E+3", "such as"),
        ("NaN", "such as"),
        ("Infinity", "such as"),
        ("0x10", "such as"),
        ("١٢٣", "such as"),  # Arabic-Indic digits: Decimal() would take them
        ("1000 EUR", "such as"),
        ("-5", "cannot be negative"),
        ("-$5", "cannot be negative"),
        ("$-5", "cannot be negative"),
        ("1.005", "two decimals"),
        ("1,000.123", "two decimals"),
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("10000000000.00", "too large"),
        ("99,999,999,999", "too large"),
        ("", "Enter an amount"),
    ],
)
def test_ambiguous_or_impossible_amounts_are_refused_with_a_reason(text, message):
    with pytest.raises(AmountError) as refused:
        parse_amount(text)
    assert message in refused.value.message


def test_zero_only_where_the_field_allows_it():
    assert parse_amount("0", allow_zero=True) == D("0.00")


def test_a_sign_of_another_currency_is_refused_when_the_currency_is_known():
    assert parse_amount("$10", currency="USD") == D("10.00")
    assert parse_amount("$10", currency="CAD") == D("10.00")
    assert parse_amount("EUR 10", currency="EUR") == D("10.00")
    with pytest.raises(AmountError, match="in EUR"):
        parse_amount("$10", currency="EUR")
    with pytest.raises(AmountError, match="in USD"):
        parse_amount("£10", currency="USD")


@given(amount=cents, before=spaces, after=spaces)
def test_formatted_amounts_read_back_to_themselves(amount, before, after):
    for text in (f"{amount:.2f}", f"{amount:,.2f}", f"{amount:,}", f"{amount:f}"):
        assert parse_amount(before + text + after) == amount


@given(amount=cents, currency=currencies)
def test_amounts_shown_with_their_currency_read_back(amount, currency):
    shown = format_money(amount, currency)
    assert parse_amount(shown, currency=currency) == amount
    assert parse_amount(amounts.display(amount, currency)) == amount


@given(whole=st.integers(min_value=0, max_value=999), decimals=st.integers(0, 99))
def test_a_decimal_comma_is_never_read_as_thousands(whole, decimals):
    for text in (f"{whole},{decimals:02d}", f"{whole},{decimals % 10}"):
        with pytest.raises(AmountError, match="a point before the cents"):
            parse_amount(text)


@given(thousands=st.integers(1, 999), rest=st.integers(0, 999), cents_=st.integers(0, 99))
def test_points_between_thousands_are_refused(thousands, rest, cents_):
    with pytest.raises(AmountError):
        parse_amount(f"{thousands}.{rest:03d},{cents_:02d}")


@given(
    digits=st.text("0123456789", min_size=1, max_size=12),
    cut=st.integers(1, 11),
)
def test_commas_in_the_wrong_places_are_refused(digits, cut):
    if cut >= len(digits) or (len(digits) - cut) % 3 == 0:
        return  # a well-placed comma is fine
    with pytest.raises(AmountError):
        parse_amount(f"{digits[:cut]},{digits[cut:]}")


@given(amount=cents, exponent=st.integers(-5, 5))
def test_exponents_are_refused(amount, exponent):
    with pytest.raises(AmountError):
        parse_amount(f"{amount}e{exponent}")


@given(amount=cents)
def test_negatives_are_refused(amount):
    for text in (f"-{amount}", f"-${amount}", f"−{amount:,}"):
        with pytest.raises(AmountError, match="negative"):
            parse_amount(text)


@given(amount=st.integers(int(amounts.MAX_AMOUNT * 100) + 1, 10**20).map(lambda n: D(n) / 100))
def test_amounts_beyond_the_column_are_refused(amount):
    with pytest.raises(AmountError, match="too large"):
        parse_amount(f"{amount:,.2f}")

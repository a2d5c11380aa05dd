"""Password policy: long enough, not common, not a sequence, not the email."""

import pytest

from tcma.accounts.rules import password_problem


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pass1", "at least 12"),
        ("password1234", "too common"),
        ("Password2026", "too common"),
        ("qwertyuiop123", "too common"),
        ("aaaaaaaaaaaaaa", "repeats too few"),
        ("abcdefghijklm", "sequence"),
        ("98765432109876", "sequence"),
        ("ben.okafor2026", "close to your email"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    problem = password_problem(password, "ben.okafor@brightpath.example")
    assert problem is not None and reason in problem


def test_a_long_unusual_password_is_accepted() -> None:
    assert password_problem("blue-harbour-lantern-42", "ben@brightpath.example") is None

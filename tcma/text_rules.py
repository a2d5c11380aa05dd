"""Which characters typed text may hold: the one check behind every form and query string.

Control characters (C0, DEL and C1) have no place in names, emails, searches or notes; a NUL
byte even makes PostgreSQL refuse the whole statement. Multi-line fields keep tab, newline
and carriage return; single-line fields and addresses keep none.
"""

from __future__ import annotations

import re

_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CONTROL_MESSAGE = (
    "Remove the invisible control characters (often pasted from another program) and try again."
)


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """True when ``value`` holds a character a person cannot have meant to type."""
    pattern = _CONTROL_BUT_LINES if multiline else _ANY_CONTROL
    return pattern.search(value) is not None


def control_character_problem(value: str, *, multiline: bool = False) -> str | None:
    """The message to show next to a field holding control characters, or None."""
    return CONTROL_MESSAGE if has_control_characters(value, multiline=multiline) else None

"""The one error every tcma rule raises when it refuses something a person asked for.

Each area names its own subclass (MdfError, PipelineError, ...) so callers can catch one
area's refusals, but they all carry the same two things: a message written for the person
and, optionally, the input it is about. Pages show it next to that field
(``tcma.forms.show_error``); the API answers it as a 422 problem with that field
(``tcma.api.errors.rule_problem``); one that escapes a view still gets a clear answer
(``tcma.errors``), never a 500.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; ``message`` is for the person, ``field`` names the input (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

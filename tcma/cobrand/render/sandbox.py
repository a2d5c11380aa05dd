"""The Jinja sandbox kit templates run in: loader, limits, filters and error messages."""

from __future__ import annotations

import contextlib
import operator
import re
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tcma.cobrand.render.context import KitFileNotFound, RenderError
from tcma.cobrand.render.source import KitSource, normalise_kit_path

#: File types a template may load with include/extends (media/ holds binaries only).
TEMPLATE_SUFFIXES = (".html", ".htm", ".txt", ".css")
#: Longest string or list the ``*`` operator may build inside a template.
MAX_SEQUENCE = 100_000
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
#: Largest exponent ``**`` accepts: ``7 ** 100000000`` would spin on one bignum for minutes.
MAX_EXPONENT = 64


class KitLoader(BaseLoader):
    """Serves the templates of one kit version and nothing else."""

    def __init__(self, source: KitSource) -> None:
        # Reassignable: a worker reuses one compiled environment per kit version while the
        # file reads of each render go through that render's own source.
        self.source = source

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        """Return the text of a kit template; absolute or escaping names are not found."""
        try:
            path = normalise_kit_path(template)
        except KitFileNotFound:
            raise TemplateNotFound(template) from None
        if not path.lower().endswith(TEMPLATE_SUFFIXES) or path.startswith("media/"):
            raise TemplateNotFound(template)
        try:
            data = self.source.read(path)
        except KitFileNotFound:
            raise TemplateNotFound(template) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise RenderError(f"{path} is not UTF-8 text") from None
        # A published kit version never changes, so a compiled template never goes stale.
        return text, path, lambda: True


class KitSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, immutable (no list.append or dict.update) and with bounded arithmetic."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        """Refuse ``*`` and ``**`` results big enough to exhaust memory or CPU."""
        if op == "**":
            if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f"the exponent {right} is too large")
            return operator.pow(left, right)
        for seq, count in ((left, right), (right, left)):
            sized = isinstance(seq, str | list | tuple) and isinstance(count, int)
            if sized and len(seq) * count > MAX_SEQUENCE:
                raise SecurityError("the result of '*' would be too long")
        return operator.mul(left, right)


class EscapingIsNotOptional(Extension):
    """Refuses ``{% autoescape %}`` blocks, the one way around escaping besides ``|safe``."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        """Pass the tokens through, failing on an autoescape tag."""
        previous = None
        for token in stream:
            if previous == "block_begin" and token.test("name:autoescape"):
                raise TemplateSyntaxError(
                    "HTML templates cannot turn escaping off: field values are text, not markup",
                    token.lineno,
                    stream.name,
                    stream.filename,
                )
            previous = token.type
            yield token


def make_environment(source: KitSource, *, autoescape: bool) -> KitSandbox:
    """Build the sandbox for one kit: autoescaping for HTML outputs, not for text ones."""
    # Escaping is decided per environment, not per file name, so an HTML output stays
    # escaped even when it includes a .txt or .css template.
    env = KitSandbox(
        loader=KitLoader(source),
        autoescape=autoescape,
        undefined=StrictUndefined,
        auto_reload=False,
        keep_trailing_newline=True,
        finalize=lambda value: "" if value is None else value,
        extensions=[EscapingIsNotOptional] if autoescape else [],
    )
    if autoescape:
        # Partner input is data, never markup: no template may mark it safe.
        del env.filters["safe"]
    env.filters["date"] = format_date
    return env


def format_date(value: Any, fmt: Any = None) -> Any:
    """Format an ISO date as "10 December 2026" (or with a strftime format); else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if fmt is None:
        return f"{parsed.day} {_MONTHS[parsed.month - 1]} {parsed.year}"
    if not isinstance(fmt, str):
        return value
    # Names are spelled here, not by the C library: strftime follows the process locale,
    # and the same render must give the same file on every server (it is cached).
    names = {
        "%": "%%",
        "A": _DAYS[parsed.weekday()],
        "a": _DAYS[parsed.weekday()][:3],
        "B": _MONTHS[parsed.month - 1],
        "b": _MONTHS[parsed.month - 1][:3],
    }
    english = re.sub(r"%([%AaBb])", lambda match: names[match.group(1)], fmt)
    try:
        return parsed.strftime(english)
    except ValueError:
        return value


def render_template(env: KitSandbox, path: str, variables: dict[str, Any]) -> str:
    """Render the kit template at ``path``; every failure becomes a RenderError."""
    with template_errors(path):
        return env.get_template(path).render(variables)


def render_string(env: KitSandbox, text: str, variables: dict[str, Any], name: str) -> str:
    """Render a template kept in kit.toml (an email subject, say)."""
    with template_errors(name):
        return env.from_string(text).render(variables)


@contextlib.contextmanager
def template_errors(path: str) -> Iterator[None]:
    """Turn what a template can raise into a RenderError a kit author can act on."""
    try:
        yield
    except RenderError:
        raise
    except SecurityError as exc:
        raise RenderError(f"{path}: the template tried something not allowed: {exc}") from None
    except TemplateSyntaxError as exc:
        where = exc.filename or exc.name or path
        raise RenderError(f"{where}, line {exc.lineno}: {exc.message}") from None
    except TemplateNotFound as exc:
        if exc.name == path:
            raise RenderError(f"The kit has no template {path!r}") from None
        raise RenderError(f"{path}: {exc.name!r} is not a template of this kit") from None
    except UndefinedError as exc:
        raise RenderError(f"{path}{_line_of_error()}: {exc.message}") from None
    except TemplateError as exc:
        raise RenderError(f"{path}{_line_of_error()}: {exc.message or exc}") from None
    except MemoryError:
        raise
    except Exception as exc:
        # Template expressions can raise anything (1 / 0, "a" + 1); the author needs the
        # line and the reason, never a stack trace.
        message = f"{type(exc).__name__}: {exc}"
        raise RenderError(f"{path}{_line_of_error()}: {message}") from None


def _line_of_error() -> str:
    """Return ", line N" for the innermost template frame of the current exception."""
    line = ""
    tb = sys.exc_info()[2]
    while tb is not None:
        # Jinja rewrites tracebacks so template frames carry the template's own line.
        name = tb.tb_frame.f_code.co_filename
        if name.lower().endswith(TEMPLATE_SUFFIXES) or name == "<template>":
            line = f", line {tb.tb_lineno}"
        tb = tb.tb_next
    return line

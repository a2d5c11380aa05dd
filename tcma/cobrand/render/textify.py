"""A readable plain-text version of an HTML email, for its text/plain part."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source")
    + ("track", "wbr")
)
_SKIPPED = frozenset({"head", "style", "script", "title", "template", "noscript"})
_PARAGRAPHS = frozenset(
    ("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "pre")
    + ("address", "figure")
)
_LINES = frozenset(
    ("div", "li", "tr", "section", "article", "header", "footer", "main", "nav", "aside")
    + ("center", "dl", "dt", "dd", "caption")
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
_LINE, _PARAGRAPH = "\x00L", "\x00P"
WIDTH = 78


def html_to_text(html: str) -> str:
    """Return the visible text of ``html`` with paragraphs, list dashes and link targets."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return _layout(parser.pieces)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        # (tag, hidden, href, index of the first piece inside the element)
        self._open: list[tuple[str, bool, str | None, int]] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _VOID:
            if not self._hidden and tag == "br":
                self.pieces.append(_LINE)
            elif not self._hidden and tag == "hr":
                self.pieces.extend((_PARAGRAPH, "-" * 20, _PARAGRAPH))
            return
        hidden = tag in _SKIPPED or bool(_HIDDEN_STYLE.search(values.get("style") or ""))
        self._hidden += hidden
        self._open.append((tag, hidden, values.get("href") if tag == "a" else None, 0))
        if self._hidden:
            return
        self._block_break(tag)
        if tag == "li":
            self.pieces.append("- ")
        elif tag in ("td", "th"):
            self.pieces.append(" ")
        self._open[-1] = (*self._open[-1][:3], len(self.pieces))

    def handle_endtag(self, tag: str) -> None:
        if not any(entry[0] == tag for entry in self._open):
            return
        # Close unclosed children too: mail HTML is often sloppy (<p> without </p>).
        while self._open:
            open_tag, hidden, href, start = self._open.pop()
            if not self._hidden:
                if open_tag == "a" and href:
                    self._link_target(href, start)
                self._block_break(open_tag)
            self._hidden -= hidden
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.pieces.append(re.sub(r"\s+", " ", data))

    def _block_break(self, tag: str) -> None:
        if tag in _PARAGRAPHS:
            self.pieces.append(_PARAGRAPH)
        elif tag in _LINES:
            self.pieces.append(_LINE)

    def _link_target(self, href: str, start: int) -> None:
        text = "".join(p for p in self.pieces[start:] if not p.startswith("\x00")).strip()
        target = href.removeprefix("mailto:").strip()
        if href.startswith(("#", "javascript:")) or not target or target == text:
            return
        self.pieces.append(f" ({target})" if text else target)


def _layout(pieces: list[str]) -> str:
    text = "".join(pieces)
    paragraphs = []
    for block in text.split(_PARAGRAPH):
        lines = [line.strip() for line in block.split(_LINE)]
        wrapped = [_wrap(line) for line in lines if line]
        if wrapped:
            paragraphs.append("\n".join(wrapped))
    return "\n\n".join(paragraphs) + "\n"


def _wrap(line: str) -> str:
    indent = "  " if line.startswith("- ") else ""
    # URLs are never broken: a split link is a dead link in a plain-text mail.
    return textwrap.fill(
        line, WIDTH, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )

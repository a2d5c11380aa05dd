"""What kit templates refer to (included templates, field names), found by parsing only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, TemplateSyntaxError, nodes

# Statements that name another template: {% include %}, {% extends %}, {% import %}, {% from %}.
_INCLUDES = (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)


def fields_used_by(asset: dict[str, Any], files: dict[str, bytes]) -> list[str]:
    """The field keys an asset's templates (and what they include) refer to, plus its list."""
    pending = [asset.get(key) for key in ("template", "text_template")]
    pending += list((asset.get("networks") or {}).values())
    texts = [asset.get(key) or "" for key in ("subject", "preheader")]
    seen: set[str] = set()
    while pending:
        path = pending.pop()
        if isinstance(path, str) and path not in seen and path in files:
            seen.add(path)
            texts.append(files[path].decode("utf-8", "replace"))
            pending += included_templates(texts[-1])
    used = set(asset.get("fields") or [])
    for text in texts:
        used |= _field_names(text)
    return sorted(used)


_PARSER = Environment(autoescape=True)  # noqa: S701 - only parses, never renders


def _parse(text: str) -> nodes.Template | None:
    try:
        return _PARSER.parse(text)
    except TemplateSyntaxError:
        return None


def included_templates(text: str) -> list[str]:
    """The templates a template includes, extends or imports by a constant name."""
    tree = _parse(text)
    if tree is None:
        return []
    found = tree.find_all(_INCLUDES)
    return [
        n.template.value
        for n in found
        if isinstance(n, _INCLUDES) and isinstance(n.template, nodes.Const)
    ]


def _field_names(text: str) -> set[str]:
    tree = _parse(text)
    if tree is None:
        return set()
    names = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if not isinstance(node, nodes.Getattr | nodes.Getitem):
            continue
        if isinstance(node.node, nodes.Name) and node.node.name == "fields":
            key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
            if isinstance(key, str) and key not in ("items", "keys", "values", "get"):
                names.add(key)
    return names


def reachable_templates(manifest: dict[str, Any], read: Callable[[str], bytes]) -> set[str]:
    """Every template the manifest's assets use, directly or through includes."""
    pending = []
    for asset in manifest.get("assets", []):
        pending += [asset.get("template"), asset.get("text_template")]
        pending += list((asset.get("networks") or {}).values())
    seen: set[str] = set()
    while pending:
        path = pending.pop()
        if isinstance(path, str) and path not in seen:
            seen.add(path)
            try:
                pending += included_templates(read(path).decode("utf-8", "replace"))
            except KeyError:
                continue
    return seen

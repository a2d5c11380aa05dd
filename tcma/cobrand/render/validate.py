"""Check kit templates before a kit is saved: syntax, undeclared fields, unknown names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import TemplateNotFound, TemplateSyntaxError, meta, nodes

from tcma.cobrand.render.context import RenderError, TemplateProblem
from tcma.cobrand.render.sandbox import KitSandbox, make_environment
from tcma.cobrand.render.source import KitSource
from tcma.cobrand.render.source import declared_fields as manifest_fields

#: The names a template sees (docs/kit-format.md), besides Jinja's own globals and the
#: names Jinja itself defines inside loops, macros and blocks.
TEMPLATE_NAMES = frozenset(
    {"partner", "brand", "fields", "campaign", "kit", "vendor", "media", "field_image", "lead_form"}
    | {"loop", "caller", "varargs", "kwargs", "self", "super"}
)
# Iterating over every field (fields.items()) is legitimate and names no single field.
_DICT_METHODS = frozenset({"items", "keys", "values"})


def validate_template(
    source: KitSource, path: str, declared_fields: Iterable[str]
) -> list[TemplateProblem]:
    """Return the problems of the template at ``path`` and of those it includes or extends."""
    # .txt templates are rendered for plain-text outputs, without HTML escaping.
    env = make_environment(source, autoescape=not path.lower().endswith(".txt"))
    return _validate_family(env, path, frozenset(declared_fields))


def validate_kit(source: KitSource) -> list[TemplateProblem]:
    """Validate every asset's templates, their email subjects and the landing lead form."""
    declared = frozenset(manifest_fields(source.manifest))
    html_env = make_environment(source, autoescape=True)
    text_env = make_environment(source, autoescape=False)
    problems: list[TemplateProblem] = []
    for asset in source.manifest.get("assets", []):
        # Each template is checked in the sandbox it is rendered in (see outputs.py).
        roots = [(html_env, asset["template"])] if asset.get("template") else []
        if asset.get("text_template"):
            roots.append((text_env, asset["text_template"]))
        roots += [(text_env, str(path)) for path in (asset.get("networks") or {}).values()]
        for env, root in roots:
            problems += [p for p in _validate_family(env, root, declared) if p not in problems]
        for key in ("subject", "preheader"):
            if isinstance(asset.get(key), str):
                name = f"kit.toml assets.{asset.get('key')}.{key}"
                problems += _check_string(text_env, asset[key], name, declared)
        if asset.get("kind") == "landing" and asset.get("template"):
            problems += _landing_problems(source, asset["template"])
    return problems


def _validate_family(env: KitSandbox, root: str, declared: frozenset[str]) -> list[TemplateProblem]:
    # A template sees the names its parents and includers set ({% set %} in a base layout,
    # a button partial's btn_url), so unknown names are judged against the whole family.
    trees: dict[str, nodes.Template] = {}
    problems: list[TemplateProblem] = []
    pending, seen = [root], set()
    while pending:
        path = pending.pop(0)
        if path in seen:
            continue
        seen.add(path)
        tree = _parse_file(env, path, problems)
        if tree is None:
            continue
        trees[path] = tree
        for line, name in _referenced_templates(tree):
            if _exists(env, name):
                pending.append(name)
            else:
                message = f"{name!r} is not a template of this kit"
                problems.append(TemplateProblem(path, line, message))
    known = TEMPLATE_NAMES | set(env.globals) | {n for t in trees.values() for n in _assigned(t)}
    for path, tree in trees.items():
        problems += _name_problems(tree, path, declared, known)
    return sorted(problems, key=lambda p: (p.path != root, p.path, p.line))


def _parse_file(
    env: KitSandbox, path: str, problems: list[TemplateProblem]
) -> nodes.Template | None:
    try:
        text = env.loader.get_source(env, path)[0]  # type: ignore[union-attr]
    except TemplateNotFound:
        problems.append(TemplateProblem(path, 0, f"The kit has no template {path!r}"))
        return None
    except RenderError as exc:
        problems.append(TemplateProblem(path, 0, str(exc)))
        return None
    return _parse(env, text, path, problems)


def _parse(
    env: KitSandbox, text: str, name: str, problems: list[TemplateProblem]
) -> nodes.Template | None:
    try:
        tree = env.parse(text, name=name)
        env.compile(tree)  # Reports unknown filters and tests, which parsing does not.
    except TemplateSyntaxError as exc:
        problems.append(TemplateProblem(exc.name or name, exc.lineno or 0, exc.message or ""))
        return None
    return tree


def _check_string(
    env: KitSandbox, text: str, name: str, declared: frozenset[str]
) -> list[TemplateProblem]:
    problems: list[TemplateProblem] = []
    tree = _parse(env, text, name, problems)
    if tree is not None:
        known = TEMPLATE_NAMES | set(env.globals) | set(_assigned(tree))
        problems += _name_problems(tree, name, declared, known)
    return problems


def _name_problems(
    tree: nodes.Template, path: str, declared: frozenset[str], known: frozenset[str] | set[str]
) -> list[TemplateProblem]:
    problems = [TemplateProblem(path, line, msg) for line, msg in _field_problems(tree, declared)]
    # "{% if followup is defined %}" is how a shared partial asks about an optional name.
    probed = {
        test.node.name
        for test in tree.find_all(nodes.Test)
        if test.name in ("defined", "undefined") and isinstance(test.node, nodes.Name)
    }
    for unknown in sorted(meta.find_undeclared_variables(tree) - known - probed):
        line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == unknown), 0)
        message = f"{unknown!r} is not defined for kit templates"
        problems.append(TemplateProblem(path, line, message))
    return sorted(problems, key=lambda p: p.line)


def _field_problems(tree: nodes.Template, declared: frozenset[str]) -> list[tuple[int, str]]:
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if not isinstance(node, nodes.Getattr | nodes.Getitem):
            continue
        if not (isinstance(node.node, nodes.Name) and node.node.name == "fields"):
            continue
        key: Any = node.attr if isinstance(node, nodes.Getattr) else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            key = node.arg.value
        if isinstance(key, str) and key not in declared and key not in _DICT_METHODS:
            found.append((node.lineno, f"fields.{key} is not a field declared in kit.toml"))
    return found


def _assigned(tree: nodes.Template) -> Iterator[str]:
    """Every name a template defines: set, for, macro arguments, macros, imports."""
    for node in tree.find_all(nodes.Name):
        if node.ctx in ("store", "param"):
            yield node.name
    for macro in tree.find_all(nodes.Macro):
        yield macro.name
    for imported in tree.find_all(nodes.Import):
        yield imported.target
    for from_import in tree.find_all(nodes.FromImport):
        for entry in from_import.names:
            yield entry[1] if isinstance(entry, tuple) else entry


def _referenced_templates(tree: nodes.Template) -> Iterator[tuple[int, str]]:
    includes = (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)
    for node in tree.find_all(includes):
        if not isinstance(node, includes):
            continue
        target = node.template
        # A computed name ({% include some_variable %}) can only be checked at render.
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            yield node.lineno, target.value


def _exists(env: KitSandbox, name: str) -> bool:
    try:
        env.loader.get_source(env, name)  # type: ignore[union-attr]
    except (TemplateNotFound, RenderError):
        return False
    return True


def _landing_problems(source: KitSource, path: str) -> list[TemplateProblem]:
    try:
        text = source.read(path).decode("utf-8", "replace")
    except RenderError:
        return []  # Reported as a missing template already.
    if "lead_form" not in text:
        return [TemplateProblem(path, 0, "A landing page must contain {{ lead_form }}")]
    return []

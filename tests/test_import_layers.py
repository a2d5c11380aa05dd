"""Imports flow one way: no module of tcma imports itself back through others when it loads,
and an area reaches into another area's rules, services and models, never its pages
(views, their web helpers, forms)."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

import tcma
import tcma.models

PACKAGE = Path(tcma.__file__).parent
# The areas are the packages whose tables tcma.models gathers (audit is one module).
AREAS = {name for name in tcma.models.__all__ if (PACKAGE / name).is_dir()}
PAGE_MODULE = re.compile(r"(views|web|forms)$")

# Known reaches into another area's page modules, still to move home (issue 15); the test
# fails when a new one appears and when one of these goes, so the list stays true.
KNOWN_PAGE_IMPORTS = {
    ("tcma.campaigns.landing_views", "tcma.pipeline.forms"),  # the lead capture form
    ("tcma.jobs.views", "tcma.pipeline.web"),  # the leads list filter, for exports
}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.with_suffix("").relative_to(PACKAGE.parent).parts
        if "migrations" not in parts:
            modules[".".join(parts).removesuffix(".__init__")] = path
    return modules


def _load_time_imports(module: str, path: Path) -> Iterator[str]:
    """Absolute names imported when the module loads (not inside functions or TYPE_CHECKING)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    pending = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If):
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            pending += [stmt for handler in node.handlers for stmt in handler.body]
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            yield from (f"{base}.{alias.name}" for alias in node.names)


@functools.cache
def _graph() -> dict[str, set[str]]:
    modules = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in _load_time_imports(module, path):
            target = resolve(name)
            # Every module imports through the package root tcma (the app factory): that
            # edge is how Python loads packages, not a dependency between modules.
            if target and target not in (module, "tcma"):
                targets.add(target)
        graph[module] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_when_it_loads() -> None:
    graph = _graph()
    assert len(graph) > 150 and "tcma.campaigns.services" in graph["tcma.mdf.request_views"]
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_across_areas() -> None:
    assert _cycles({"a.x": {"b.y"}, "b.y": {"c.z"}, "c.z": {"a.x"}, "d": {"a.x"}}) == [
        ["a.x", "b.y", "c.z"]
    ]


def test_areas_reach_into_no_other_areas_pages() -> None:
    assert {"campaigns", "mailings", "webhooks"} <= AREAS and "audit" not in AREAS
    reaches = set()
    for module, targets in _graph().items():
        area = module.split(".")[1] if module.count(".") else ""
        for target in targets:
            parts = target.split(".")
            if (
                area in AREAS
                and len(parts) > 2
                and parts[1] in AREAS
                and parts[1] != area
                and PAGE_MODULE.search(parts[2])
            ):
                reaches.add((module, ".".join(parts[:3])))
    assert reaches == KNOWN_PAGE_IMPORTS

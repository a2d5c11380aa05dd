"""kit.toml: parse, validate against the kit folder format, write back (pure, no I/O)."""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from typing import Any

import tomli_w

from tcma.kits import rules
from tcma.kits.rules import ASSET_KEY_RE, FIELD_KEY_RE, LABEL_RE, SLUG_RE, PackageError

MANIFEST_NAME = "kit.toml"


def parse_manifest(data: bytes) -> dict[str, Any]:
    """Parse kit.toml bytes; PackageError says what is wrong and where."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PackageError(["kit.toml is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise PackageError([f"kit.toml is not valid TOML: {exc}"]) from None


def dump_manifest(manifest: dict[str, Any], change_note: str = "") -> bytes:
    """Write a manifest as kit.toml, with the version's change note."""
    data = dict(manifest)
    data.pop("change_note", None)
    if change_note:
        data["change_note"] = change_note
    # Tables of arrays last: TOML would otherwise read later plain keys as theirs.
    ordered = {k: v for k, v in data.items() if k not in ("fields", "assets")}
    for key in ("fields", "assets"):
        if data.get(key):
            ordered[key] = data[key]
    return tomli_w.dumps(ordered).encode()


class _Checker:
    """Collects problems, each naming the kit.toml key it is about."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"kit.toml {where}: {message}")

    def text(
        self, table: dict, key: str, where: str, *, required: bool = False, max_length: int = 300
    ) -> str | None:
        value = table.get(key)
        if value is None or value == "":
            if required:
                self.add(where, f"'{key}' is required")
            return None
        if not isinstance(value, str):
            self.add(where, f"'{key}' must be a string")
            return None
        if len(value) > max_length:
            self.add(where, f"'{key}' is longer than {max_length} characters")
        return value

    def pixels(self, table: dict, key: str, where: str) -> None:
        value = table.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(where, f"'{key}' is required: a whole number of pixels")
        elif not rules.MIN_PIXELS <= value <= rules.MAX_PIXELS:
            self.add(where, f"'{key}' must be from {rules.MIN_PIXELS} to {rules.MAX_PIXELS} pixels")

    def labels(self, table: dict, key: str, where: str, allowed: Collection[str] = ()) -> None:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(where, f"'{key}' must be a list of strings")
            return
        for item in value:
            if not LABEL_RE.match(item):
                self.add(where, f"'{key}' has an unusable entry {item!r} (1-40 characters, no '|')")
            elif allowed and item not in allowed:
                self.add(where, f"'{key}' has {item!r}; use {', '.join(allowed)}")
        if len(set(value)) != len(value):
            self.add(where, f"'{key}' lists an entry twice")

    def unknown(self, table: dict, allowed: Collection[str], where: str) -> None:
        for key in sorted(set(table) - set(allowed)):
            self.add(where, f"unknown key '{key}'")

    def file(
        self,
        table: dict,
        key: str,
        where: str,
        paths: Collection[str],
        *,
        kind: str = "template",
        required: bool = True,
    ) -> None:
        path = self.text(table, key, where, required=required)
        if path is None:
            return
        if rules.file_kind(path) != kind:
            self.add(where, f"'{key}' = {path!r} is not a{'n' if kind == 'image' else ''} {kind}")
        elif path not in paths:
            self.add(where, f"'{key}' names {path!r}, which is not in the kit")


def manifest_problems(
    manifest: dict[str, Any], paths: Collection[str], *, require_assets: bool = True
) -> list[str]:
    """Every way ``manifest`` breaks the kit folder format, given the kit's file paths."""
    check = _Checker()
    check.unknown(manifest, rules.TOP_KEYS, "(top level)")
    slug = check.text(manifest, "slug", "slug", required=True, max_length=60)
    if slug and not SLUG_RE.match(slug):
        check.add("slug", "use lowercase letters, digits and dashes")
    check.text(manifest, "name", "name", required=True, max_length=120)
    check.text(manifest, "summary", "summary", required=True, max_length=500)
    objective = check.text(manifest, "objective", "objective", required=True)
    if objective and objective not in rules.OBJECTIVES:
        check.add("objective", f"{objective!r} is not one of {', '.join(rules.OBJECTIVES)}")
    check.text(manifest, "audience", "audience", max_length=300)
    check.text(manifest, "change_note", "change_note", max_length=500)
    for key in ("tags", "tiers"):
        check.labels(manifest, key, key)
    check.labels(manifest, "regions", "regions", rules.REGIONS)
    check.file(manifest, "cover", "cover", paths, kind="image", required=False)
    fields = _fields(check, manifest.get("fields", []))
    _assets(check, manifest.get("assets", []), fields, paths, require_assets)
    return check.problems


def _table_list(check: _Checker, value: Any, name: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        check.add(name, f"'{name}' must be a list of [[{name}]] tables")
        return []
    return value


def _fields(check: _Checker, value: Any) -> set[str]:
    keys: set[str] = set()
    for index, spec in enumerate(_table_list(check, value, "fields")):
        key = spec.get("key")
        where = f"fields[{index}]" + (f" ({key})" if isinstance(key, str) else "")
        check.unknown(spec, rules.FIELD_KEYS, where)
        if not isinstance(key, str) or not FIELD_KEY_RE.match(key):
            check.add(where, "'key' must be lowercase letters, digits and underscores")
        elif key in keys:
            check.add(where, f"the key {key!r} is used by two fields")
        else:
            keys.add(key)
        check.text(spec, "label", where, required=True, max_length=80)
        check.text(spec, "help", where, max_length=300)
        kind = spec.get("type")
        if kind not in rules.FIELD_TYPES:
            check.add(where, f"'type' must be one of {', '.join(rules.FIELD_TYPES)}")
        if not isinstance(spec.get("required", False), bool):
            check.add(where, "'required' must be true or false")
        _field_limits(check, spec, kind, where)
    return keys


def _field_limits(check: _Checker, spec: dict[str, Any], kind: Any, where: str) -> None:
    max_length = spec.get("max_length")
    if max_length is not None:
        if kind not in rules.LENGTH_TYPES:
            check.add(where, f"'max_length' is not used by {kind} fields")
        elif not isinstance(max_length, int) or not 1 <= max_length <= rules.MAX_LENGTH_LIMIT:
            check.add(
                where, f"'max_length' must be a whole number from 1 to {rules.MAX_LENGTH_LIMIT}"
            )
    choices = spec.get("choices")
    if kind == "choice":
        if not (
            isinstance(choices, list)
            and choices
            and all(isinstance(choice, str) and choice for choice in choices)
        ):
            check.add(where, "'choices' must list the options (strings) of a choice field")
        elif len(set(choices)) != len(choices):
            check.add(where, "'choices' lists an option twice")
    elif choices is not None:
        check.add(where, "'choices' is only for choice fields")
    default = spec.get("default")
    if default is None or default == "":
        return
    if kind == "image":
        check.add(where, "image fields cannot have a default")
    elif not isinstance(default, str):
        check.add(where, "'default' must be a string")
    elif kind in rules.FIELD_TYPES and (problem := rules.field_value_problem(spec, default)):
        check.add(where, f"'default' {problem}")


def _assets(
    check: _Checker, value: Any, fields: set[str], paths: Collection[str], require_assets: bool
) -> None:
    assets = _table_list(check, value, "assets")
    if require_assets and value == []:
        check.add("assets", "a kit needs at least one [[assets]] entry")
    keys: set[str] = set()
    for index, asset in enumerate(assets):
        key, kind = asset.get("key"), asset.get("kind")
        where = f"assets[{index}]" + (f" ({key})" if isinstance(key, str) else "")
        if not isinstance(key, str) or not ASSET_KEY_RE.match(key):
            check.add(where, "'key' must be lowercase letters, digits and dashes")
        elif key in keys:
            check.add(where, f"the key {key!r} is used by two assets")
        else:
            keys.add(key)
        if kind not in rules.KINDS:
            check.add(where, f"'kind' must be one of {', '.join(rules.KINDS)}")
            continue
        check.unknown(asset, rules.ASSET_KEYS | rules.KIND_KEYS[kind], where)
        check.text(asset, "name", where, required=True, max_length=120)
        check.file(asset, "template", where, paths)
        used = asset.get("fields", [])
        if not isinstance(used, list) or not all(isinstance(f, str) for f in used):
            check.add(where, "'fields' must be a list of field keys")
        else:
            for field in sorted(set(used) - fields):
                check.add(where, f"'fields' names {field!r}, which is not a declared field")
        _kind_settings(check, asset, kind, where, paths)


def _kind_settings(
    check: _Checker, asset: dict[str, Any], kind: str, where: str, paths: Collection[str]
) -> None:
    if kind == "email":
        check.text(asset, "subject", where, required=True, max_length=300)
        check.text(asset, "preheader", where, max_length=300)
        check.file(asset, "text_template", where, paths, required=False)
    elif kind == "print":
        size = asset.get("page_size", "A4")
        if size not in rules.PAGE_SIZES:
            check.add(where, f"'page_size' must be one of {', '.join(rules.PAGE_SIZES)}")
        if "bleed" in asset and rules.bleed_mm(asset["bleed"]) is None:
            check.add(
                where, f"'bleed' must be millimetres from 0 to {rules.MAX_BLEED_MM}, e.g. \"3mm\""
            )
    elif kind in ("banner", "social"):
        check.pixels(asset, "width", where)
        check.pixels(asset, "height", where)
    if kind == "social":
        networks = asset.get("networks")
        if not isinstance(networks, dict) or not networks:
            check.add(
                where,
                f"'networks' must map networks ({', '.join(rules.NETWORKS)}) "
                "to their post templates",
            )
            return
        for network in networks:
            if network not in rules.NETWORKS:
                check.add(where, f"'networks' has {network!r}; use {', '.join(rules.NETWORKS)}")
            else:
                check.file(networks, network, f"{where} networks", paths)

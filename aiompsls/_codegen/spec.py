"""Load and check the spec file into plain dataclasses for the renderers."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from aiompsls._codegen.naming import snake

SPEC_PATH = Path(__file__).resolve().parent.parent / "_spec" / "mpserverless.toml"
REQUEST_TYPES = frozenset({"string", "integer", "boolean", "list"})
FIELD_TYPES = frozenset({"string", "integer", "float", "boolean", "struct", "list"})
CONSTRAINT_KEYS = (
    "minimum",
    "maximum",
    "multiple_of",
    "max_length",
    "max_items",
    "pattern",
)


class SpecError(Exception):
    """The spec file is inconsistent; the message names the place."""


@dataclasses.dataclass(frozen=True)
class ParamDef:
    """A request parameter as written in the spec."""

    name: str
    attr: str
    type: str
    required: bool
    doc: str
    enum: tuple[str, ...]
    default: str | None
    constraints: dict[str, Any]
    is_json: bool


@dataclasses.dataclass
class FieldDef:
    """A response field; ``children`` are the fields of a struct or list item."""

    wire: str
    attr: str
    type: str
    doc: str
    member: str | None = None
    aliases: tuple[str, ...] = ()
    undocumented: bool = False
    required: bool = False
    children: list[FieldDef] = dataclasses.field(default_factory=list)
    shape: str | None = None


@dataclasses.dataclass(frozen=True)
class ActionDef:
    """One action: its metadata, parameters and response tree."""

    name: str
    method: str
    group: str
    section: str
    summary: str
    readonly: bool
    idempotent: bool
    params: tuple[ParamDef, ...]
    fields: tuple[FieldDef, ...]


@dataclasses.dataclass(frozen=True)
class Spec:
    """The whole spec file."""

    api_version: str
    errors: dict[str, str]
    actions: tuple[ActionDef, ...]
    paginators: dict[str, dict[str, Any]]
    waiters: dict[str, dict[str, Any]]

    def action(self, name: str) -> ActionDef:
        """Return the action called ``name``."""
        for action in self.actions:
            if action.name == name:
                return action
        raise SpecError(f"unknown action {name!r}")


def load(path: Path = SPEC_PATH) -> Spec:
    """Read and check the spec file."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    actions = tuple(_action(name, body) for name, body in raw["actions"].items())
    spec = Spec(
        api_version=raw["service"]["api_version"],
        errors=dict(raw["errors"]),
        actions=actions,
        paginators=dict(raw.get("paginators", {})),
        waiters=dict(raw.get("waiters", {})),
    )
    for name in spec.paginators:
        spec.action(name)
    for waiter in spec.waiters.values():
        spec.action(waiter["action"])
    return spec


def _action(name: str, body: dict[str, Any]) -> ActionDef:
    params = tuple(_param(name, p) for p in body.get("params", []))
    return ActionDef(
        name=name,
        method=snake(name),
        group=body["group"],
        section=body["section"],
        summary=body["summary"],
        readonly=body["readonly"],
        idempotent=body["idempotent"],
        params=params,
        fields=tuple(_tree(name, body.get("fields", []))),
    )


def _param(action: str, raw: dict[str, Any]) -> ParamDef:
    if raw["type"] not in REQUEST_TYPES:
        raise SpecError(f"{action}.{raw['name']}: unknown type {raw['type']!r}")
    renamed = {"min": "minimum", "max": "maximum"}
    constraints = {renamed.get(k, k): v for k, v in raw.items() if k in _RAW_KEYS}
    return ParamDef(
        name=raw["name"],
        attr=snake(raw["name"]),
        type=raw["type"],
        required=raw["required"],
        doc=raw["doc"],
        enum=tuple(raw.get("enum", ())),
        default=raw.get("default"),
        constraints=constraints,
        is_json=raw.get("json", False),
    )


_RAW_KEYS = frozenset(
    {"min", "max", "multiple_of", "max_length", "max_items", "pattern"}
)


def _tree(action: str, rows: list[dict[str, Any]]) -> list[FieldDef]:
    """Rebuild the nested response tree from the dotted paths of the spec."""
    root: list[FieldDef] = []
    index: dict[str, FieldDef] = {}
    for row in rows:
        path = row["path"]
        parent_path, _, leaf = path.rpartition(".")
        if row["type"] not in FIELD_TYPES:
            raise SpecError(f"{action}.{path}: unknown type {row['type']!r}")
        field = FieldDef(
            wire=leaf,
            attr=snake(leaf),
            type=row["type"],
            doc=row["doc"],
            member=row.get("member"),
            aliases=tuple(row.get("aliases", ())),
            undocumented=row.get("undocumented", False),
            required=row.get("required", False),
        )
        siblings = root
        if parent_path:
            parent = index.get(parent_path.removesuffix("[]"))
            if parent is None:
                raise SpecError(f"{action}.{path}: parent {parent_path!r} missing")
            siblings = parent.children
        siblings.append(field)
        index[path] = field
    return root

"""Render ``aiompsls/_core/operations.py`` and ``aiompsls/_core/error_codes.py``."""

from __future__ import annotations

from typing import Any

from aiompsls._codegen.emit import HEADER, literal
from aiompsls._codegen.naming import snake
from aiompsls._codegen.spec import ActionDef, FieldDef, ParamDef, Spec, SpecError


def render_error_codes(spec: Spec) -> str:
    """The vendor error code -> category table."""
    lines = [
        HEADER.rstrip("\n"),
        '"""Vendor error codes and the error category each one maps to."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "from typing import Final",
        "",
        "ERROR_CATEGORIES: Final[Mapping[str, str]] = {",
        *(f"    {literal(k)}: {literal(v)}," for k, v in sorted(spec.errors.items())),
        "}",
    ]
    return "\n".join(lines) + "\n"


def render_operations(spec: Spec) -> str:
    """The operation, paginator and waiter tables."""
    lines = [
        HEADER.rstrip("\n"),
        '"""The operation table: every action, its models, flags and parameters."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "from typing import Final",
        "",
        "import aiompsls.models as m",
        "from aiompsls._core.schema import (",
        "    Acceptor,",
        "    Operation,",
        "    PaginatorSpec,",
        "    Param,",
        "    WaiterSpec,",
        ")",
        "",
        "OPERATIONS: Final[Mapping[str, Operation]] = {",
    ]
    for action in spec.actions:
        lines += _operation(action)
    lines += ["}", "", "PAGINATORS: Final[Mapping[str, PaginatorSpec]] = {"]
    for name, raw in spec.paginators.items():
        lines += _paginator(spec.action(name), raw)
    lines += ["}", "", "WAITERS: Final[Mapping[str, WaiterSpec]] = {"]
    for name, raw in spec.waiters.items():
        lines += _waiter(spec, name, raw)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _operation(action: ActionDef) -> list[str]:
    head = [
        f"    {literal(action.name)}: Operation(",
        f"        name={literal(action.name)},",
        f"        method_name={literal(action.method)},",
        f"        group={literal(action.group)},",
        f"        readonly={action.readonly},",
        f"        idempotent={action.idempotent},",
        f"        request=m.{action.name}Request,",
        f"        response=m.{action.name}Response,",
    ]
    if not action.params:
        return [*head, "        params=(),", "    ),"]
    body = ["        params=("]
    for param in action.params:
        body += _param(param)
    return [*head, *body, "        ),", "    ),"]


def _param(param: ParamDef) -> list[str]:
    args: dict[str, Any] = {
        "name": param.name,
        "attr": param.attr,
        "type": param.type,
        "required": param.required,
    }
    if param.enum:
        args["enum"] = param.enum
    if param.default is not None:
        args["default"] = param.default
    args.update(param.constraints)
    if param.is_json:
        args["is_json"] = True
    lines = ["            Param("]
    for key, value in args.items():
        lines += _kwarg(key, value, 16)
    return [*lines, "            ),"]


def _kwarg(key: str, value: object, indent: int) -> list[str]:
    """``key=value,`` on one line, or exploded one item a line when too long."""
    pad = " " * indent
    line = f"{pad}{key}={literal(value)},"
    if len(line) <= 88 or not isinstance(value, tuple):
        return [line]
    return [f"{pad}{key}=(", *(f"{pad}    {literal(v)}," for v in value), f"{pad}),"]


def attr_path(action: ActionDef, wire_path: str) -> tuple[str, ...]:
    """Translate a dotted wire path of the response to attribute names."""
    fields: tuple[FieldDef, ...] | list[FieldDef] = action.fields
    out: list[str] = []
    for part in wire_path.split("."):
        match = next((f for f in fields if f.wire == part), None)
        if match is None:
            raise SpecError(f"{action.name}: no response field {wire_path!r}")
        out.append(match.attr)
        fields = match.children
    return tuple(out)


def _param_attr(action: ActionDef, wire: str) -> str:
    match = next((p for p in action.params if p.name == wire), None)
    if match is None:
        raise SpecError(f"{action.name}: no parameter {wire!r}")
    return match.attr


def _paginator(action: ActionDef, raw: dict[str, Any]) -> list[str]:
    args: dict[str, Any] = {
        "action": action.name,
        "style": raw["style"],
        "items": attr_path(action, raw["items"]),
    }
    if raw["style"] == "page_number":
        args["page_param"] = _param_attr(action, raw["page_param"])
        args["size_param"] = _param_attr(action, raw["size_param"])
        args["first_page"] = raw["first_page"]
        args["total"] = attr_path(action, raw["total"])
    else:
        args["marker_param"] = _param_attr(action, raw["marker_param"])
        args["next_marker"] = attr_path(action, raw["next_marker"])
    lines = [f"    {literal(action.name)}: PaginatorSpec("]
    lines += [f"        {k}={literal(v)}," for k, v in args.items()]
    return [*lines, "    ),"]


def _waiter(spec: Spec, name: str, raw: dict[str, Any]) -> list[str]:
    action = spec.action(raw["action"])
    select = raw.get("select")
    base = action.fields
    lines = [
        f"    {literal(name)}: WaiterSpec(",
        f"        name={literal(name)},",
        f"        action={literal(action.name)},",
        f"        delay={raw['delay']!r},",
        f"        max_delay={raw['max_delay']!r},",
        f"        max_attempts={raw['max_attempts']!r},",
    ]
    if select:
        items = attr_path(action, select["items"])
        item = _field_at(action, select["items"])
        base = tuple(item.children)
        lines.append(f"        select_items={literal(items)},")
        lines.append(f"        select_key={literal(snake(select['key']))},")
    if raw.get("fixed"):
        fixed = {_param_attr(action, k): v for k, v in raw["fixed"].items()}
        pairs = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in fixed.items())
        lines.append(f"        fixed={{{pairs}}},")
    lines.append("        acceptors=(")
    probe = ActionDef(**{**action.__dict__, "fields": tuple(base)})
    for acceptor in raw["acceptors"]:
        lines += [
            "            Acceptor(",
            f"                path={literal(attr_path(probe, acceptor['path']))},",
            f"                expected={literal(acceptor['expected'])},",
            f"                state={literal(acceptor['state'])},",
            "            ),",
        ]
    return [*lines, "        ),", "    ),"]


def _field_at(action: ActionDef, wire_path: str) -> FieldDef:
    fields: tuple[FieldDef, ...] | list[FieldDef] = action.fields
    match: FieldDef | None = None
    for part in wire_path.split("."):
        match = next((f for f in fields if f.wire == part), None)
        if match is None:
            raise SpecError(f"{action.name}: no response field {wire_path!r}")
        fields = match.children
    assert match is not None  # noqa: S101 - a path has at least one part
    return match

"""Render ``aiompsls/models/<group>.py`` and ``aiompsls/models/__init__.py``."""

from __future__ import annotations

from collections.abc import Iterator

from aiompsls._codegen.emit import HEADER, docstring, literal
from aiompsls._codegen.naming import pascal
from aiompsls._codegen.spec import ActionDef, FieldDef, ParamDef, Spec

SCALARS = {"string": "str", "integer": "int", "float": "float", "boolean": "bool"}
GROUP_DOCS = {
    "space": "service spaces",
    "function": "cloud functions",
    "db": "the cloud database",
    "file": "cloud file storage",
    "policy": "service access policies",
    "extension": "extensions",
    "openplatform": "Alipay, WeChat and DingTalk app settings",
    "cors": "CORS domains and domain ownership",
    "httptrigger": "HTTP triggers",
    "webhosting": "static web hosting",
    "usage": "resource usage and quotas",
}


def groups(spec: Spec) -> list[str]:
    """The API groups in spec order."""
    return list(dict.fromkeys(action.group for action in spec.actions))


def render_group(spec: Spec, group: str) -> str:
    """The models module of one API group."""
    actions = [a for a in spec.actions if a.group == group]
    lines = [
        HEADER.rstrip("\n"),
        f'"""Request and response models for {GROUP_DOCS[group]}."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import ClassVar",
        "",
        "import attrs",
        "",
        _base_import(actions),
        "",
        "__all__ = [",
        *(f"    {literal(n)}," for n in sorted(_exported(actions))),
        "]",
    ]
    for action in actions:
        for block in _action_classes(action):
            lines += ["", "", *block]
    return "\n".join(lines) + "\n"


def _base_import(actions: list[ActionDef]) -> str:
    has_shapes = any(f.shape for a in actions for f in _walk(a.fields))
    names = "Request, Response, Shape" if has_shapes else "Request, Response"
    return f"from aiompsls.models._base import {names}"


def _exported(actions: list[ActionDef]) -> Iterator[str]:
    for action in actions:
        yield f"{action.name}Request"
        yield f"{action.name}Response"
        for field in _walk(action.fields):
            if field.shape:
                yield field.shape


def _walk(fields: tuple[FieldDef, ...] | list[FieldDef]) -> Iterator[FieldDef]:
    for field in fields:
        yield from _walk(field.children)
        yield field


def assign_shapes(action: ActionDef) -> None:
    """Name every struct and list-of-struct field's class, unique within the action."""
    taken: set[str] = set()
    for field, path in _paths(action.fields, ""):
        if not field.children:
            continue
        name = f"{action.name}{field.wire}"
        if name in taken:
            name = action.name + path.replace(".", "")
        taken.add(name)
        field.shape = name


def _paths(
    fields: tuple[FieldDef, ...] | list[FieldDef], prefix: str
) -> Iterator[tuple[FieldDef, str]]:
    for field in fields:
        path = f"{prefix}{field.wire}"
        yield field, path
        yield from _paths(field.children, path + ".")


def _action_classes(action: ActionDef) -> Iterator[list[str]]:
    for field in _walk(action.fields):
        if field.shape:
            title = f"Part of the ``{action.name}`` response: ``{field.wire}``."
            yield _shape_class(
                field.shape, "Shape", [title, "", field.doc], field.children
            )
    yield _response_class(action)
    yield _request_class(action)


def _shape_class(
    name: str, base: str, docs: list[str], fields: list[FieldDef]
) -> list[str]:
    lines = ["@attrs.frozen(kw_only=True)", *_class_line(name, base)]
    lines += docstring([*docs, "", "Attributes:", *_attr_docs(fields)], 4)
    lines.append("")
    for field in fields:
        lines += _field_lines(field)
    return lines


def _class_line(name: str, base: str) -> list[str]:
    line = f"class {name}({base}):"
    if len(line) <= 88:
        return [line]
    return [f"class {name}(", f"    {base}", "):"]


def _attr_docs(fields: list[FieldDef]) -> list[str]:
    return [f"    {f.attr}: {f.doc}" for f in fields]


def _response_class(action: ActionDef) -> list[str]:
    fields = list(action.fields)
    docs = [f"The response of ``{action.name}``."]
    return _shape_class(f"{action.name}Response", "Response", docs, fields)


def _field_lines(field: FieldDef) -> list[str]:
    is_request_id = field.attr == "request_id" and not field.children
    if field.type in SCALARS and (field.required or is_request_id):
        annotation, default = SCALARS[field.type], None
    elif field.type == "list":
        member = field.shape or SCALARS[field.member or "string"]
        annotation, default = f"tuple[{member}, ...]", "()"
    elif field.type == "struct":
        annotation, default = f"{field.shape} | None", "None"
    else:
        annotation, default = f"{SCALARS[field.type]} | None", "None"
    metadata = _metadata(field.wire, field.attr, field.aliases)
    if metadata is None:
        suffix = "" if default is None else f" = {default}"
        return [f"    {field.attr}: {annotation}{suffix}"]
    head = f"    {field.attr}: {annotation} = attrs.field("
    body = [f"        metadata={metadata},", "    )"]
    if default is not None:
        body.insert(0, f"        default={default},")
    return [head, *body]


def _metadata(wire: str, attr: str, aliases: tuple[str, ...]) -> str | None:
    items = []
    if pascal(attr) != wire:
        items.append(f'"wire": {literal(wire)}')
    if aliases:
        items.append(f'"aliases": {literal(aliases)}')
    return "{" + ", ".join(items) + "}" if items else None


def _request_class(action: ActionDef) -> list[str]:
    name = action.name
    lines = [
        "@attrs.frozen(kw_only=True)",
        *_class_line(f"{name}Request", f"Request[{name}Response]"),
    ]
    docs = [f"The parameters of ``{name}``.", "", action.summary]
    if action.params:
        docs += [
            "",
            "Attributes:",
            *(f"    {p.attr}: {param_doc(p)}" for p in action.params),
        ]
    lines += docstring(docs, 4)
    lines += [
        "",
        f"    ACTION: ClassVar[str] = {literal(name)}",
        f"    RESPONSE: ClassVar[type[Response]] = {name}Response",
    ]
    if action.params:
        lines.append("")
    for param in ordered(action.params):
        lines += _param_lines(param)
    return lines


def ordered(params: tuple[ParamDef, ...]) -> list[ParamDef]:
    """Required parameters first, each group in document order."""
    return [p for p in params if p.required] + [p for p in params if not p.required]


def param_doc(param: ParamDef) -> str:
    """The documentation of a parameter, with its allowed values."""
    text = param.doc
    if param.enum:
        text += " One of: " + ", ".join(param.enum) + "."
    return text


def param_annotation(param: ParamDef) -> str:
    """The Python type of a parameter, ``| None`` when it is optional."""
    base = "list[str]" if param.type == "list" else SCALARS[param.type]
    return base if param.required else f"{base} | None"


def _param_lines(param: ParamDef) -> list[str]:
    annotation = param_annotation(param)
    metadata = _metadata(param.name, param.attr, ())
    default = "" if param.required else "None"
    if metadata is None:
        suffix = f" = {default}" if default else ""
        return [f"    {param.attr}: {annotation}{suffix}"]
    body = [f"        metadata={metadata},", "    )"]
    if default:
        body.insert(0, f"        default={default},")
    return [f"    {param.attr}: {annotation} = attrs.field(", *body]


def render_init(spec: Spec) -> str:
    """``aiompsls/models/__init__.py``: re-export every model."""
    lines = [
        HEADER.rstrip("\n"),
        '"""Typed request and response models of every action (generated)."""',
        "",
        "from __future__ import annotations",
        "",
        "from aiompsls.models._base import Request, Response, Shape",
    ]
    names = ["Request", "Response", "Shape"]
    for group in sorted(groups(spec)):
        exported = sorted(_exported([a for a in spec.actions if a.group == group]))
        names += exported
        lines.append(f"from aiompsls.models.{group} import (")
        lines += [f"    {n}," for n in exported]
        lines.append(")")
    lines += ["", "__all__ = [", *(f"    {literal(n)}," for n in sorted(names)), "]"]
    return "\n".join(lines) + "\n"

"""Help text generated from the operation table: the action list and per-action help.

Imports: stdlib and the schema of ``aiompsls._core.operations``. The prose comes from
the generated request models' docstrings, so no action has hand-written CLI text.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Iterable

from aiompsls._core.schema import Operation, Param

__all__ = ["param_docs", "render_action_help", "render_action_list", "summary"]

_ATTRIBUTE = re.compile(r"^    (?P<attr>\w+): (?P<text>.*)$")
_CONTINUATION = "        "
_WIDTH = 88


def _docstring(operation: Operation) -> str:
    return inspect.cleandoc(operation.request.__doc__ or "")


def summary(operation: Operation) -> str:
    """The one-line description of an action, e.g. ``Call ListSpace to query ...``."""
    for paragraph in _docstring(operation).split("\n\n"):
        text = " ".join(paragraph.split())
        if text and not text.startswith(("The parameters of", "Attributes:")):
            return text
    return operation.name


def param_docs(operation: Operation) -> dict[str, str]:
    """Each parameter's description from the request's ``Attributes:`` section.

    Returns:
        Attribute name (``space_id``) to its text, with wrapped lines joined.
    """
    docs: dict[str, str] = {}
    _, _, section = _docstring(operation).partition("Attributes:\n")
    current: str | None = None
    for line in section.splitlines():
        match = _ATTRIBUTE.match(line)
        if match:
            current = match["attr"]
            docs[current] = match["text"].strip()
        elif current is not None and line.startswith(_CONTINUATION):
            docs[current] += " " + line.strip()
        else:
            current = None
    return docs


def render_action_list(operations: Iterable[Operation]) -> str:
    """One line per action, grouped: ``<Action>  <group>  <summary>``."""
    ordered = sorted(operations, key=lambda op: (op.group, op.name))
    name_width = max((len(op.name) for op in ordered), default=0)
    group_width = max((len(op.group) for op in ordered), default=0)
    lines = [
        f"{op.name:<{name_width}}  {op.group:<{group_width}}  {summary(op)}".rstrip()
        for op in ordered
    ]
    return "\n".join(lines) + "\n"


def _flags(operation: Operation) -> str:
    flags = [operation.group, operation.method_name]
    flags.append("read-only" if operation.readonly else "writes")
    if operation.idempotent:
        flags.append("idempotent")
    return ", ".join(flags)


def _constraints(param: Param) -> list[str]:
    facts = ["required" if param.required else "optional"]
    if param.enum:
        facts.append("one of " + ", ".join(param.enum))
    named = (
        ("default", param.default),
        ("minimum", param.minimum),
        ("maximum", param.maximum),
        ("multiple of", param.multiple_of),
        ("max length", param.max_length),
        ("max items", param.max_items),
        ("pattern", param.pattern),
    )
    facts.extend(f"{label} {value}" for label, value in named if value is not None)
    if param.is_json:
        facts.append("JSON text")
    return facts


def _param_block(param: Param, doc: str | None) -> list[str]:
    kind = "list (repeat NAME=VALUE or NAME.N=VALUE)" if param.type == "list" else ""
    head = f"  {param.name} ({kind or param.type}; {'; '.join(_constraints(param))})"
    lines = [head]
    if doc:
        lines.extend(
            textwrap.wrap(
                doc,
                width=_WIDTH,
                initial_indent="      ",
                subsequent_indent="      ",
            )
        )
    return lines


def render_action_help(operation: Operation, *, prog: str) -> str:
    """The ``aiompsls call <Action> --help`` text: usage, summary and parameters."""
    usage = (
        f"usage: {prog} {operation.name} [--param NAME=VALUE ...]"
        " [--input JSON|@FILE|-] [--json]"
    )
    lines = [usage, "", f"{operation.name} ({_flags(operation)})"]
    lines.extend(
        textwrap.wrap(
            summary(operation),
            width=_WIDTH,
            initial_indent="  ",
            subsequent_indent="  ",
        )
    )
    lines.append("")
    docs = param_docs(operation)
    if not operation.params:
        lines.append("parameters: none")
    else:
        lines.append("parameters (wire names, for --param and --input):")
        for param in operation.params:
            lines.extend(_param_block(param, docs.get(param.attr)))
    return "\n".join(lines) + "\n"

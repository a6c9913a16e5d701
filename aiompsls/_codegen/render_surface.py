"""Render the client surface: ``_actions.py``, ``paginators.py`` and ``waiters.py``."""

from __future__ import annotations

from typing import Any

from aiompsls._codegen.emit import HEADER, docstring, literal
from aiompsls._codegen.naming import snake
from aiompsls._codegen.render_models import ordered, param_annotation, param_doc
from aiompsls._codegen.render_tables import _field_at
from aiompsls._codegen.spec import ActionDef, ParamDef, Spec


def render_actions(spec: Spec) -> str:
    """The ``Actions`` mixin: one keyword-only async method per action."""
    lines = [
        HEADER.rstrip("\n"),
        '"""One keyword-only async method per action of the API (generated)."""',
        "",
        "from __future__ import annotations",
        "",
        "import aiompsls.models as m",
        "from aiompsls.models._base import Request, ResponseT",
        "",
        "",
        "class Actions:",
        '    """The typed methods of :class:`aiompsls.Client`, one per action."""',
        "",
        "    __slots__ = ()",
        "",
        "    async def invoke(self, request: Request[ResponseT]) -> ResponseT:",
        '        """Send one request and return its decoded response."""',
        "        raise NotImplementedError",
    ]
    for action in spec.actions:
        lines += ["", *_method(action)]
    return "\n".join(lines) + "\n"


def _signature(
    head: str, leading: list[str], params: list[ParamDef], indent: str
) -> list[str]:
    lines = [f"{indent}{head}("]
    lines += [f"{indent}    {item}," for item in leading]
    for param in params:
        default = "" if param.required else " = None"
        annotation = param_annotation(param)
        line = f"{indent}    {param.attr}: {annotation}{default},"
        if param.attr == "timeout":
            # The cloud function's own setting, not a deadline for this call.
            line += "  # noqa: ASYNC109"
        lines.append(line)
    return lines


def _args_doc(params: list[ParamDef], *, client: bool = False) -> list[str]:
    docs = [f"    {p.attr}: {param_doc(p)}" for p in params]
    if client:
        docs.insert(0, "    client: The client that sends the requests.")
    return ["", "Args:", *docs] if docs else []


def _construct(
    action: ActionDef, params: list[ParamDef], extra: dict[str, Any]
) -> list[str]:
    if not params and not extra:
        return [f"m.{action.name}Request()"]
    lines = [f"m.{action.name}Request("]
    lines += [f"    {p.attr}={p.attr}," for p in params]
    lines += [f"    {k}={literal(v)}," for k, v in extra.items()]
    return [*lines, ")"]


def _method(action: ActionDef) -> list[str]:
    params = ordered(action.params)
    name = f"async def {action.method}"
    response = f"m.{action.name}Response"
    if params:
        lines = _signature(name, ["self", "*"], params, "    ")
        lines.append(f"    ) -> {response}:")
    else:
        lines = [f"    {name}(self) -> {response}:"]
    docs = [f"Call ``{action.name}``.", "", action.summary, *_args_doc(params)]
    lines += docstring(docs, 8)
    body = _construct(action, params, {})
    if len(body) == 1:
        return [*lines, f"        return await self.invoke({body[0]})"]
    return [
        *lines,
        "        return await self.invoke(",
        *(f"            {line}" for line in body),
        "        )",
    ]


def render_paginators(spec: Spec) -> str:
    """One async-iterator function per paged List action."""
    names = sorted([snake(n) for n in spec.paginators] + ["pages"])
    lines = [
        HEADER.rstrip("\n"),
        '"""Paginators: iterate over the items of every page of a List action."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import AsyncIterator",
        "",
        "import aiompsls._poll as _poll",
        "import aiompsls.models as m",
        "from aiompsls._core.operations import PAGINATORS",
        "from aiompsls._poll import pages",
        "from aiompsls.client import Client",
        "",
        "__all__ = [",
        *(f"    {literal(n)}," for n in names),
        "]",
    ]
    for name, raw in spec.paginators.items():
        lines += ["", "", *_paginator(spec.action(name), raw)]
    return "\n".join(lines) + "\n"


def _paginator(action: ActionDef, raw: dict[str, Any]) -> list[str]:
    skip = {raw.get("page_param"), raw.get("marker_param")}
    params = [p for p in ordered(action.params) if p.name not in skip]
    item = _field_at(action, raw["items"]).shape
    head = f"def {action.method}"
    lines = _signature(head, ["client: Client", "/", "*"], params, "")
    lines.append(f") -> AsyncIterator[m.{item}]:")
    docs = [
        f"Iterate over the items of every page of ``{action.name}``.",
        "",
        "Pages are fetched lazily, one request at a time, as the iteration goes on.",
        *_args_doc(params, client=True),
    ]
    lines += docstring(docs, 4)
    body = _construct(action, params, {})
    lines.append(f"    request = {body[0]}")
    lines += [f"    {line}" for line in body[1:]]
    return [
        *lines,
        "    return _poll.items(",
        "        client,",
        "        request,",
        f"        PAGINATORS[{literal(action.name)}],",
        f"        m.{item},",
        "    )",
    ]


def render_waiters(spec: Spec) -> str:
    """One ``wait_<condition>`` coroutine per waiter of the spec."""
    names = sorted([f"wait_{n}" for n in spec.waiters] + ["WaitPolicy"])
    lines = [
        HEADER.rstrip("\n"),
        '"""Waiters: poll an action until the resource reaches a final state."""',
        "",
        "from __future__ import annotations",
        "",
        "import aiompsls._poll as _poll",
        "import aiompsls.models as m",
        "from aiompsls._core.operations import WAITERS",
        "from aiompsls._core.waiting import WaitPolicy",
        "from aiompsls.client import Client",
        "",
        "__all__ = [",
        *(f"    {literal(n)}," for n in names),
        "]",
    ]
    for name, raw in spec.waiters.items():
        lines += ["", "", *_waiter(spec, name, raw)]
    return "\n".join(lines) + "\n"


def _waiter(spec: Spec, name: str, raw: dict[str, Any]) -> list[str]:
    action = spec.action(raw["action"])
    fixed = raw.get("fixed", {})
    params = [p for p in ordered(action.params) if p.required and p.name not in fixed]
    select = raw.get("select")
    leading = ["client: Client", "/", "*"]
    lines = _signature(f"async def wait_{name}", leading, params, "")
    if select:
        lines.append(f"    {snake(select['argument'])}: str,")
    lines += ["    policy: WaitPolicy | None = None,", f") -> m.{action.name}Response:"]
    lines += docstring(_waiter_doc(action, raw, params), 4)
    extra = {snake(k): v for k, v in fixed.items()}
    body = _construct(action, params, extra)
    lines.append(f"    request = {body[0]}")
    lines += [f"    {line}" for line in body[1:]]
    call = ["        client,", f"        WAITERS[{literal(name)}],", "        request,"]
    if select:
        call.append(f"        key={snake(select['argument'])},")
    return [
        *lines,
        "    return await _poll.wait(",
        *call,
        "        policy=policy,",
        "    )",
    ]


def _waiter_doc(
    action: ActionDef, raw: dict[str, Any], params: list[ParamDef]
) -> list[str]:
    outcomes = [
        f"{a['path']} is {a['expected']} ({a['state']})" for a in raw["acceptors"]
    ]
    select = raw.get("select")
    args = _args_doc(params, client=True)
    if select:
        argument = snake(select["argument"])
        picked = f"    {argument}: The {select['key']} of the item to watch."
        args = [*args, picked]
    return [
        raw["doc"],
        "",
        f"Polls ``{action.name}`` until " + "; or ".join(outcomes) + ".",
        "Wrap the call in ``anyio.fail_after`` to bound the total time.",
        *args,
        "    policy: The polling cadence; defaults to the spec's "
        f"({raw['delay']} s doubling up to {raw['max_delay']} s, "
        f"{raw['max_attempts']} polls).",
        "",
        "Returns:",
        "    The response that matched the success condition.",
        "",
        "Raises:",
        "    WaiterError: a failure condition matched, or the polls ran out.",
    ]

"""The shapes of the generated tables: actions, parameters, paginators, waiters.

Imports: stdlib, attrs and ``aiompsls.models``. The values are generated from the spec
into ``aiompsls._core.operations``; the functions that read them live beside this
module (``params``, ``paging``, ``waiting``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from aiompsls.models._base import Request, Response

ParamType = Literal["string", "integer", "boolean", "list"]
AcceptorState = Literal["success", "failure", "retry"]


@attrs.frozen(kw_only=True)
class Param:
    """One request parameter: its wire name, attribute name, type and constraints."""

    name: str
    attr: str
    type: ParamType
    required: bool
    enum: tuple[str, ...] = ()
    default: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    multiple_of: int | None = None
    max_length: int | None = None
    max_items: int | None = None
    pattern: str | None = None
    is_json: bool = False


@attrs.frozen(kw_only=True)
class Operation:
    """One action of the API and everything the client and emulator need about it."""

    name: str
    method_name: str
    group: str
    readonly: bool
    idempotent: bool
    request: type[Request[Any]]
    response: type[Response]
    params: tuple[Param, ...]

    def param(self, name: str) -> Param | None:
        """Return the parameter with this wire name, or None."""
        return next((p for p in self.params if p.name == name), None)


@attrs.frozen(kw_only=True)
class PaginatorSpec:
    """How to walk the pages of one List action; paths are attribute names."""

    action: str
    style: Literal["page_number", "marker"]
    items: tuple[str, ...]
    page_param: str | None = None
    size_param: str | None = None
    first_page: int = 1
    total: tuple[str, ...] | None = None
    marker_param: str | None = None
    next_marker: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class Acceptor:
    """A waiter outcome: when the value at ``path`` equals ``expected``, ``state``."""

    path: tuple[str, ...]
    expected: str
    state: AcceptorState


@attrs.frozen(kw_only=True)
class WaiterSpec:
    """What a ``wait_<name>`` polls and which answers end the wait."""

    name: str
    action: str
    delay: float
    max_delay: float
    max_attempts: int
    acceptors: tuple[Acceptor, ...]
    select_items: tuple[str, ...] | None = None
    select_key: str | None = None
    fixed: Mapping[str, object] = attrs.field(factory=dict)

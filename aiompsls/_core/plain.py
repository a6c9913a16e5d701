"""The lean decoding path: documented-shape JSON straight to models, without cattrs.

Imports: stdlib, attrs, ``aiompsls.models`` (through :mod:`.fields`). The lenient
converter of :mod:`.wire` tries :func:`plain_structure_fn` first and takes its
general path for whatever this answers :data:`MISS` to.
"""

from __future__ import annotations

import enum
import functools
import linecache
import types
import typing
from collections.abc import Callable
from typing import Any, Final, TypeAlias, cast

import attrs

from aiompsls._core.fields import is_model, model_fields, wire_name

__all__ = ["MISS", "plain_structure_fn"]


class _Miss(enum.Enum):
    """The lean path's answer when data needs the general path."""

    MISS = "miss"


#: Returned by a :func:`plain_structure_fn` function for data it does not handle.
MISS: Final = _Miss.MISS
_SCALARS: Final = frozenset({str, int, float, bool})


@attrs.frozen
class _TupleOf:
    """The plain kind of ``tuple[item, ...]``."""

    item: _Kind


#: How a plain value is read: a scalar type (taken as is), a model class (read by
#: its own plain structure function) or a tuple of either.
_Kind: TypeAlias = "type | _TupleOf"


@functools.cache
def plain_structure_fn(cls: type) -> Callable[[Any], Any] | None:
    """A lean lenient structure function for model ``cls``; None if it has none.

    The function returns the model, or :data:`MISS` for data that is not plain.
    Plain data keeps to the documented shape: a dict holding only documented wire
    names, each with JSON null or exactly the documented type (``str``, ``int``,
    ``float``, ``bool``; a dict for a nested model; a list for a tuple). On such data
    the lenient converter drops the nulls and its hooks return every other value
    unchanged, so building ``cls`` straight from the values gives an equal object.
    Anything else (aliases, camelCase, numbers as strings, a lone object for a list,
    a missing required key) is MISS: the general path decodes it or raises.

    The function is Python source generated once per class and compiled, the way
    attrs writes ``__init__``; its file name is ``<aiompsls plain structure NAME>``
    and :mod:`linecache` holds its lines for tracebacks. For ``ListSpaceResponse``::

        def structure(data):
            if type(data) is not dict or not KEYS.issuperset(data):
                return MISS
            v_request_id = data.get('RequestId')
            if type(v_request_id) is not str:  # required: absent or null fails
                return MISS
            v_count = data.get('Count')
            if type(v_count) is not int and v_count is not None:
                return MISS
            v_spaces = data.get('Spaces')
            if v_spaces is not None:
                ...  # MISS unless a list; each item through structure_ListSpaceSpaces
                v_spaces = tuple(items0)
            else:
                v_spaces = default_spaces
            return cls(request_id=v_request_id, count=v_count, spaces=v_spaces, ...)
    """
    attrs.resolve_types(cast("Any", cls))
    fields = model_fields(cls)
    namespace: dict[str, Any] = {"MISS": MISS, "cls": cls}
    namespace["KEYS"] = frozenset(wire_name(a) for a in fields)
    body: list[str] = []
    for attribute in fields:
        lines = _field_lines(attribute, namespace)
        if lines is None:
            return None
        body += lines
    arguments = ", ".join(f"{a.alias or a.name}=v_{a.name}" for a in fields)
    source = [
        "def structure(data):",
        "    if type(data) is not dict or not KEYS.issuperset(data):",
        "        return MISS",
        *_indent(body),
        f"    return cls({arguments})",
    ]
    return _compile(source, f"<aiompsls plain structure {cls.__name__}>", namespace)


def _field_lines(
    attribute: attrs.Attribute[Any], namespace: dict[str, Any]
) -> list[str] | None:
    """The lines that leave the value of one field in ``v_<name>``, or return MISS.

    None when the field has no lean path. Names the lines use go into ``namespace``.
    """
    kind = _plain_kind(attribute.type)
    if kind is None or attribute.validator or attribute.converter:
        return None
    if not attribute.init or getattr(attribute.default, "takes_self", False):
        return None
    var = f"v_{attribute.name}"
    get = f"{var} = data.get({wire_name(attribute)!r})"
    if attribute.default is attrs.NOTHING:  # a null or a missing key fails the check
        return [get, *_read_lines(var, kind, namespace)]
    if attribute.default is None and kind in _SCALARS:  # one test for a value
        return [get, f"if {_wrong_type(var, kind)} and {var} is not None:", _MISS]
    read = _indent(_read_lines(var, kind, namespace))
    return [
        get,
        f"if {var} is not None:",
        *read,
        *_default_lines(attribute, var, namespace),
    ]


def _default_lines(
    attribute: attrs.Attribute[Any], var: str, namespace: dict[str, Any]
) -> list[str]:
    """The lines that put the field's default in ``var`` when it is null or absent."""
    default = attribute.default
    if default is None:  # what data.get gave
        return []
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # a class
        factory = _bind(namespace, f"factory_{attribute.name}", default.factory)
        return ["else:", f"    {var} = {factory}()"]
    return [
        "else:",
        f"    {var} = {_bind(namespace, f'default_{attribute.name}', default)}",
    ]


def _read_lines(
    var: str, kind: _Kind, namespace: dict[str, Any], depth: int = 0
) -> list[str]:
    """Lines that check the non-null value in ``var``, read it into ``var`` or MISS.

    A tuple's loop names its list ``items<depth>`` and its item ``item<depth>``.
    """
    if isinstance(kind, _TupleOf):
        items, item = f"items{depth}", f"item{depth}"
        return [
            f"if type({var}) is not list:",
            _MISS,
            f"{items} = []",
            f"for {item} in {var}:",
            *_indent(_read_lines(item, kind.item, namespace, depth + 1)),
            f"    {items}.append({item})",
            f"{var} = tuple({items})",
        ]
    if kind in _SCALARS:
        return [f"if {_wrong_type(var, kind)}:", _MISS]
    function = f"structure_{kind.__name__}"
    function = _bind(namespace, function, plain_structure_fn(kind))
    return [f"{var} = {function}({var})", f"if {var} is MISS:", _MISS]


def _bind(namespace: dict[str, Any], name: str, value: Any) -> str:
    """Put ``value`` in ``namespace`` as ``name`` (``name_`` if taken...); its name."""
    while namespace.get(name, value) is not value:
        name += "_"
    namespace[name] = value
    return name


_MISS: Final = "    return MISS"


def _wrong_type(var: str, scalar: type) -> str:
    return f"type({var}) is not {scalar.__name__}"


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _compile(
    source: list[str], filename: str, namespace: dict[str, Any]
) -> Callable[[Any], Any]:
    """Compile the generated ``structure`` function; keep its lines for tracebacks."""
    text = "\n".join(source) + "\n"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    # Source built above from the model's own field names and types, never from data.
    exec(compile(text, filename, "exec"), namespace)  # noqa: S102
    structure: Callable[[Any], Any] = namespace["structure"]
    return structure


def _plain_kind(annotation: Any) -> _Kind | None:
    """How plain values of ``annotation`` are read; None when they are not handled."""
    if typing.get_origin(annotation) in (types.UnionType, typing.Union):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) != 1:
            return None
        annotation = rest[0]  # ``T | None``: nulls are dropped before any check
    if annotation in _SCALARS:
        return cast("type", annotation)
    if is_model(annotation):
        return None if plain_structure_fn(annotation) is None else annotation
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is tuple and len(args) == 2 and args[1] is ...:
        item = _plain_kind(args[0])
        return None if item is None else _TupleOf(item)
    return None

"""The wire converter: models <-> JSON-shaped dicts with the API's PascalCase names.

Imports: stdlib, attrs, cattrs, ``aiompsls.models``. attrs describes the shapes; this
module owns the wire. ``make_converter()`` is the lenient converter the client uses: it
absorbs the quirks the API reference documents (``spec/README.md``): numbers sent as
strings and back, ``"true"`` strings, camelCase keys (``taskId``), ``Etag``/``ETag``, a
single object where a list is documented, unknown extra keys.
``make_converter(strict=True)`` is what the emulator and the tests use: exact types,
known keys only. Responses that keep to the documented shape, the usual case, take a
lean path (:mod:`.plain`) that builds the models without cattrs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from aiompsls._core.fields import is_model, model_fields, wire_name
from aiompsls._core.plain import MISS, plain_structure_fn

T = TypeVar("T")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def make_converter(
    *, strict: bool = False, detailed: bool = True, lean: bool = True
) -> cattrs.Converter:
    """Build a converter for every generated model.

    ``detailed=False`` trades cattrs' per-field error paths for speed: the client
    decodes with it and explains a failure with a detailed converter afterwards.
    A lenient converter reads plain data on a lean path first
    (:func:`plain_structure_fn`); ``lean=False`` leaves that path out, so that tests
    can check that both paths give the same result.
    """
    converter = cattrs.Converter(forbid_extra_keys=strict, detailed_validation=detailed)
    scalars = _STRICT if strict else _LENIENT
    for kind, hook in scalars.items():
        converter.register_structure_hook(kind, hook)
        # ``T | None`` straight to the scalar hook, skipping cattrs' generic union path.
        converter.register_structure_hook(kind | None, _optional(hook))
    converter.register_structure_hook_factory(
        is_model, lambda cls: _structure_fn(converter, cls, strict=strict, lean=lean)
    )
    converter.register_unstructure_hook_factory(
        is_model, lambda cls: _unstructure_fn(converter, cls)
    )
    return converter


def _optional(hook: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def structure(value: Any, kind: Any) -> Any:
        return None if value is None else hook(value, kind)

    def lenient_str(value: Any, kind: Any) -> Any:
        # The hot path of every response: a string field that holds a string.
        if type(value) is str or value is None:
            return value
        return hook(value, kind)

    return lenient_str if hook is _lenient_str else structure


def _structure_fn(
    converter: cattrs.Converter, cls: type[T], *, strict: bool, lean: bool
) -> Callable[[Any, Any], T]:
    attrs.resolve_types(cast("Any", cls))
    fields = model_fields(cls)
    renames: dict[str, Any] = {a.name: override(rename=wire_name(a)) for a in fields}
    inner = make_dict_structure_fn(cls, converter, **renames)
    keys = _key_table(fields, strict=strict)
    lists = {wire_name(a) for a in fields if _is_tuple(a.type)}
    exact = frozenset(wire_name(a) for a in fields)
    plain = plain_structure_fn(cast("type", cls)) if lean and not strict else None

    def structure(data: Any, _: Any) -> T:
        if not isinstance(data, Mapping):
            raise TypeError(f"expected a JSON object for {cls.__name__}, got {data!r}")
        if _is_plain(data, exact, lists):  # the common case: the documented keys
            return inner(data, cls)
        return inner(_normalise(data, keys, lists, strict=strict), cls)

    if plain is None:
        return structure

    def lenient(data: Any, _: Any) -> T:
        # The lean path first; what it does not handle takes the general path,
        # which decodes it or raises (see plain_structure_fn).
        result: T = plain(data)  # or MISS
        return structure(data, _) if result is MISS else result

    return lenient


def _key_table(
    fields: tuple[attrs.Attribute[Any], ...], *, strict: bool
) -> dict[str, str]:
    """Map every accepted spelling of a key to its canonical wire name."""
    table: dict[str, str] = {}
    for attribute in fields:
        wire = wire_name(attribute)
        for key in (wire, *attribute.metadata.get("aliases", ())):
            table[key if strict else key.lower()] = wire
    return table


def _is_plain(data: Mapping[str, Any], exact: frozenset[str], lists: set[str]) -> bool:
    """True when ``data`` needs no renaming: known keys, no nulls, lists are lists."""
    if not exact.issuperset(data) or None in data.values():
        return False
    return not any(isinstance(data.get(name), Mapping) for name in lists)


def _normalise(
    data: Mapping[str, Any], keys: dict[str, str], lists: set[str], *, strict: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        wire = keys.get(key if strict else key.lower(), key)
        if strict:
            out[wire] = value
        elif value is not None and wire not in out:
            is_lone = wire in lists and isinstance(value, Mapping)
            out[wire] = [value] if is_lone else value
    return out


def _is_tuple(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is tuple


def _unstructure_fn(
    converter: cattrs.Converter, cls: type[T]
) -> Callable[[T], dict[str, Any]]:
    attrs.resolve_types(cast("Any", cls))
    overrides: dict[str, Any] = {
        a.name: override(rename=wire_name(a), omit_if_default=a.default is None)
        for a in model_fields(cls)
    }
    return make_dict_unstructure_fn(cls, converter, **overrides)


def _strict_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _strict_int(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _strict_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _strict_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {value!r}")
    return value


def _lenient_str(value: Any, _: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError(f"expected a string, got {value!r}")


def _lenient_int(value: Any, _: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value.strip())
    raise TypeError(f"expected an integer, got {value!r}")


def _lenient_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _lenient_bool(value: Any, _: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise TypeError(f"expected a boolean, got {value!r}")


_STRICT: dict[type, Callable[[Any, Any], Any]] = {
    str: _strict_str,
    int: _strict_int,
    float: _strict_float,
    bool: _strict_bool,
}
_LENIENT: dict[type, Callable[[Any, Any], Any]] = {
    str: _lenient_str,
    int: _lenient_int,
    float: _lenient_float,
    bool: _lenient_bool,
}

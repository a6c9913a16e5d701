"""JSON values the MongoDB way: type order, comparison, equality and field paths.

The BSON comparison order restricted to JSON types (MongoDB manual, "Comparison/Sort
Order"): null < numbers < strings < objects < arrays < booleans. A missing field
compares as null. Numbers compare by value whatever their type (``1 == 1.0``);
booleans are not numbers. Objects compare pair by pair in field order (type of the
value, then the name, then the value), so ``{"a":1,"b":2}`` differs from
``{"b":2,"a":1}``; arrays compare element by element.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any, Final

Document = dict[str, Any]


class _Missing:
    """The value of a path that leads nowhere (distinct from ``null``)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

NULL_RANK = 1
NUMBER_RANK = 2
STRING_RANK = 3
OBJECT_RANK = 4
ARRAY_RANK = 5
BOOL_RANK = 8


def is_number(value: object) -> bool:
    """Whether ``value`` is a JSON number (``bool`` is not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def type_rank(value: object) -> int:
    """The value's place in the BSON type order (missing counts as null)."""
    if value is None or value is MISSING:
        return NULL_RANK
    if isinstance(value, bool):
        return BOOL_RANK
    if isinstance(value, int | float):
        return NUMBER_RANK
    if isinstance(value, str):
        return STRING_RANK
    if isinstance(value, dict):
        return OBJECT_RANK
    if isinstance(value, list):
        return ARRAY_RANK
    raise TypeError(f"not a JSON value: {value!r}")


def _sign(number: float) -> int:
    return (number > 0) - (number < 0)


def compare(left: object, right: object) -> int:
    """-1, 0 or 1 as ``left`` sorts before, with or after ``right``."""
    rank = type_rank(left)
    other = type_rank(right)
    if rank != other:
        return _sign(rank - other)
    if rank == OBJECT_RANK:
        return _compare_objects(left, right)  # type: ignore[arg-type]
    if rank == ARRAY_RANK:
        return _compare_arrays(left, right)  # type: ignore[arg-type]
    if rank == NULL_RANK:
        return 0
    bigger: bool = left > right  # type: ignore[operator]
    smaller: bool = left < right  # type: ignore[operator]
    return bigger - smaller


def _compare_objects(left: Document, right: Document) -> int:
    for (lkey, lval), (rkey, rval) in zip(left.items(), right.items(), strict=False):
        step = (
            _sign(type_rank(lval) - type_rank(rval))
            or (lkey > rkey) - (lkey < rkey)
            or compare(lval, rval)
        )
        if step:
            return step
    return _sign(len(left) - len(right))


def _compare_arrays(left: list[Any], right: list[Any]) -> int:
    for lval, rval in zip(left, right, strict=False):
        step = compare(lval, rval)
        if step:
            return step
    return _sign(len(left) - len(right))


def equal(left: object, right: object) -> bool:
    """MongoDB equality: same type bracket and same value (field order matters)."""
    return compare(left, right) == 0


def contains(values: Iterable[object], value: object) -> bool:
    """Whether ``value`` equals one of ``values``."""
    return any(equal(item, value) for item in values)


def resolve(value: object, parts: Sequence[str]) -> list[object]:
    """The candidates a query path selects (MongoDB "dot notation").

    Walking into an array of documents applies the rest of the path to every
    document in it; a numeric part indexes the array. A branch that leads nowhere
    contributes ``MISSING``.
    """
    if not parts:
        return [value]
    head, rest = parts[0], parts[1:]
    if isinstance(value, dict):
        return resolve(value[head], rest) if head in value else [MISSING]
    if isinstance(value, list):
        if head.isdigit():
            index = int(head)
            return resolve(value[index], rest) if index < len(value) else [MISSING]
        found: list[object] = []
        for item in value:
            if isinstance(item, dict):
                found.extend(resolve(item, parts))
        return found or [MISSING]
    return [MISSING]


def expand(candidates: Iterable[object]) -> list[object]:
    """The candidates plus the elements of those that are arrays (one level)."""
    out: list[object] = []
    for candidate in candidates:
        out.append(candidate)
        if isinstance(candidate, list):
            out.extend(candidate)
    return out


def dumps(value: object) -> str:
    """Compact JSON text, the way documents are stored and Results are written."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _normal(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return value


def canonical(value: object) -> str:
    """A text key equal for values MongoDB treats as equal (``1`` and ``1.0``)."""
    return dumps(_normal(value))


def refuse_constant(name: str) -> object:
    """``json`` hook: ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON."""
    raise ValueError(f"{name} is not valid JSON")


def finite_float(text: str) -> float:
    """``json`` hook: a number, refused when it does not fit a double (``1e400``)."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is too large")
    return number


def loads(text: str | bytes) -> Any:
    """Parse JSON text, refusing ``NaN``, ``Infinity`` and numbers beyond a double.

    Raises:
        ValueError: The text is not such JSON, or nests too deeply to parse.
    """
    try:
        return json.loads(
            text, parse_constant=refuse_constant, parse_float=finite_float
        )
    except RecursionError:
        raise ValueError("the JSON nests too deeply") from None

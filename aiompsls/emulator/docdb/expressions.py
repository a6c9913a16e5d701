"""Aggregation expressions: field paths, literals and a small set of operators.

An expression (MongoDB manual, "Aggregation Expressions") is ``"$field.path"``,
``"$$ROOT"``/``"$$CURRENT"`` (with an optional path), an object or array of
expressions, a literal, or an operator object: ``$literal $add $subtract $multiply
$divide $concat $toLower $toUpper $size $ifNull $cond $eq $ne $gt $gte $lt $lte $and
$or $not``. A field path through an array of documents yields the array of the
values found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aiompsls.emulator.docdb.errors import InvalidCommandError, UnsupportedOperatorError
from aiompsls.emulator.docdb.values import MISSING, Document, compare, is_number

Expression = Callable[[Document], Any]


def field_value(value: object, parts: Sequence[str]) -> Any:
    """The value of a field path, aggregation style (arrays map over documents)."""
    if not parts:
        return value
    if isinstance(value, dict):
        return field_value(value[parts[0]], parts[1:]) if parts[0] in value else MISSING
    if isinstance(value, list):
        found = (field_value(item, parts) for item in value if isinstance(item, dict))
        return [item for item in found if item is not MISSING]
    return MISSING


def compile_expression(spec: object) -> Expression:
    """The evaluator of an expression; it may answer MISSING for absent fields."""
    if isinstance(spec, str) and spec.startswith("$$"):
        variable, *path = spec[2:].split(".")
        if variable not in ("ROOT", "CURRENT"):
            raise UnsupportedOperatorError(spec, "variable")
        return lambda doc: field_value(doc, path)
    if isinstance(spec, str) and spec.startswith("$"):
        parts = spec[1:].split(".")
        return lambda doc: field_value(doc, parts)
    if isinstance(spec, dict):
        return _compile_object(spec)
    if isinstance(spec, list):
        items = [compile_expression(item) for item in spec]
        return lambda doc: [_null(item(doc)) for item in items]
    return lambda doc: spec


def _null(value: object) -> object:
    return None if value is MISSING else value


def _compile_object(spec: dict[str, Any]) -> Expression:
    operators = [key for key in spec if key.startswith("$")]
    if operators and len(spec) != 1:
        raise InvalidCommandError(
            f"an expression object holds one operator, got {spec}"
        )
    if operators:
        ((op, arg),) = spec.items()
        return _operator(op, arg)
    fields = {key: compile_expression(item) for key, item in spec.items()}
    return lambda doc: {
        key: value
        for key, value in ((key, field(doc)) for key, field in fields.items())
        if value is not MISSING
    }


def _operator(op: str, arg: object) -> Expression:
    if op == "$literal":
        return lambda doc: arg
    if op == "$cond" and isinstance(arg, dict):
        arg = [arg.get("if"), arg.get("then"), arg.get("else")]
    function = _FUNCTIONS.get(op)
    if function is None:
        raise UnsupportedOperatorError(op, "expression operator")
    args = [
        compile_expression(item) for item in (arg if isinstance(arg, list) else [arg])
    ]
    return lambda doc: function(op, [item(doc) for item in args])


def _numbers(op: str, values: list[Any]) -> list[Any] | None:
    if any(value is None or value is MISSING for value in values):
        return None
    if not all(is_number(value) for value in values):
        raise InvalidCommandError(f"{op} only supports numeric types")
    return values


def _add(op: str, values: list[Any]) -> Any:
    numbers = _numbers(op, values)
    return None if numbers is None else sum(numbers)


def _multiply(op: str, values: list[Any]) -> Any:
    numbers = _numbers(op, values)
    if numbers is None:
        return None
    product = 1
    for number in numbers:
        product *= number
    return product


def _binary(op: str, values: list[Any]) -> Any:
    numbers = _numbers(op, _two(op, values))
    if numbers is None:
        return None
    left, right = numbers
    if op == "$subtract":
        return left - right
    if right == 0:
        raise InvalidCommandError("$divide by zero")
    return left / right


def _two(op: str, values: list[Any]) -> list[Any]:
    if len(values) != 2:
        raise InvalidCommandError(f"{op} takes exactly two arguments")
    return values


def _one(op: str, values: list[Any]) -> Any:
    if len(values) != 1:
        raise InvalidCommandError(f"{op} takes exactly one argument")
    return values[0]


def _concat(op: str, values: list[Any]) -> Any:
    if any(value is None or value is MISSING for value in values):
        return None
    if not all(isinstance(value, str) for value in values):
        raise InvalidCommandError("$concat only supports strings")
    return "".join(values)


def _case(op: str, values: list[Any]) -> Any:
    value = _one(op, values)
    if value is None or value is MISSING:
        return ""
    text = value if isinstance(value, str) else str(value)
    return text.lower() if op == "$toLower" else text.upper()


def _size(op: str, values: list[Any]) -> Any:
    value = _one(op, values)
    if not isinstance(value, list):
        raise InvalidCommandError("$size needs an array")
    return len(value)


def _if_null(op: str, values: list[Any]) -> Any:
    first, fallback = _two(op, values)
    return fallback if first is None or first is MISSING else first


def truthy(value: object) -> bool:
    """Aggregation truth: false, null, missing and 0 are false; all else is true."""
    return value not in (False, None, 0) and value is not MISSING


def _cond(op: str, values: list[Any]) -> Any:
    if len(values) != 3:
        raise InvalidCommandError("$cond takes if, then and else")
    test, then, otherwise = values
    return then if truthy(test) else otherwise


_ORDERS: dict[str, Callable[[int], bool]] = {
    "$eq": lambda order: order == 0,
    "$ne": lambda order: order != 0,
    "$gt": lambda order: order > 0,
    "$gte": lambda order: order >= 0,
    "$lt": lambda order: order < 0,
    "$lte": lambda order: order <= 0,
}


def _compare(op: str, values: list[Any]) -> Any:
    left, right = (_null(value) for value in _two(op, values))
    return _ORDERS[op](compare(left, right))


def _logic(op: str, values: list[Any]) -> Any:
    if op == "$and":
        return all(truthy(value) for value in values)
    if op == "$or":
        return any(truthy(value) for value in values)
    return not truthy(_one(op, values))


_FUNCTIONS: dict[str, Callable[[str, list[Any]], Any]] = {
    "$add": _add,
    "$multiply": _multiply,
    "$subtract": _binary,
    "$divide": _binary,
    "$concat": _concat,
    "$toLower": _case,
    "$toUpper": _case,
    "$size": _size,
    "$ifNull": _if_null,
    "$cond": _cond,
    **dict.fromkeys(_ORDERS, _compare),
    "$and": _logic,
    "$or": _logic,
    "$not": _logic,
}

"""Query filters: compile a MongoDB filter document into a predicate over documents.

Supported (MongoDB manual, "Query and Projection Operators"): implicit equality
(with array membership and ``null`` matching a missing field), ``$eq $ne $gt $gte
$lt $lte $in $nin $exists $regex``/``$options`` (flags ``i m s x``, and ``u``
accepted as a no-op), ``$not $all $size $elemMatch``, and the logical ``$and $or
$nor``. Comparisons use type bracketing: ``{"$gt": 1}`` only matches numbers.
Anything else raises :class:`UnsupportedOperatorError` naming the operator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from aiompsls.emulator.docdb.errors import InvalidCommandError, UnsupportedOperatorError
from aiompsls.emulator.docdb.values import (
    MISSING,
    Document,
    compare,
    contains,
    expand,
    resolve,
    type_rank,
)

Predicate = Callable[[Document], bool]
FieldTest = Callable[[list[object]], bool]

_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_SLASHED = re.compile(r"/(?P<pattern>.*)/(?P<flags>[a-z]*)", re.DOTALL)


def compile_filter(spec: object) -> Predicate:
    """The predicate of a filter document; an empty filter matches everything."""
    if spec is None:
        return lambda doc: True
    if not isinstance(spec, dict):
        raise InvalidCommandError("a filter must be a JSON object")
    tests = [_compile_entry(key, value) for key, value in spec.items()]
    return lambda doc: all(test(doc) for test in tests)


def _compile_entry(key: str, value: object) -> Predicate:
    if key.startswith("$"):
        logical = _LOGICAL.get(key)
        if logical is None:
            raise UnsupportedOperatorError(key)
        return logical(_clauses(key, value))
    parts = key.split(".")
    test = compile_field(value)
    return lambda doc: test(resolve(doc, parts))


def _clauses(operator: str, value: object) -> list[Predicate]:
    if not isinstance(value, list) or not value:
        raise InvalidCommandError(f"{operator} needs a non-empty array of filters")
    return [compile_filter(clause) for clause in value]


def _all_of(tests: list[Predicate]) -> Predicate:
    return lambda doc: all(test(doc) for test in tests)


def _any_of(tests: list[Predicate]) -> Predicate:
    return lambda doc: any(test(doc) for test in tests)


def _none_of(tests: list[Predicate]) -> Predicate:
    return lambda doc: not any(test(doc) for test in tests)


_LOGICAL: dict[str, Callable[[list[Predicate]], Predicate]] = {
    "$and": _all_of,
    "$or": _any_of,
    "$nor": _none_of,
}


def is_operator_object(value: object) -> bool:
    """Whether ``value`` is ``{"$op": ...}`` rather than a literal document."""
    return isinstance(value, dict) and any(key.startswith("$") for key in value)


def compile_field(value: object) -> FieldTest:
    """The test of one field's condition: a literal or an operator object."""
    if not isinstance(value, dict) or not is_operator_object(value):
        return _equals(value)
    if "$options" in value and "$regex" not in value:
        raise InvalidCommandError("$options needs a $regex")
    for key in value:
        if not key.startswith("$"):
            raise InvalidCommandError(f"unknown operator '{key}' mixed with operators")
    tests = [_operator(op, arg, value) for op, arg in value.items() if op != "$options"]
    return lambda found: all(test(found) for test in tests)


def _operator(op: str, arg: object, siblings: dict[str, Any]) -> FieldTest:
    if op == "$regex":
        return _regex(arg, siblings.get("$options", ""))
    builder = _FIELD_OPERATORS.get(op)
    if builder is None:
        raise UnsupportedOperatorError(op)
    return builder(arg)


def _equals(value: object) -> FieldTest:
    if value is None:
        return lambda found: any(c is None or c is MISSING for c in expand(found))
    return lambda found: contains(expand(found), value)


def _not_equals(value: object) -> FieldTest:
    test = _equals(value)
    return lambda found: not test(found)


def _comparison(
    accept: Callable[[int], bool], null_ok: bool
) -> Callable[[object], FieldTest]:
    def build(value: object) -> FieldTest:
        if value is None:
            return _equals(None) if null_ok else (lambda found: False)
        rank = type_rank(value)
        return lambda found: any(
            c is not MISSING and type_rank(c) == rank and accept(compare(c, value))
            for c in expand(found)
        )

    return build


def _values_of(operator: str, arg: object) -> list[Any]:
    if not isinstance(arg, list):
        raise InvalidCommandError(f"{operator} needs an array")
    return arg


def _in(arg: object) -> FieldTest:
    tests = [_equals(value) for value in _values_of("$in", arg)]
    return lambda found: any(test(found) for test in tests)


def _not_in(arg: object) -> FieldTest:
    test = _in(arg)
    return lambda found: not test(found)


def _all(arg: object) -> FieldTest:
    tests = [_equals(value) for value in _values_of("$all", arg)]
    return lambda found: bool(tests) and all(test(found) for test in tests)


def _exists(arg: object) -> FieldTest:
    wanted = bool(arg)
    return lambda found: any(c is not MISSING for c in found) == wanted


def _size(arg: object) -> FieldTest:
    if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
        raise InvalidCommandError("$size needs a non-negative integer")
    return lambda found: any(isinstance(c, list) and len(c) == arg for c in found)


def _not(arg: object) -> FieldTest:
    if isinstance(arg, str) and _SLASHED.fullmatch(arg):
        test = _regex(arg, "")
    elif is_operator_object(arg):
        test = compile_field(arg)
    else:
        raise InvalidCommandError(
            "$not needs an operator object or a regular expression"
        )
    return lambda found: not test(found)


def _elem_match(arg: object) -> FieldTest:
    if not isinstance(arg, dict):
        raise InvalidCommandError("$elemMatch needs an object")
    if is_operator_object(arg) and not any(key in _LOGICAL for key in arg):
        field = compile_field(arg)
        element: Callable[[object], bool] = lambda item: field([item])  # noqa: E731
    else:
        query = compile_filter(arg)
        element = lambda item: isinstance(item, dict) and query(item)  # noqa: E731
    return lambda found: any(
        isinstance(c, list) and any(element(item) for item in c) for c in found
    )


def regex_of(pattern: object, options: object) -> re.Pattern[str]:
    """Compile a ``$regex`` (``"pat"`` or the SDK's ``"/pat/flags"``) with options."""
    if not isinstance(pattern, str) or not isinstance(options, str):
        raise InvalidCommandError("$regex and $options need strings")
    slashed = _SLASHED.fullmatch(pattern)
    if slashed:
        pattern, options = slashed["pattern"], slashed["flags"] + options
    flags = 0
    for letter in options:
        if letter not in _REGEX_FLAGS and letter != "u":
            raise InvalidCommandError(f"invalid regular expression option '{letter}'")
        flags |= _REGEX_FLAGS.get(letter, 0)
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise InvalidCommandError(f"invalid regular expression: {exc}") from exc


def _regex(pattern: object, options: object) -> FieldTest:
    compiled = regex_of(pattern, options)
    return lambda found: any(
        isinstance(c, str) and compiled.search(c) is not None for c in expand(found)
    )


_FIELD_OPERATORS: dict[str, Callable[[object], FieldTest]] = {
    "$eq": _equals,
    "$ne": _not_equals,
    "$gt": _comparison(lambda c: c > 0, null_ok=False),
    "$gte": _comparison(lambda c: c >= 0, null_ok=True),
    "$lt": _comparison(lambda c: c < 0, null_ok=False),
    "$lte": _comparison(lambda c: c <= 0, null_ok=True),
    "$in": _in,
    "$nin": _not_in,
    "$all": _all,
    "$exists": _exists,
    "$size": _size,
    "$not": _not,
    "$elemMatch": _elem_match,
}


def equality_seed(spec: object) -> list[tuple[Sequence[str], object]]:
    """The ``path = value`` pairs an upsert copies from its filter.

    Plain equalities and ``$eq`` at the top level or inside ``$and`` (MongoDB
    manual, "upsert with Operator Expressions").
    """
    if not isinstance(spec, dict):
        return []
    pairs: list[tuple[Sequence[str], object]] = []
    for key, value in spec.items():
        if key == "$and" and isinstance(value, list):
            for clause in value:
                pairs.extend(equality_seed(clause))
        elif not key.startswith("$") and not is_operator_object(value):
            pairs.append((key.split("."), value))
        elif not key.startswith("$") and isinstance(value, dict) and "$eq" in value:
            pairs.append((key.split("."), value["$eq"]))
    return pairs

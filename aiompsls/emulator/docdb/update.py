"""Update operators: compile an update document and apply it to stored documents.

Supported (MongoDB manual, "Update Operators"): ``$set $unset $inc $mul $min $max
$rename $setOnInsert`` on fields, ``$push`` (with ``$each``, ``$position``,
``$slice``), ``$addToSet`` (with ``$each``), ``$pop`` and ``$pull`` on arrays. Paths
are dotted; a numeric part indexes an array (padding with null when setting past its
end). Two paths of one update may not overlap, and ``_id`` may not change. Anything
else raises :class:`UnsupportedOperatorError` or :class:`WriteError` naming the cause.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import attrs

from aiompsls.emulator.docdb.errors import (
    InvalidCommandError,
    UnsupportedOperatorError,
    WriteError,
)
from aiompsls.emulator.docdb.paths import (
    Parts,
    delete,
    find,
    get,
    locate,
    put,
    split_path,
)
from aiompsls.emulator.docdb.query import compile_field, compile_filter
from aiompsls.emulator.docdb.values import (
    MISSING,
    Document,
    compare,
    contains,
    dumps,
    equal,
    is_number,
)

Apply = Callable[[Document, Parts, Any], None]


def _set(doc: Document, parts: Parts, arg: Any) -> None:
    put(*locate(doc, parts), copy.deepcopy(arg))


def _unset(doc: Document, parts: Parts, arg: Any) -> None:
    target = find(doc, parts)
    if target is not None:
        delete(*target)


def _numeric(parts: Parts, op: str, current: object) -> None:
    if current is not MISSING and not is_number(current):
        raise WriteError(
            f"cannot apply {op} to '{'.'.join(parts)}': "
            f"a value of non-numeric type ({dumps(current)})"
        )


def _inc(doc: Document, parts: Parts, arg: Any) -> None:
    node, key = locate(doc, parts)
    current = get(node, key)
    _numeric(parts, "$inc", current)
    put(node, key, arg if current is MISSING else current + arg)


def _mul(doc: Document, parts: Parts, arg: Any) -> None:
    node, key = locate(doc, parts)
    current = get(node, key)
    _numeric(parts, "$mul", current)
    put(node, key, arg * 0 if current is MISSING else current * arg)


def _bound(keep: Callable[[int], bool]) -> Apply:
    def apply(doc: Document, parts: Parts, arg: Any) -> None:
        node, key = locate(doc, parts)
        current = get(node, key)
        if current is MISSING or keep(compare(arg, current)):
            put(node, key, copy.deepcopy(arg))

    return apply


def _array_at(doc: Document, parts: Parts, op: str) -> list[Any]:
    node, key = locate(doc, parts)
    current = get(node, key)
    if current is MISSING:
        current = []
        put(node, key, current)
    if not isinstance(current, list):
        raise WriteError(
            f"{op} needs an array at '{'.'.join(parts)}', found {dumps(current)}"
        )
    return current


def _each(arg: Any) -> tuple[list[Any], dict[str, Any]]:
    if isinstance(arg, dict) and "$each" in arg:
        return list(copy.deepcopy(arg["$each"])), arg
    return [copy.deepcopy(arg)], {}


def _push(doc: Document, parts: Parts, arg: Any) -> None:
    array = _array_at(doc, parts, "$push")
    items, modifiers = _each(arg)
    position = modifiers.get("$position", len(array))
    array[position:position] = items
    if "$slice" in modifiers:
        limit = modifiers["$slice"]
        array[:] = array[:limit] if limit >= 0 else array[limit:]


def _add_to_set(doc: Document, parts: Parts, arg: Any) -> None:
    array = _array_at(doc, parts, "$addToSet")
    for item in _each(arg)[0]:
        if not contains(array, item):
            array.append(item)


def _pop(doc: Document, parts: Parts, arg: Any) -> None:
    target = find(doc, parts)
    current = MISSING if target is None else get(*target)
    if current is MISSING:
        return
    if not isinstance(current, list):
        raise WriteError(f"$pop needs an array at '{'.'.join(parts)}'")
    if current:
        current.pop(-1 if arg == 1 else 0)


def _pull(doc: Document, parts: Parts, arg: Any) -> None:
    target = find(doc, parts)
    current = MISSING if target is None else get(*target)
    if current is MISSING:
        return
    if not isinstance(current, list):
        raise WriteError(f"$pull needs an array at '{'.'.join(parts)}'")
    matches = _pull_test(arg)
    current[:] = [item for item in current if not matches(item)]


def _pull_test(arg: Any) -> Callable[[object], bool]:
    if isinstance(arg, dict) and any(key.startswith("$") for key in arg):
        field = compile_field(arg)
        return lambda item: field([item])
    if isinstance(arg, dict):
        query = compile_filter(arg)
        return lambda item: isinstance(item, dict) and query(item)
    return lambda item: equal(item, arg)


def _rename(doc: Document, parts: Parts, arg: Any) -> None:
    source = find(doc, parts)
    value = MISSING if source is None else get(*source)
    if value is MISSING or source is None:
        return
    delete(*source)
    put(*locate(doc, split_path(arg)), value)


_OPERATORS: dict[str, Apply] = {
    "$set": _set,
    "$setOnInsert": _set,
    "$unset": _unset,
    "$inc": _inc,
    "$mul": _mul,
    "$min": _bound(lambda order: order < 0),
    "$max": _bound(lambda order: order > 0),
    "$push": _push,
    "$addToSet": _add_to_set,
    "$pop": _pop,
    "$pull": _pull,
    "$rename": _rename,
}


def _check_argument(op: str, path: str, arg: Any) -> None:
    if op in ("$inc", "$mul") and not is_number(arg):
        raise InvalidCommandError(f"{op} of '{path}' needs a number")
    if op == "$pop" and (arg not in (1, -1) or isinstance(arg, bool)):
        raise InvalidCommandError(f"$pop of '{path}' needs 1 or -1")
    if op == "$rename" and not isinstance(arg, str):
        raise InvalidCommandError(f"$rename of '{path}' needs a string")
    if op in ("$push", "$addToSet") and isinstance(arg, dict) and "$each" in arg:
        _check_each(op, arg)


def _check_each(op: str, arg: dict[str, Any]) -> None:
    allowed = {"$each", "$position", "$slice"} if op == "$push" else {"$each"}
    unknown = sorted(set(arg) - allowed)
    if unknown:
        raise UnsupportedOperatorError(unknown[0], f"{op} modifier")
    if not isinstance(arg["$each"], list):
        raise InvalidCommandError(f"{op} $each needs an array")
    for name in ("$position", "$slice"):
        if name in arg and (not isinstance(arg[name], int) or arg[name] is True):
            raise InvalidCommandError(f"{op} {name} needs an integer")


def _overlap(left: Parts, right: Parts) -> bool:
    shorter = min(len(left), len(right))
    return left[:shorter] == right[:shorter]


@attrs.frozen
class Update:
    """A compiled update: (operator, path, argument) steps in document order."""

    steps: tuple[tuple[str, Parts, Any], ...]

    def apply(self, doc: Document, *, inserting: bool = False) -> Document:
        """A changed copy of ``doc``; ``$setOnInsert`` only applies when inserting."""
        changed = copy.deepcopy(doc)
        for op, parts, arg in self.steps:
            if op != "$setOnInsert" or inserting:
                _OPERATORS[op](changed, parts, arg)
        if not inserting and not equal(changed.get("_id", MISSING), doc["_id"]):
            raise WriteError("the update would modify the immutable field '_id'")
        return changed


def compile_update(spec: object) -> Update:
    """Check an update document of operators and compile it."""
    if not isinstance(spec, dict) or not spec:
        raise InvalidCommandError(
            "update must be a non-empty object of update operators"
        )
    steps: list[tuple[str, Parts, Any]] = []
    for op, fields in spec.items():
        if not op.startswith("$"):
            raise InvalidCommandError(
                f"update needs operators such as $set, got '{op}'"
            )
        if op not in _OPERATORS:
            raise UnsupportedOperatorError(op, "update operator")
        if not isinstance(fields, dict):
            raise InvalidCommandError(f"{op} needs an object of fields")
        for path, arg in fields.items():
            _check_argument(op, path, arg)
            steps.append((op, split_path(path), arg))
    _check_conflicts(steps)
    return Update(steps=tuple(steps))


def _check_conflicts(steps: list[tuple[str, Parts, Any]]) -> None:
    paths = [parts for _, parts, _ in steps]
    paths += [split_path(arg) for op, _, arg in steps if op == "$rename"]
    for index, left in enumerate(paths):
        for right in paths[index + 1 :]:
            if _overlap(left, right):
                raise InvalidCommandError(
                    f"updating the path '{'.'.join(right)}' would create a conflict "
                    f"at '{'.'.join(left)}'"
                )


def replace(original: Document, replacement: object) -> Document:
    """The replacement document, keeping ``original``'s ``_id``."""
    if not isinstance(replacement, dict):
        raise InvalidCommandError("the replacement must be a JSON object")
    if any(key.startswith("$") for key in replacement):
        raise InvalidCommandError(
            "the replacement document cannot hold update operators"
        )
    if "_id" in replacement and not equal(replacement["_id"], original["_id"]):
        raise WriteError("the replacement would modify the immutable field '_id'")
    return {"_id": original["_id"], **copy.deepcopy(replacement)}

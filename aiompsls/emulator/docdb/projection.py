"""Projections and sort orders of find results.

A projection (MongoDB manual, "Project Fields to Return from Query") either includes
fields (``{"a": 1, "b.c": 1}``; ``_id`` comes along unless ``{"_id": 0}``) or excludes
them (``{"a": 0}``); the two cannot mix except for ``_id``. A sort (manual,
"cursor.sort()") orders by several keys, each ascending (1) or descending (-1), with
the type order of :mod:`values`; an array sorts by its smallest element ascending and
its largest descending, an empty array before null, and ties keep their order.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aiompsls.emulator.docdb.errors import InvalidCommandError
from aiompsls.emulator.docdb.values import (
    MISSING,
    Document,
    compare,
    resolve,
)

Tree = dict[str, Any]
Projector = Callable[[Document], Document]


def _flag(path: str, value: object) -> bool:
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    raise InvalidCommandError(f"projection of '{path}' must be 0 or 1")


def _tree(paths: list[str]) -> Tree:
    tree: Tree = {}
    for path in paths:
        node = tree
        *parents, last = path.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if child is True:
                raise InvalidCommandError(f"path collision at '{path}'")
            node = child
        if last in node:
            raise InvalidCommandError(f"path collision at '{path}'")
        node[last] = True
    return tree


def compile_projection(spec: object) -> Projector | None:
    """The projector of a projection document; None when it keeps whole documents."""
    if spec is None or spec == {}:
        return None
    if not isinstance(spec, dict):
        raise InvalidCommandError("projection must be a JSON object")
    flags = {path: _flag(path, value) for path, value in spec.items()}
    id_flag = flags.pop("_id", None)
    keep_id = id_flag is not False
    included = [path for path, flag in flags.items() if flag]
    if included and len(included) != len(flags):
        raise InvalidCommandError("projection cannot mix inclusion and exclusion")
    if included or (not flags and id_flag):
        return _inclusion(_tree([*included, *(["_id"] if keep_id else [])]))
    excluded = [*flags, *([] if keep_id else ["_id"])]
    return _exclusion(_tree(excluded))


def _inclusion(tree: Tree) -> Projector:
    return lambda doc: _include(doc, tree)


def _include(doc: Document, tree: Tree) -> Document:
    out: Document = {}
    for key, value in doc.items():
        node = tree.get(key)
        if node is True:
            out[key] = value
        elif node is not None:
            kept = _include_nested(value, node)
            if kept is not MISSING:
                out[key] = kept
    return out


def _include_nested(value: object, tree: Tree) -> object:
    if isinstance(value, dict):
        return _include(value, tree)
    if isinstance(value, list):
        kept = (_include_nested(item, tree) for item in value)
        return [item for item in kept if item is not MISSING]
    return MISSING


def _exclusion(tree: Tree) -> Projector:
    return lambda doc: _exclude(doc, tree)


def _exclude(doc: Document, tree: Tree) -> Document:
    out: Document = {}
    for key, value in doc.items():
        node = tree.get(key)
        if node is None:
            out[key] = value
        elif node is not True:
            out[key] = _exclude_nested(value, node)
    return out


def _exclude_nested(value: object, tree: Tree) -> object:
    if isinstance(value, dict):
        return _exclude(value, tree)
    if isinstance(value, list):
        return [_exclude_nested(item, tree) for item in value]
    return value


Sorter = Callable[[list[Document]], list[Document]]


def compile_sort(spec: object) -> Sorter | None:
    """The sorter of a sort document ``{"field": 1 | -1, ...}``; None for no order."""
    if spec is None or spec == {}:
        return None
    if not isinstance(spec, dict):
        raise InvalidCommandError("sort must be a JSON object")
    keys: list[tuple[list[str], bool]] = []
    for path, direction in spec.items():
        if direction not in (1, -1) or isinstance(direction, bool):
            raise InvalidCommandError(f"sort direction of '{path}' must be 1 or -1")
        keys.append((path.split("."), direction == -1))
    return functools.partial(_sorted, keys=keys)


class _Key:
    """A sort key: the value a document sorts by for one field and direction."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __lt__(self, other: _Key) -> bool:
        return sort_compare(self.value, other.value) < 0


_EMPTY = object()


def sort_compare(left: object, right: object) -> int:
    """Compare two :func:`sort_value` results (an empty array before everything)."""
    if left is _EMPTY or right is _EMPTY:
        return (right is _EMPTY) - (left is _EMPTY)
    return compare(left, right)


def sort_value(doc: Document, parts: list[str], descending: bool) -> object:
    """What ``doc`` sorts by on ``parts``: min or max of arrays, missing as null."""
    values: list[object] = []
    saw_array = False
    for candidate in resolve(doc, parts):
        if isinstance(candidate, list):
            saw_array = True
            values.extend(candidate)
        elif candidate is not MISSING:
            values.append(candidate)
    if not values:
        return _EMPTY if saw_array else None
    pick = max if descending else min
    return pick(values, key=functools.cmp_to_key(compare))


def _sorted(docs: list[Document], keys: list[tuple[list[str], bool]]) -> list[Document]:
    ordered = list(docs)
    for parts, descending in reversed(keys):
        ordered.sort(key=_key_of(parts, descending), reverse=descending)
    return ordered


def _key_of(parts: list[str], descending: bool) -> Callable[[Document], _Key]:
    return lambda doc: _Key(sort_value(doc, parts, descending))

"""Dotted paths for writing: find, create, set and delete the field a path names.

Walking a path for a write creates missing documents on the way; a numeric part
indexes an array. A path through a scalar, or a name into an array, is a
:class:`WriteError` like MongoDB's "Cannot create field ... in element ...".
"""

from __future__ import annotations

from typing import Any

from aiompsls.emulator.docdb.errors import InvalidCommandError, WriteError
from aiompsls.emulator.docdb.values import MISSING, dumps

Parts = tuple[str, ...]
Node = dict[str, Any] | list[Any]


def split_path(path: str) -> Parts:
    """The parts of a field path; InvalidCommandError for empty parts or ``$`` parts."""
    parts = tuple(path.split("."))
    for part in parts:
        if not part:
            raise InvalidCommandError(f"the field path '{path}' has an empty part")
        if part.startswith("$"):
            raise InvalidCommandError(
                f"the field path '{path}' uses '{part}', which is not supported"
            )
    return parts


def get(node: Node, key: str) -> Any:
    """The value under ``key`` (an index for arrays), or MISSING."""
    if isinstance(node, dict):
        return node.get(key, MISSING)
    if key.isdigit() and int(key) < len(node):
        return node[int(key)]
    return MISSING


def put(node: Node, key: str, value: object) -> None:
    """Set ``key`` (an array is padded with null up to the index)."""
    if isinstance(node, dict):
        node[key] = value
        return
    if not key.isdigit():
        raise WriteError(f"cannot create field '{key}' in array {dumps(node)}")
    index = int(key)
    node.extend([None] * (index + 1 - len(node)))
    node[index] = value


def delete(node: Node, key: str) -> None:
    """Remove ``key`` from a document; in an array, set the element to null."""
    if isinstance(node, dict):
        node.pop(key, None)
    elif key.isdigit() and int(key) < len(node):
        node[int(key)] = None


def locate(node: Node, parts: Parts) -> tuple[Node, str]:
    """The container of the path's last part (made on the way) and that part's name.

    A scalar on the way is a WriteError.
    """
    for part in parts[:-1]:
        child = get(node, part)
        if child is MISSING:
            child = {}
            put(node, part, child)
        if not isinstance(child, dict | list):
            raise WriteError(f"cannot create field '{parts[-1]}' in {dumps(child)}")
        node = child
    return node, parts[-1]


def find(node: Node, parts: Parts) -> tuple[Node, str] | None:
    """The container of the path's last part and its name; None when not there."""
    for part in parts[:-1]:
        child = get(node, part)
        if not isinstance(child, dict | list):
            return None
        node = child
    return node, parts[-1]

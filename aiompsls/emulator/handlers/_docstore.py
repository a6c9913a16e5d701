"""The small document store behind RunDBCommand.

A command is a JSON object ``{"command": ..., "collection": ..., ...}``:

- ``find`` (``query``, ``options.skip``/``options.limit``), ``findOne`` (``query``),
  ``count`` (``query``): equality filters only, dotted paths allowed, ``null``
  matching a missing field;
- ``insertOne`` (``data``: object), ``insertMany`` (``data``: list of objects): a
  missing ``_id`` gets a fresh 24-hex-digit id;
- ``updateOne`` (``query``, ``update``: ``{"$set": {...}}``), ``deleteMany``
  (``query``), ``drop``.

Anything else is ``InvalidParameter`` naming the command.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import attrs

from aiompsls.emulator.handlers._common import already_exists, invalid_param
from aiompsls.emulator.records import Document

Collections = dict[str, list[Document]]
NewId = Callable[[], str]


@attrs.frozen(kw_only=True)
class Outcome:
    """What a command did: the JSON Result text, affected documents, reads, writes."""

    result: str
    affected: int
    reads: int = 0
    writes: int = 0


@attrs.frozen(kw_only=True)
class Command:
    """A parsed command: its name, collection and the whole JSON object."""

    name: str
    collection: str
    body: dict[str, Any]


def dumps(value: object) -> str:
    """Compact JSON, the way Result strings are written."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_command(text: str) -> Command:
    """Read a Body parameter; InvalidParameter when it is not a command object."""
    body = json.loads(text)
    if not isinstance(body, dict):
        raise invalid_param("Body", "expected a JSON object")
    name = body.get("command")
    collection = body.get("collection")
    if not isinstance(name, str) or not name:
        raise invalid_param("Body", "command must be a non-empty string")
    if not isinstance(collection, str) or not collection:
        raise invalid_param("Body", "collection must be a non-empty string")
    return Command(name=name, collection=collection, body=body)


def run_command(collections: Collections, command: Command, new_id: NewId) -> Outcome:
    """Run one command against ``collections`` (changed in place)."""
    runner = _COMMANDS.get(command.name)
    if runner is None:
        raise invalid_param("Body", f"unsupported command '{command.name}'")
    return runner(collections, command, new_id)


def _query(command: Command) -> dict[str, Any]:
    query = command.body.get("query", {})
    if not isinstance(query, dict):
        raise invalid_param("Body", "query must be a JSON object")
    for key, value in query.items():
        if key.startswith("$") or (
            isinstance(value, dict) and any(k.startswith("$") for k in value)
        ):
            raise invalid_param("Body", "only equality filters are supported")
    return query


def _lookup(document: Document, path: str) -> object:
    value: object = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


_MISSING = object()


def matches(document: Document, query: dict[str, Any]) -> bool:
    """Whether every field of ``query`` equals the document's value at that path.

    As in MongoDB, ``null`` matches a missing field too.
    """
    for key, value in query.items():
        found = _lookup(document, key)
        if found is _MISSING:
            found = None
        if found != value:
            return False
    return True


def _selected(collections: Collections, command: Command) -> list[Document]:
    query = _query(command)
    docs = collections.get(command.collection, [])
    return [doc for doc in docs if matches(doc, query)]


def _find(collections: Collections, command: Command, new_id: NewId) -> Outcome:
    found = _selected(collections, command)
    options = command.body.get("options") or {}
    skip = options.get("skip", 0) if isinstance(options, dict) else 0
    limit = options.get("limit") if isinstance(options, dict) else None
    if not isinstance(skip, int) or (limit is not None and not isinstance(limit, int)):
        raise invalid_param("Body", "options.skip and options.limit must be integers")
    found = found[skip:] if limit is None else found[skip : skip + limit]
    return Outcome(result=dumps(found), affected=len(found), reads=len(found))


def _find_one(collections: Collections, command: Command, new_id: NewId) -> Outcome:
    found = _selected(collections, command)[:1]
    return Outcome(
        result=dumps(found[0] if found else None), affected=len(found), reads=1
    )


def _count(collections: Collections, command: Command, new_id: NewId) -> Outcome:
    count = len(_selected(collections, command))
    return Outcome(result=dumps(count), affected=count, reads=1)


def _prepared(data: object, existing: set[str], new_id: NewId) -> Document:
    if not isinstance(data, dict):
        raise invalid_param("Body", "data must hold JSON objects")
    document = copy.deepcopy(data)
    document.setdefault("_id", new_id())
    key = str(document["_id"])
    if key in existing:
        raise already_exists("Document", "document _id", key)
    existing.add(key)
    return document


def _insert(
    collections: Collections, command: Command, items: list[object], new_id: NewId
) -> list[str]:
    docs = collections.get(command.collection, [])
    existing = {str(doc.get("_id")) for doc in docs}
    prepared = [_prepared(item, existing, new_id) for item in items]
    collections.setdefault(command.collection, []).extend(prepared)
    return [doc["_id"] for doc in prepared]


def _insert_one(collections: Collections, command: Command, new_id: NewId) -> Outcome:
    (inserted,) = _insert(collections, command, [command.body.get("data")], new_id)
    return Outcome(result=dumps({"insertedId": inserted}), affected=1, writes=1)


def _insert_many(collections: Collections, command: Command, new_id: NewId) -> Outcome:
    data = command.body.get("data")
    if not isinstance(data, list) or not data:
        raise invalid_param("Body", "data must be a non-empty list of objects")
    inserted = _insert(collections, command, data, new_id)
    count = len(inserted)
    return Outcome(
        result=dumps({"insertedIds": inserted}), affected=count, writes=count
    )


def _update_one(collections: Collections, command: Command, new_id: NewId) -> Outcome:
    update = command.body.get("update")
    if not isinstance(update, dict) or set(update) != {"$set"}:
        raise invalid_param("Body", 'update must be {"$set": {...}}')
    changes = update["$set"]
    if not isinstance(changes, dict) or "_id" in changes:
        raise invalid_param("Body", "$set must be an object without _id")
    found = _selected(collections, command)[:1]
    modified = 0
    for doc in found:
        before = copy.deepcopy(doc)
        for path, value in changes.items():
            _assign(doc, path, copy.deepcopy(value))
        modified = int(doc != before)
    result = {"matchedCount": len(found), "modifiedCount": modified}
    return Outcome(result=dumps(result), affected=modified, writes=modified)


def _assign(document: Document, path: str, value: object) -> None:
    *parents, last = path.split(".")
    target = document
    for part in parents:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[last] = value


def _delete_many(collections: Collections, command: Command, new_id: NewId) -> Outcome:
    query = _query(command)
    docs = collections.get(command.collection, [])
    kept = [doc for doc in docs if not matches(doc, query)]
    deleted = len(docs) - len(kept)
    if command.collection in collections:
        collections[command.collection] = kept
    return Outcome(
        result=dumps({"deletedCount": deleted}), affected=deleted, writes=deleted
    )


def _drop(collections: Collections, command: Command, new_id: NewId) -> Outcome:
    existed = collections.pop(command.collection, None) is not None
    return Outcome(result=dumps(existed), affected=0, writes=int(existed))


_COMMANDS: dict[str, Callable[[Collections, Command, NewId], Outcome]] = {
    "find": _find,
    "findOne": _find_one,
    "count": _count,
    "insertOne": _insert_one,
    "insertMany": _insert_many,
    "updateOne": _update_one,
    "deleteMany": _delete_many,
    "drop": _drop,
}

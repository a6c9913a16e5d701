"""Write commands: inserts, updates, replacements, deletes and ``findOneAnd*``.

Results follow the Node.js driver's result objects: ``{"insertedId"}``,
``{"insertedIds": [...]}``, ``{"matchedCount", "modifiedCount"}`` (plus
``"upsertedId"`` when an upsert inserted), ``{"deletedCount"}``; ``findOneAnd*``
give the document (before the change unless ``returnNewDocument`` or
``returnDocument: "after"``) or null. AffectedDocs counts the documents written.
A command runs in one transaction, so a failing ``insertMany`` inserts nothing.
"""

from __future__ import annotations

import copy
from typing import Any

from aiompsls.emulator.docdb.command import Command, NewId, Outcome, prepared, selected
from aiompsls.emulator.docdb.errors import InvalidCommandError
from aiompsls.emulator.docdb.paths import locate, put
from aiompsls.emulator.docdb.projection import compile_projection, compile_sort
from aiompsls.emulator.docdb.query import equality_seed
from aiompsls.emulator.docdb.reads import Runner
from aiompsls.emulator.docdb.storage import Collection, Stored
from aiompsls.emulator.docdb.update import Update, compile_update, replace
from aiompsls.emulator.docdb.values import Document, dumps


def insert_one(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``insertOne``: store ``doc``; its ``_id`` is made when missing."""
    doc = prepared(command.arg("doc", "data"), new_id)
    coll.insert(doc)
    return Outcome(value={"insertedId": doc["_id"]}, affected=1, writes=1)


def insert_many(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``insertMany``: store every document of ``docs``, or none if one fails."""
    items = command.arg("docs", "data")
    if not isinstance(items, list) or not items:
        raise InvalidCommandError("docs must be a non-empty array of objects")
    docs = [prepared(item, new_id) for item in items]
    for doc in docs:
        coll.insert(doc)
    ids = [doc["_id"] for doc in docs]
    return Outcome(value={"insertedIds": ids}, affected=len(ids), writes=len(ids))


def _filter(command: Command) -> object:
    return command.arg("filter", "query", default=None)


def _upsert(command: Command) -> bool:
    return bool(command.options().get("upsert", False))


def _seed(spec: object) -> Document:
    doc: Document = {}
    for parts, value in equality_seed(spec):
        put(*locate(doc, tuple(parts)), copy.deepcopy(value))
    return doc


def _insert_new(coll: Collection, doc: Document, new_id: NewId) -> Document:
    ready = prepared(doc, new_id)
    coll.insert(ready)
    return ready


def _modify(coll: Collection, stored: Stored, changed: Document) -> int:
    seq, doc = stored
    if dumps(changed) == dumps(doc):
        return 0
    coll.update(seq, changed)
    return 1


def _update(coll: Collection, command: Command, new_id: NewId, many: bool) -> Outcome:
    update = compile_update(command.arg("update"))
    matches = list(selected(coll, _filter(command)))[: None if many else 1]
    modified = sum(_modify(coll, stored, update.apply(stored[1])) for stored in matches)
    value: dict[str, Any] = {"matchedCount": len(matches), "modifiedCount": modified}
    if not matches and _upsert(command):
        seeded = update.apply(_seed(_filter(command)), inserting=True)
        value["upsertedId"] = _insert_new(coll, seeded, new_id)["_id"]
        modified = 1
    return Outcome(value=value, affected=modified, writes=modified)


def update_one(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``updateOne``: apply ``update`` to the first match (``options.upsert``)."""
    return _update(coll, command, new_id, many=False)


def update_many(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``updateMany``: apply ``update`` to every match (``options.upsert``)."""
    return _update(coll, command, new_id, many=True)


def replace_one(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``replaceOne``: replace the first match by ``doc`` (``options.upsert``)."""
    replacement = command.arg("doc", "replacement")
    matches = list(selected(coll, _filter(command)))[:1]
    modified = sum(_modify(coll, s, replace(s[1], replacement)) for s in matches)
    value: dict[str, Any] = {"matchedCount": len(matches), "modifiedCount": modified}
    if not matches and _upsert(command):
        seeded = _seed(_filter(command))
        fresh = replace({"_id": seeded.get("_id", new_id())}, replacement)
        value["upsertedId"] = _insert_new(coll, fresh, new_id)["_id"]
        modified = 1
    return Outcome(value=value, affected=modified, writes=modified)


def _delete(coll: Collection, command: Command, many: bool) -> Outcome:
    matches = list(selected(coll, _filter(command)))[: None if many else 1]
    for seq, _ in matches:
        coll.delete(seq)
    count = len(matches)
    return Outcome(value={"deletedCount": count}, affected=count, writes=count)


def delete_one(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``deleteOne``: remove the first match."""
    return _delete(coll, command, many=False)


def delete_many(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``deleteMany``: remove every match."""
    return _delete(coll, command, many=True)


def _first(coll: Collection, command: Command) -> Stored | None:
    sorter = compile_sort(command.options().get("sort"))
    matches = list(selected(coll, _filter(command)))
    if sorter is not None and matches:
        order = sorter([doc for _, doc in matches])
        return next(stored for stored in matches if stored[1] is order[0])
    return matches[0] if matches else None


def _returned(command: Command, before: Document | None, after: Document | None) -> Any:
    options = command.options()
    wants_new = (
        options.get("returnNewDocument") or options.get("returnDocument") == "after"
    )
    doc = after if wants_new else before
    projector = compile_projection(options.get("projection"))
    return projector(doc) if projector and doc is not None else doc


def _find_and_change(
    coll: Collection, command: Command, new_id: NewId, change: Any
) -> Outcome:
    stored = _first(coll, command)
    if stored is None:
        if not _upsert(command):
            return Outcome(value=None, affected=0)
        fresh = _insert_new(coll, change(_seed(_filter(command)), True), new_id)
        return Outcome(value=_returned(command, None, fresh), affected=1, writes=1)
    changed = change(stored[1], False)
    written = _modify(coll, stored, changed)
    value = _returned(command, stored[1], changed)
    return Outcome(value=value, affected=1, reads=1, writes=written)


def find_one_and_update(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``findOneAndUpdate``: update the first match (after ``options.sort``)."""
    update: Update = compile_update(command.arg("update"))
    return _find_and_change(
        coll, command, new_id, lambda doc, fresh: update.apply(doc, inserting=fresh)
    )


def find_one_and_replace(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``findOneAndReplace``: replace the first match (after ``options.sort``)."""
    replacement = command.arg("replacement", "doc")

    def change(doc: Document, fresh: bool) -> Document:
        base = {"_id": doc.get("_id", new_id())} if fresh else doc
        return replace(base, replacement)

    return _find_and_change(coll, command, new_id, change)


def find_one_and_delete(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``findOneAndDelete``: remove the first match (after ``options.sort``)."""
    stored = _first(coll, command)
    if stored is None:
        return Outcome(value=None, affected=0)
    coll.delete(stored[0])
    return Outcome(value=_returned(command, stored[1], None), affected=1, writes=1)


WRITES: dict[str, Runner] = {
    "insertOne": insert_one,
    "insertMany": insert_many,
    "updateOne": update_one,
    "updateMany": update_many,
    "replaceOne": replace_one,
    "deleteOne": delete_one,
    "deleteMany": delete_many,
    "findOneAndUpdate": find_one_and_update,
    "findOneAndReplace": find_one_and_replace,
    "findOneAndDelete": find_one_and_delete,
}

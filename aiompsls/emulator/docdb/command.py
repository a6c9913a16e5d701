"""The command object RunDBCommand carries, and what running one produced.

A command is a JSON object ``{"command": <name>, "collection": <name>, ...}`` in the
shapes the vendor's database SDK sends (``@alicloud/mpserverless`` ``mp-db-service``):
``query`` and ``options`` for reads, ``doc``/``docs`` for inserts, ``filter``,
``update`` and ``options.upsert`` for updates, ``pipeline`` for aggregate. The older
emulator spellings ``data`` (for ``doc``/``docs``) and ``query`` (for ``filter``)
are accepted too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

import attrs

from aiompsls.emulator.docdb.errors import InvalidCommandError
from aiompsls.emulator.docdb.query import compile_filter, is_operator_object
from aiompsls.emulator.docdb.storage import Collection, Stored
from aiompsls.emulator.docdb.values import MISSING, Document, dumps, loads

NewId = Callable[[], str]


@attrs.frozen(kw_only=True)
class Command:
    """A parsed command: its name, collection and the whole JSON object."""

    name: str
    collection: str
    body: dict[str, Any]

    def arg(self, *names: str, default: Any = MISSING) -> Any:
        """The first of ``names`` present; InvalidCommandError if none nor default."""
        for name in names:
            if name in self.body:
                return self.body[name]
        if default is MISSING:
            raise InvalidCommandError(f"{self.name} needs '{names[0]}'")
        return default

    def options(self) -> dict[str, Any]:
        """The ``options`` object (empty when absent)."""
        options = self.body.get("options")
        if options is None:
            return {}
        if not isinstance(options, dict):
            raise InvalidCommandError("options must be a JSON object")
        return options


@attrs.frozen(kw_only=True)
class Outcome:
    """What a command did: the Result as a JSON value, affected docs, reads, writes."""

    value: Any
    affected: int
    reads: int = 0
    writes: int = 0

    @property
    def result(self) -> str:
        """The Result string: the value as compact JSON."""
        return dumps(self.value)


def parse_command(body: str | bytes | dict[str, Any]) -> Command:
    """Read a command from Body text (or an already parsed object)."""
    if isinstance(body, str | bytes):
        try:
            body = loads(body)
        except ValueError as exc:
            raise InvalidCommandError(f"Body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise InvalidCommandError("Body must be a JSON object")
    name = body.get("command")
    collection = body.get("collection")
    if not isinstance(name, str) or not name:
        raise InvalidCommandError("command must be a non-empty string")
    if not isinstance(collection, str) or not collection or "$" in collection:
        raise InvalidCommandError("collection must be a non-empty string without '$'")
    return Command(name=name, collection=collection, body=body)


def count_option(options: dict[str, Any], name: str) -> int:
    """A non-negative integer option (``skip``, ``limit``); 0 when absent."""
    value = options.get(name, 0)
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidCommandError(f"options.{name} must be a non-negative integer")
    return value


def window(items: Iterator[Document], skip: int, limit: int) -> list[Document]:
    """Items ``skip`` to ``skip + limit`` (a limit of 0 means no limit)."""
    return list(islice(items, skip, skip + limit if limit else None))


def selected(coll: Collection, spec: object) -> Iterator[Stored]:
    """The stored documents matching a filter, in natural order.

    A filter of one plain ``_id`` equality reads that document by its key.
    """
    test = compile_filter(spec)
    if (
        isinstance(spec, dict)
        and "_id" in spec
        and not is_operator_object(spec["_id"])
        and not isinstance(spec["_id"], list)
    ):
        found = coll.by_id(spec["_id"])
        rows: Iterator[Stored] = iter([found] if found else [])
    else:
        rows = coll.scan()
    return ((seq, doc) for seq, doc in rows if test(doc))


def prepared(data: object, new_id: NewId) -> Document:
    """A document ready to insert: an object whose ``_id`` (made if absent) is first."""
    if not isinstance(data, dict):
        raise InvalidCommandError("a document must be a JSON object")
    for key in data:
        if key.startswith("$"):
            raise InvalidCommandError(
                f"a document field name cannot start with '$': {key}"
            )
    if isinstance(data.get("_id"), list):
        raise InvalidCommandError("_id cannot be an array")
    doc_id = data["_id"] if "_id" in data else new_id()
    return {"_id": doc_id, **{k: v for k, v in data.items() if k != "_id"}}

"""Read commands: ``find findOne count distinct aggregate`` (and ``drop``).

Results (the Result string of RunDBCommand): ``find`` and ``aggregate`` give an
array of documents, ``findOne`` a document or null, ``count`` a number, ``distinct``
an array of values, ``drop`` whether the collection existed. AffectedDocs counts the
documents returned (``count`` gives the count).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from aiompsls.emulator.docdb.aggregate import run_pipeline
from aiompsls.emulator.docdb.command import (
    Command,
    NewId,
    Outcome,
    count_option,
    selected,
    window,
)
from aiompsls.emulator.docdb.errors import InvalidCommandError
from aiompsls.emulator.docdb.projection import compile_projection, compile_sort
from aiompsls.emulator.docdb.storage import Collection
from aiompsls.emulator.docdb.values import MISSING, Document, contains, expand, resolve

Runner = Callable[[Collection, Command, NewId], Outcome]


def _query(command: Command) -> object:
    return command.arg("query", "filter", default=None)


def _found(coll: Collection, command: Command, limit: int) -> list[Document]:
    options = command.options()
    projector = compile_projection(options.get("projection"))
    sorter = compile_sort(options.get("sort"))
    skip = count_option(options, "skip")
    docs: Iterator[Document] = (doc for _, doc in selected(coll, _query(command)))
    if sorter is not None:
        docs = iter(sorter(list(docs)))
    chosen = window(docs, skip, limit)
    return [projector(doc) for doc in chosen] if projector else chosen


def find(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``find``: query, options.projection/sort/skip/limit; an array of documents."""
    limit = count_option(command.options(), "limit")
    docs = _found(coll, command, limit)
    return Outcome(value=docs, affected=len(docs), reads=len(docs))


def find_one(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``findOne``: the first match (after sort and skip) or null."""
    docs = _found(coll, command, 1)
    return Outcome(value=docs[0] if docs else None, affected=len(docs), reads=1)


def count(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``count``: how many documents match (options.skip/limit apply)."""
    options = command.options()
    skip = count_option(options, "skip")
    limit = count_option(options, "limit")
    docs = (doc for _, doc in selected(coll, _query(command)))
    total = len(window(docs, skip, limit))
    return Outcome(value=total, affected=total, reads=1)


def distinct(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``distinct``: the different values of ``key`` (array elements one by one)."""
    key = command.arg("key")
    if not isinstance(key, str) or not key:
        raise InvalidCommandError("distinct needs a field name in 'key'")
    parts = key.split(".")
    values: list[object] = []
    for _, doc in selected(coll, _query(command)):
        for value in expand(resolve(doc, parts)):
            fresh = value is not MISSING and not contains(values, value)
            if fresh and not isinstance(value, list):
                values.append(value)
    return Outcome(value=values, affected=len(values), reads=1)


def aggregate(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``aggregate``: run ``pipeline`` over the collection; an array of documents."""
    pipeline = command.arg("pipeline")
    docs = run_pipeline((doc for _, doc in coll.scan()), pipeline)
    return Outcome(value=docs, affected=len(docs), reads=len(docs))


def drop(coll: Collection, command: Command, new_id: NewId) -> Outcome:
    """``drop``: remove the collection; whether it existed."""
    existed = coll.db.drop(coll.space, coll.name)
    return Outcome(value=existed, affected=0, writes=int(existed))


READS: dict[str, Runner] = {
    "find": find,
    "findOne": find_one,
    "count": count,
    "distinct": distinct,
    "aggregate": aggregate,
    "drop": drop,
}

"""Aggregation pipelines (MongoDB manual, "Aggregation Pipeline Stages").

Stages: ``$match $project $addFields/$set $unset $group $sort $limit $skip $count
$unwind``.
``$group`` takes an ``_id`` expression (null, a field path or an object of them) and
the accumulators ``$sum $avg $min $max $push $addToSet $first $last $count``; groups
come out in the order their first document came in. Unknown stages raise
:class:`UnsupportedOperatorError` naming the stage.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from typing import Any

from aiompsls.emulator.docdb.errors import InvalidCommandError, UnsupportedOperatorError
from aiompsls.emulator.docdb.expressions import Expression, compile_expression
from aiompsls.emulator.docdb.paths import find, get, locate, put, split_path
from aiompsls.emulator.docdb.projection import compile_projection, compile_sort
from aiompsls.emulator.docdb.query import compile_filter
from aiompsls.emulator.docdb.values import (
    MISSING,
    Document,
    canonical,
    compare,
    contains,
    is_number,
)

Stage = Callable[[list[Document]], list[Document]]


def run_pipeline(docs: Iterable[Document], pipeline: object) -> list[Document]:
    """The documents that come out of ``pipeline`` fed with ``docs``."""
    stages = compile_pipeline(pipeline)
    out = list(docs)
    for stage in stages:
        out = stage(out)
    return out


def compile_pipeline(pipeline: object) -> list[Stage]:
    """Check a pipeline (an array of one-key stage objects) and compile its stages."""
    if not isinstance(pipeline, list):
        raise InvalidCommandError("pipeline must be an array of stages")
    stages: list[Stage] = []
    for stage in pipeline:
        if not isinstance(stage, dict) or len(stage) != 1:
            raise InvalidCommandError(
                "a pipeline stage is an object with exactly one key"
            )
        ((name, spec),) = stage.items()
        builder = _STAGES.get(name)
        if builder is None:
            raise UnsupportedOperatorError(name, "pipeline stage")
        stages.append(builder(spec))
    return stages


def _match(spec: object) -> Stage:
    test = compile_filter(spec)
    return lambda docs: [doc for doc in docs if test(doc)]


def _count_of(name: str, spec: object) -> int:
    if not isinstance(spec, int) or isinstance(spec, bool) or spec < 0:
        raise InvalidCommandError(f"{name} needs a non-negative integer")
    return spec


def _limit(spec: object) -> Stage:
    count = _count_of("$limit", spec)
    if count == 0:
        raise InvalidCommandError("$limit must be positive")
    return lambda docs: docs[:count]


def _skip(spec: object) -> Stage:
    count = _count_of("$skip", spec)
    return lambda docs: docs[count:]


def _sort(spec: object) -> Stage:
    sorter = compile_sort(spec)
    if sorter is None:
        raise InvalidCommandError("$sort needs at least one key")
    return sorter


def _count(spec: object) -> Stage:
    if not isinstance(spec, str) or not spec or spec.startswith("$") or "." in spec:
        raise InvalidCommandError("$count needs a field name")
    return lambda docs: [{spec: len(docs)}] if docs else []


def _computed(spec: dict[str, Any]) -> list[tuple[tuple[str, ...], Expression]]:
    return [(split_path(name), compile_expression(expr)) for name, expr in spec.items()]


def _assign(doc: Document, fields: list[tuple[tuple[str, ...], Expression]]) -> None:
    values = [(parts, expr(doc)) for parts, expr in fields]
    for parts, value in values:
        if value is not MISSING:
            put(*locate(doc, parts), copy.deepcopy(value))


def _add_fields(spec: object) -> Stage:
    if not isinstance(spec, dict) or not spec:
        raise InvalidCommandError("$addFields needs an object of fields")
    fields = _computed(spec)

    def run(docs: list[Document]) -> list[Document]:
        out = [copy.deepcopy(doc) for doc in docs]
        for doc in out:
            _assign(doc, fields)
        return out

    return run


def _unset(spec: object) -> Stage:
    names = [spec] if isinstance(spec, str) else spec
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidCommandError("$unset needs a field name or an array of them")
    return _project(dict.fromkeys(names, 0))


def _is_flag(value: object) -> bool:
    return isinstance(value, bool) or value in (0, 1)


def _project(spec: object) -> Stage:
    if not isinstance(spec, dict) or not spec:
        raise InvalidCommandError("$project needs a non-empty object")
    flags = {key: bool(value) for key, value in spec.items() if _is_flag(value)}
    computed = {key: value for key, value in spec.items() if not _is_flag(value)}
    others = {key: flag for key, flag in flags.items() if key != "_id"}
    if not computed and not any(others.values()):
        projector = compile_projection(flags)
        return lambda docs: [projector(doc) if projector else doc for doc in docs]
    if not all(others.values()):
        raise InvalidCommandError("$project cannot mix exclusion with inclusion")
    keep_id = flags.get("_id", True)
    shape = {**dict.fromkeys(others, 1), "_id": int(keep_id)}
    base = compile_projection(shape) if others or keep_id else None
    fields = _computed(computed)
    return lambda docs: [_shaped(doc, base, fields) for doc in docs]


def _shaped(
    doc: Document,
    base: Callable[[Document], Document] | None,
    fields: list[tuple[tuple[str, ...], Expression]],
) -> Document:
    shaped = copy.deepcopy(base(doc)) if base else {}
    for parts, expr in fields:
        value = expr(doc)
        if value is not MISSING:
            put(*locate(shaped, parts), value)
    return shaped


def _unwind(spec: object) -> Stage:
    options = {"path": spec} if isinstance(spec, str) else spec
    if not isinstance(options, dict):
        raise InvalidCommandError("$unwind needs a field path or an object")
    path = options.get("path")
    if not isinstance(path, str) or not path.startswith("$"):
        raise InvalidCommandError("$unwind needs a path starting with '$'")
    parts = split_path(path[1:])
    keep = bool(options.get("preserveNullAndEmptyArrays", False))
    return lambda docs: [out for doc in docs for out in _unwound(doc, parts, keep)]


def _unwound(doc: Document, parts: tuple[str, ...], keep: bool) -> list[Document]:
    where = find(doc, parts)
    value = MISSING if where is None else get(*where)
    if not isinstance(value, list):
        return [doc] if keep or value not in (None, MISSING) else []
    if not value:
        return [doc] if keep else []
    out = []
    for item in value:
        copied = copy.deepcopy(doc)
        put(*locate(copied, parts), item)
        out.append(copied)
    return out


def _sum(values: list[Any]) -> Any:
    return sum(value for value in values if is_number(value))


def _avg(values: list[Any]) -> Any:
    numbers = [value for value in values if is_number(value)]
    return sum(numbers) / len(numbers) if numbers else None


def _present(values: list[Any]) -> list[Any]:
    return [value for value in values if value is not MISSING]


def _extreme(pick: Callable[..., Any]) -> Callable[[list[Any]], Any]:
    def reduce(values: list[Any]) -> Any:
        found = [value for value in _present(values) if value is not None]
        return pick(found, key=functools.cmp_to_key(compare)) if found else None

    return reduce


def _add_to_set(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in _present(values):
        if not contains(out, value):
            out.append(value)
    return out


def _edge(index: int) -> Callable[[list[Any]], Any]:
    return lambda values: None if values[index] is MISSING else values[index]


_ACCUMULATORS: dict[str, Callable[[list[Any]], Any]] = {
    "$sum": _sum,
    "$avg": _avg,
    "$min": _extreme(min),
    "$max": _extreme(max),
    "$push": _present,
    "$addToSet": _add_to_set,
    "$first": _edge(0),
    "$last": _edge(-1),
    "$count": len,
}

Accumulator = tuple[str, Callable[[list[Any]], Any], Expression]


def _accumulator(name: str, spec: object) -> Accumulator:
    if "." in name or name.startswith("$"):
        raise InvalidCommandError(
            f"the $group field '{name}' cannot hold '.' or start with '$'"
        )
    if not isinstance(spec, dict) or len(spec) != 1:
        raise InvalidCommandError(
            f"the $group field '{name}' must be an accumulator object"
        )
    ((op, arg),) = spec.items()
    reduce = _ACCUMULATORS.get(op)
    if reduce is None:
        raise UnsupportedOperatorError(op, "accumulator")
    return name, reduce, compile_expression(arg)


def _group(spec: object) -> Stage:
    if not isinstance(spec, dict) or "_id" not in spec:
        raise InvalidCommandError("$group needs an _id")
    key_of = compile_expression(spec["_id"])
    fields = [_accumulator(k, v) for k, v in spec.items() if k != "_id"]

    def run(docs: list[Document]) -> list[Document]:
        groups: dict[str, tuple[Any, list[list[Any]]]] = {}
        for doc in docs:
            key = key_of(doc)
            key = None if key is MISSING else key
            _, columns = groups.setdefault(canonical(key), (key, [[] for _ in fields]))
            for column, (_, _, expr) in zip(columns, fields, strict=True):
                column.append(expr(doc))
        return [
            {"_id": key, **{n: r(c) for c, (n, r, _) in zip(cols, fields, strict=True)}}
            for key, cols in groups.values()
        ]

    return run


_STAGES: dict[str, Callable[[object], Stage]] = {
    "$match": _match,
    "$project": _project,
    "$addFields": _add_fields,
    "$set": _add_fields,
    "$unset": _unset,
    "$group": _group,
    "$sort": _sort,
    "$limit": _limit,
    "$skip": _skip,
    "$count": _count,
    "$unwind": _unwind,
}

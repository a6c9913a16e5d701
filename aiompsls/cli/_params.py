"""Turn ``--param NAME=VALUE`` options and ``--input`` JSON into wire parameters.

Imports: stdlib, the schema and ``aiompsls.cli._output``. Names are the API's wire
names; a list parameter is given as ``FilePaths=/a`` repeated, as ``FilePaths.1=/a``,
or as a JSON list in ``--input``. ``--param`` values win over ``--input`` values.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import NoReturn

from aiompsls._core.schema import Operation, Param
from aiompsls.cli._output import UsageError

__all__ = ["PROG", "collect", "suggest"]

PROG = "aiompsls call"
_CUTOFF = 0.6
Value = str | list[str]


def suggest(given: str, choices: Iterable[str]) -> str:
    """A `` (did you mean X?)`` hint for a misspelt name, or an empty string.

    Matching ignores case, underscores and hyphens, so ``list_space`` and
    ``listspace`` both find ``ListSpace``. Only the best matches are named: those
    within a tenth of the best score, at most three.
    """
    wanted = _fold(given)
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, wanted, _fold(choice)).ratio(), choice)
            for choice in dict.fromkeys(choices)
        ),
        key=lambda pair: -pair[0],
    )
    if not scored or scored[0][0] < _CUTOFF:
        return ""
    best = scored[0][0]
    names = [name for score, name in scored[:3] if score > best - 0.1]
    return f" (did you mean {' or '.join(names)}?)"


def _fold(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


class _Collector:
    """Gathers one source's values per parameter, rejecting repeats and mixed forms."""

    def __init__(self, operation: Operation, source: str) -> None:
        self.operation = operation
        self.source = source
        self.values: dict[str, str] = {}
        self.lists: dict[str, list[str]] = {}
        self.indexed: dict[str, dict[int, str]] = {}

    def target(self, name: str) -> tuple[Param, int | None]:
        """The parameter ``name`` refers to, and its ``.N`` index for a list."""
        param = self.operation.param(name)
        if param is not None:
            return param, None
        base, dot, index = name.rpartition(".")
        listed = self.operation.param(base) if dot else None
        is_index = index.isdecimal() and int(index) >= 1
        if listed is not None and listed.type == "list" and is_index:
            return listed, int(index)
        names = [p.name for p in self.operation.params]
        hint = suggest(base if listed else name, names)
        raise UsageError(
            f"{self.source}: {self.operation.name} has no parameter {name!r}{hint};"
            f" see '{PROG} {self.operation.name} --help'",
            prog=PROG,
        )

    def add(self, name: str, value: Value) -> None:
        """Record ``value`` for the parameter (or list item) called ``name``."""
        param, index = self.target(name)
        if param.type == "list":
            self._add_to_list(param, index, value)
        elif not isinstance(value, str):
            self._fail(f"{param.name} takes a single value, not a list")
        elif param.name in self.values:
            self._fail(f"{param.name} is given more than once")
        else:
            self.values[param.name] = value

    def _add_to_list(self, param: Param, index: int | None, value: Value) -> None:
        if index is None:
            if param.name in self.indexed:
                self._mixed(param)
            items = self.lists.setdefault(param.name, [])
            items.extend([value] if isinstance(value, str) else value)
            return
        if param.name in self.lists:
            self._mixed(param)
        if not isinstance(value, str):
            self._fail(f"{param.name}.{index} takes a single value, not a list")
        items_at = self.indexed.setdefault(param.name, {})
        if index in items_at:
            self._fail(f"{param.name}.{index} is given more than once")
        items_at[index] = value

    def result(self) -> dict[str, Value]:
        """The collected values; ``Name.N`` items must number 1, 2, 3... with no gap."""
        out: dict[str, Value] = {**self.values, **self.lists}
        for name, items in self.indexed.items():
            if sorted(items) != list(range(1, len(items) + 1)):
                found = ", ".join(f"{name}.{i}" for i in sorted(items))
                self._fail(
                    f"{name}.N must be numbered from 1 without gaps, got {found}"
                )
            out[name] = [items[i] for i in sorted(items)]
        return out

    def _mixed(self, param: Param) -> NoReturn:
        self._fail(
            f"give {param.name} either as {param.name}=... or {param.name}.N=..."
        )

    def _fail(self, message: str) -> NoReturn:
        raise UsageError(f"{self.source}: {message}", prog=PROG)


def _from_options(operation: Operation, options: Sequence[str]) -> dict[str, Value]:
    collector = _Collector(operation, "--param")
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            raise UsageError(
                f"--param {option!r}: expected NAME=VALUE, e.g. SpaceId=abc", prog=PROG
            )
        collector.add(name.strip(), value)
    return collector.result()


def _from_json(operation: Operation, data: object) -> dict[str, Value]:
    if not isinstance(data, dict):
        raise UsageError(
            f"--input: expected a JSON object of parameters, got {_kind(data)}",
            prog=PROG,
        )
    collector = _Collector(operation, "--input")
    for name, value in data.items():
        if value is None:
            continue  # null means "not given"
        param, _ = collector.target(name)
        if param.type == "list" and isinstance(value, list):
            collector.add(name, [_text(param, item, name) for item in value])
        else:
            collector.add(name, _text(param, value, name))
    return collector.result()


def _text(param: Param, value: object, name: str) -> str:
    """A JSON value as the string the wire carries."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    if param.is_json and isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    raise UsageError(
        f"--input: {name} must be a string, number or boolean, not {_kind(value)}",
        prog=PROG,
    )


def _kind(value: object) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    return kinds.get(type(value), "a number" if value is not None else "null")


def _flatten(values: Mapping[str, Value]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, list):
            raw.update({f"{name}.{i}": item for i, item in enumerate(value, 1)})
        else:
            raw[name] = value
    return raw


def collect(
    operation: Operation, *, options: Sequence[str], document: object | None
) -> dict[str, str]:
    """The raw wire parameters of a call, ready for ``decode_params``.

    Args:
        operation: The action being called.
        options: The ``--param`` values, each ``NAME=VALUE``.
        document: The parsed ``--input`` JSON, or None when there is none.

    Raises:
        UsageError: An unknown name, bad syntax, a repeated value or a value of the
            wrong JSON type; the message names the parameter.
    """
    merged = {} if document is None else _from_json(operation, document)
    merged.update(_from_options(operation, options))
    return _flatten(merged)

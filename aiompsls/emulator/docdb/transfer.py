"""Export and import files of DB tasks, streamed to and from files or byte streams.

Export (CreateDBExportTask): ``JSON`` writes one compact JSON document per line;
``CSV`` writes a header of the requested ``Fields`` and one row per document (dotted
fields reach into sub-documents; strings as they are, null and missing as empty
cells, other values as JSON). Import (CreateDBImportTask): ``JSON`` reads one
document per line or a JSON array; ``CSV`` reads a header row (dotted names make
sub-documents), turning number cells into numbers and ``{...}``/``[...]`` cells into
JSON, leaving empty cells out. Mode ``INSERT`` skips a document whose ``_id`` is
taken, ``UPSERT`` overwrites it; every skipped or unreadable record counts as failed.
A file whose first record cannot be read (or a malformed JSON array, or text that
is not UTF-8) raises :class:`InvalidFileError`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

import attrs

from aiompsls.emulator.docdb.command import NewId, prepared
from aiompsls.emulator.docdb.errors import DocDBError, InvalidFileError
from aiompsls.emulator.docdb.expressions import field_value
from aiompsls.emulator.docdb.paths import locate, put, split_path
from aiompsls.emulator.docdb.storage import Collection
from aiompsls.emulator.docdb.values import (
    MISSING,
    Document,
    dumps,
    finite_float,
    loads,
    refuse_constant,
)

Target = str | os.PathLike[str] | IO[bytes]
CHUNK = 64 * 1024
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")


@attrs.frozen(kw_only=True)
class ImportCounts:
    """How many records an import stored and how many it could not."""

    success: int
    failed: int


@contextlib.contextmanager
def _opened(target: Target, mode: str) -> Iterator[IO[bytes]]:
    if isinstance(target, str | os.PathLike):
        with open(target, mode) as stream:
            yield stream
    else:
        yield target


def export_documents(
    docs: Iterable[Document], target: Target, file_type: str, fields: Sequence[str]
) -> int:
    """Write ``docs`` as a JSON-lines or CSV export file; the documents written."""
    counted = _Counter(docs)
    with _opened(target, "wb") as out:
        for chunk in export_chunks(counted, file_type, fields):
            out.write(chunk)
    return counted.count


class _Counter:
    """An iterable over documents that counts how many were taken."""

    def __init__(self, docs: Iterable[Document]) -> None:
        self._docs = docs
        self.count = 0

    def __iter__(self) -> Iterator[Document]:
        for doc in self._docs:
            self.count += 1
            yield doc


def export_chunks(
    docs: Iterable[Document], file_type: str, fields: Sequence[str]
) -> Iterator[bytes]:
    """The export file of ``docs`` as UTF-8 chunks of about :data:`CHUNK` bytes."""
    buffer = io.StringIO()
    lines = (
        _csv_lines(docs, buffer, fields) if file_type == "CSV" else _json_lines(docs)
    )
    pending: list[str] = []
    size = 0
    for line in lines:
        pending.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(pending).encode()
            pending, size = [], 0
    if pending:
        yield "".join(pending).encode()


def _json_lines(docs: Iterable[Document]) -> Iterator[str]:
    for doc in docs:
        yield dumps(doc) + "\n"


def _csv_lines(
    docs: Iterable[Document], buffer: io.StringIO, fields: Sequence[str]
) -> Iterator[str]:
    writer = csv.writer(buffer, lineterminator="\n")
    rows = ([_cell(field_value(doc, f.split("."))) for f in fields] for doc in docs)
    for row in itertools.chain([list(fields)], rows):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _cell(value: object) -> str:
    if value is None or value is MISSING:
        return ""
    return value if isinstance(value, str) else dumps(value)


def import_documents(
    coll: Collection, source: Target, file_type: str, mode: str, new_id: NewId
) -> ImportCounts:
    """Read an import file into ``coll`` record by record."""
    success = failed = 0
    with _opened(source, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            for record in _records(text, file_type):
                stored = record is not None and _store(coll, record, mode, new_id)
                success, failed = success + stored, failed + (not stored)
        except UnicodeDecodeError as exc:
            raise InvalidFileError(f"not UTF-8 text: {exc}") from exc
        finally:
            text.detach()
    return ImportCounts(success=success, failed=failed)


def _store(coll: Collection, record: object, mode: str, new_id: NewId) -> bool:
    try:
        doc = prepared(record, new_id)
        with coll.db.transaction():
            existing = coll.by_id(doc["_id"])
            if existing is None:
                coll.insert(doc)
            elif mode == "UPSERT":
                coll.update(existing[0], doc)
            else:
                return False
    except (DocDBError, ValueError):
        return False
    return True


def _records(text: IO[str], file_type: str) -> Iterator[object | None]:
    """The records of a file; None for one that cannot be read."""
    if file_type == "CSV":
        return _csv_records(text)
    head = _skip_space(text)
    if head == "[":
        return _array_records(text)
    return _line_records(head, text)


def _skip_space(text: IO[str]) -> str:
    while True:
        char = text.read(1)
        if not char or not char.isspace():
            return char


def _line_records(head: str, text: IO[str]) -> Iterator[object | None]:
    first = [head + text.readline()] if head else []
    readable = False
    for line in itertools.chain(first, iter(text.readline, "")):
        if not line.strip():
            continue
        try:
            value = loads(line)
        except ValueError:
            if not readable:
                raise InvalidFileError(f"not a JSON document: {line[:80]!r}") from None
            yield None
            continue
        readable = True
        yield value


def _array_records(text: IO[str]) -> Iterator[object]:
    decoder = json.JSONDecoder(parse_constant=refuse_constant, parse_float=finite_float)
    buffer, done = "", False
    while True:
        buffer = buffer.lstrip().lstrip(",").lstrip()
        if buffer.startswith("]"):
            return
        try:
            value, end = decoder.raw_decode(buffer)
        except RecursionError:
            raise InvalidFileError("the JSON array nests too deeply") from None
        except ValueError:
            if done:
                raise InvalidFileError("the JSON array is malformed") from None
            chunk = text.read(CHUNK)
            buffer, done = buffer + chunk, not chunk
            continue
        yield value
        buffer = buffer[end:]


def _csv_records(text: IO[str]) -> Iterator[object | None]:
    reader = csv.DictReader(text)
    if not reader.fieldnames:
        raise InvalidFileError("the CSV file has no header row")
    for row in reader:
        try:
            yield _row_document(row)
        except DocDBError:
            yield None


def _row_document(row: dict[str | None, Any]) -> Document:
    doc: Document = {}
    for name, cell in row.items():
        if name and isinstance(cell, str) and cell:
            put(*locate(doc, split_path(name)), _typed(cell))
    return doc


def _number(cell: str) -> object:
    """A number cell as an int or a float; the text itself when it fits neither."""
    try:
        number = int(cell) if re.fullmatch(r"-?\d+", cell) else float(cell)
    except ValueError:  # more digits than Python converts
        return cell
    return cell if number in (math.inf, -math.inf) else number


def _typed(cell: str) -> object:
    if _NUMBER.fullmatch(cell):
        return _number(cell)
    if cell[0] in "[{":
        try:
            return loads(cell)
        except ValueError:
            return cell
    return cell

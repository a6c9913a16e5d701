"""The files of DB export and import tasks: JSON lines and CSV.

An export writes one JSON object per line, or a CSV with a header row of the requested
fields (nested values as JSON). An import reads the same formats (a JSON array is
accepted too); an unreadable file raises ``ValueError``.
"""

from __future__ import annotations

import csv
import io
import json

from aiompsls.emulator.records import Document


def render_export(docs: list[Document], file_type: str, fields: list[str]) -> bytes:
    """The export file of ``docs``."""
    if file_type == "CSV":
        return _render_csv(docs, fields)
    lines = (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) for doc in docs)
    return "".join(line + "\n" for line in lines).encode()


def _render_csv(docs: list[Document], fields: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for doc in docs:
        writer.writerow(_cell(doc.get(field)) for field in fields)
    return out.getvalue().encode()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_import(payload: bytes, file_type: str) -> list[Document]:
    """The documents of an import file."""
    text = payload.decode("utf-8-sig")
    if file_type == "CSV":
        return [dict(row) for row in csv.DictReader(io.StringIO(text))]
    stripped = text.strip()
    if stripped.startswith("["):
        records = json.loads(stripped)
    else:
        records = [json.loads(line) for line in stripped.splitlines() if line.strip()]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError("an import file holds JSON objects")
    return records

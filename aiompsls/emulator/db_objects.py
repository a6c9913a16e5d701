"""The files of DB import and export tasks, kept as objects of the share bucket.

A task's file is the object ``DbTask.file_key`` of the share bucket: an import's
upload arrives there by PostObject (the material CreateDBImportTask hands out), and
an export's output is written there for QueryDBExportTaskStatus's ``DownloadUrl``
(a presigned GET). These functions are the seam the database engine uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Final

from aiompsls.emulator.buckets import SHARE_BUCKET
from aiompsls.emulator.objects import ObjectInfo, ObjectStore
from aiompsls.emulator.records import DbTask

__all__ = ["EXPORT_CONTENT_TYPES", "export_info", "import_payload_path", "write_export"]

#: The content type of an export file by ``FileType``.
EXPORT_CONTENT_TYPES: Final = {"JSON": "application/json", "CSV": "text/csv"}


def import_payload_path(objects: ObjectStore, task: DbTask) -> Path | None:
    """The uploaded file of an import task, or None while nothing was uploaded.

    The file is read-only and never rewritten in place (a new upload replaces it
    with another file): open it once and stream from the handle.
    """
    return objects.path(SHARE_BUCKET, task.file_key)


def write_export(
    objects: ObjectStore, task: DbTask, chunks: Iterable[bytes], *, modified_ms: int
) -> ObjectInfo:
    """Store an export task's file from ``chunks`` (replacing an earlier one)."""
    content_type = EXPORT_CONTENT_TYPES.get(task.file_type, "application/octet-stream")
    return objects.put_chunks(
        SHARE_BUCKET,
        task.file_key,
        chunks,
        content_type=content_type,
        modified_ms=modified_ms,
    )


def export_info(objects: ObjectStore, task: DbTask) -> ObjectInfo | None:
    """The stored file of an export task, or None before it was written."""
    return objects.stat(SHARE_BUCKET, task.file_key)

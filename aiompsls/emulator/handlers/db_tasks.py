"""Handlers of DB export, import and restore tasks and backups (section 8).

By default tasks move one step per status query: a query answers with the current
status, then the task advances (export and restore WAITING -> RUNNING -> SUCCESS; import
starts at NEW). With ``TaskAdvance(mode="time")`` a task is at step ``elapsed //
step_seconds`` of the emulator clock since its first status query, and a query answers
with that step. The work is done when a task reaches SUCCESS, so the answer that first
reports SUCCESS already has the counts. An import reads the file uploaded by PostObject
and an export writes its file for a presigned download, both objects of the share bucket
(:mod:`..db_objects`); an import without an upload succeeds with nothing imported. A
backup of the space is taken on the first QueryDBBackupDumpTimes of each UTC day and
kept for seven days.
"""

from __future__ import annotations

from collections.abc import Callable

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.db_objects import import_payload_path, write_export
from aiompsls.emulator.docdb import (
    BackupInfo,
    BackupNotFoundError,
    CollectionExistsError,
    CollectionNotFoundError,
    InvalidFileError,
)
from aiompsls.emulator.handlers._common import (
    already_exists,
    invalid_param,
    iso_s,
    not_found,
    now_ms,
    space_of,
    split_list,
    state_of,
    to_datetime,
)
from aiompsls.emulator.handlers._urls import (
    SHARE_BUCKET,
    bucket_url,
    post_policy,
    presigned_url,
)
from aiompsls.emulator.objects import ObjectStore
from aiompsls.emulator.records import DbStore, DbTask
from aiompsls.emulator.state import Space

STEPS = {
    "export": ("WAITING", "RUNNING", "SUCCESS"),
    "import": ("NEW", "WAITING", "RUNNING", "SUCCESS"),
    "restore": ("WAITING", "RUNNING", "SUCCESS"),
}
IMPORT_MAX_SIZE = 100 * 1024 * 1024
BACKUP_KEEP_MS = 7 * 24 * 3600 * 1000


def _new_task(ctx: Context, space: Space, kind: str) -> DbTask:
    task_id = state_of(ctx).new_uuid()
    task = DbTask(
        task_id=task_id, kind=kind, status=STEPS[kind][0], created_ms=now_ms(ctx)
    )
    space.db.tasks[task_id] = task
    return task


def _file_key(ctx: Context, space: Space, task: DbTask, direction: str) -> str:
    stamp = f"{to_datetime(now_ms(ctx)):%Y%m%d%H%M%S}"
    extension = task.file_type.lower()
    return f"mongo/{direction}/{space.space_id}/{stamp}_{task.task_id}.{extension}"


@handles(m.CreateDBExportTaskRequest)
def create_db_export_task(
    ctx: Context, req: m.CreateDBExportTaskRequest
) -> m.CreateDBExportTaskResponse:
    """Export a collection as JSON lines or as CSV (which needs ``Fields``)."""
    space = space_of(ctx, req.space_id)
    fields = split_list(req.fields or "")
    if req.file_type == "CSV" and not fields:
        raise invalid_param("Fields", "required when FileType is CSV")
    if req.collection not in space.db.collections:
        raise not_found("Collection", "collection", req.collection)
    task = _new_task(ctx, space, "export")
    task.collection, task.file_type, task.fields = req.collection, req.file_type, fields
    task.file_key = _file_key(ctx, space, task, "export")
    return m.CreateDBExportTaskResponse(request_id=ctx.request_id, task_id=task.task_id)


@handles(m.CreateDBImportTaskRequest)
def create_db_import_task(
    ctx: Context, req: m.CreateDBImportTaskRequest
) -> m.CreateDBImportTaskResponse:
    """Open an import: the task id and the PostObject material for the file."""
    space = space_of(ctx, req.space_id)
    task = _new_task(ctx, space, "import")
    task.collection, task.file_type, task.mode = req.collection, req.file_type, req.mode
    task.file_key = _file_key(ctx, space, task, "import")
    upload = post_policy(ctx, SHARE_BUCKET, task.file_key, max_size=IMPORT_MAX_SIZE)
    return m.CreateDBImportTaskResponse(
        request_id=ctx.request_id,
        task_id=task.task_id,
        host=bucket_url(ctx, SHARE_BUCKET),
        file_key=task.file_key,
        policy=upload.policy,
        signature=upload.signature,
        access_key_id=upload.access_key_id,
        expire_time=iso_s(upload.expires * 1000),
    )


@handles(m.CreateDBRestoreTaskRequest)
def create_db_restore_task(
    ctx: Context, req: m.CreateDBRestoreTaskRequest
) -> m.CreateDBRestoreTaskResponse:
    """Restore collections of a backup under new names."""
    space = space_of(ctx, req.space_id)
    backup = _backup_of(space, req.backup_id)
    origins = split_list(req.origin_collections)
    targets = split_list(req.new_collections)
    if len(origins) != len(targets) or not origins:
        raise invalid_param("NewCollections", "must pair one to one with the origins")
    if len(set(targets)) != len(targets):
        raise invalid_param("NewCollections", "names must differ from each other")
    for origin in origins:
        if origin not in backup.collections:
            raise not_found("Collection", "collection of the backup", origin)
    for target in targets:
        if target in space.db.collections:
            raise already_exists("Collection", "collection", target)
    task = _new_task(ctx, space, "restore")
    task.backup_id = backup.backup_id
    task.origin_collections, task.new_collections = origins, targets
    return m.CreateDBRestoreTaskResponse(
        request_id=ctx.request_id, task_id=task.task_id
    )


def _task_of(space: Space, kind: str, task_id: str) -> DbTask:
    task = space.db.tasks.get(task_id)
    if task is None or task.kind != kind:
        raise not_found("TaskId", f"{kind} task", task_id)
    return task


def _poll(ctx: Context, space: Space, kind: str, task_id: str) -> tuple[DbTask, str]:
    """The task and the status to answer with (see the module docstring)."""
    task = _task_of(space, kind, task_id)
    steps = STEPS[kind]
    if ctx.task_advance.mode == "time":
        return task, _advance_by_time(ctx, space.db, task, steps)
    shown = task.status
    if shown in steps[:-1]:
        task.status = steps[steps.index(shown) + 1]
        if task.status == "SUCCESS":
            _finish(ctx, space.db, task)
    return task, shown


def _advance_by_time(
    ctx: Context, db: DbStore, task: DbTask, steps: tuple[str, ...]
) -> str:
    """Move the task to the step the clock says; its status after that."""
    moment = now_ms(ctx)
    if task.started_ms is None:
        task.started_ms = moment
    if task.status not in steps[:-1]:
        return task.status
    step_ms = max(ctx.task_advance.step_seconds * 1000, 1)
    reached = min(len(steps) - 1, int((moment - task.started_ms) // step_ms))
    if reached > steps.index(task.status):
        task.status = steps[reached]
        if task.status == "SUCCESS":
            _finish(ctx, db, task)
    return task.status


@handles(m.QueryDBExportTaskStatusRequest)
def query_db_export_task_status(
    ctx: Context, req: m.QueryDBExportTaskStatusRequest
) -> m.QueryDBExportTaskStatusResponse:
    """An export's status; the download URL and count once it succeeded."""
    task, shown = _poll(ctx, space_of(ctx, req.space_id), "export", req.task_id)
    done = shown == "SUCCESS"
    return m.QueryDBExportTaskStatusResponse(
        request_id=ctx.request_id,
        status=shown,
        exported_count=str(task.success_count) if done else None,
        download_url=presigned_url(ctx, SHARE_BUCKET, task.file_key) if done else None,
        detail_message=task.detail_message if shown == "FAILED" else None,
    )


@handles(m.QueryDBImportTaskStatusRequest)
def query_db_import_task_status(
    ctx: Context, req: m.QueryDBImportTaskStatusRequest
) -> m.QueryDBImportTaskStatusResponse:
    """An import's status; the counts once it finished."""
    task, shown = _poll(ctx, space_of(ctx, req.space_id), "import", req.task_id)
    done = shown in ("SUCCESS", "FAILED")
    return m.QueryDBImportTaskStatusResponse(
        request_id=ctx.request_id,
        status=shown,
        success_count=str(task.success_count) if done else None,
        failed_count=str(task.failed_count) if done else None,
        detail_message=task.detail_message if shown == "FAILED" else None,
    )


@handles(m.QueryDBRestoreTaskStatusRequest)
def query_db_restore_task_status(
    ctx: Context, req: m.QueryDBRestoreTaskStatusRequest
) -> m.QueryDBRestoreTaskStatusResponse:
    """A restore's status; the counts of restored collections once it finished."""
    task, shown = _poll(ctx, space_of(ctx, req.space_id), "restore", req.task_id)
    done = shown in ("SUCCESS", "FAILED")
    return m.QueryDBRestoreTaskStatusResponse(
        request_id=ctx.request_id,
        status=shown,
        success_count=task.success_count if done else None,
        failed_count=task.failed_count if done else None,
        detail_message=task.detail_message if shown == "FAILED" else None,
    )


def _finish(ctx: Context, db: DbStore, task: DbTask) -> None:
    """Do a task's work as it reaches SUCCESS; a problem turns it FAILED."""
    objects = state_of(ctx).objects
    if task.kind == "export":
        _export(db, task, objects, now_ms(ctx))
    elif task.kind == "import":
        _import(db, task, objects, lambda: state_of(ctx).new_hex(24))
    else:
        _restore(db, task)


def _fail(task: DbTask, message: str) -> None:
    task.status = "FAILED"
    task.detail_message = message


def _export(db: DbStore, task: DbTask, objects: ObjectStore, moment: int) -> None:
    """Write the collection's export file to the share bucket, streamed."""
    try:
        chunks = db.docs.export_chunks(task.collection, task.file_type, task.fields)
    except CollectionNotFoundError:
        _fail(task, f"COLLECTION_NOT_FOUND: {task.collection}")
        return
    task.success_count = db.docs.count(task.collection)
    write_export(objects, task, chunks, modified_ms=moment)


def _import(
    db: DbStore, task: DbTask, objects: ObjectStore, new_id: Callable[[], str]
) -> None:
    """Read the uploaded file (PostObject to the share bucket); none: nothing to do."""
    payload = import_payload_path(objects, task)
    if payload is None:
        return
    try:
        counts = db.docs.import_file(
            task.collection, payload, task.file_type, task.mode, new_id=new_id
        )
    except InvalidFileError as exc:
        _fail(task, f"INVALID_FILE: {exc.message}")
        return
    task.success_count, task.failed_count = counts.success, counts.failed


def _restore(db: DbStore, task: DbTask) -> None:
    """Copy the backup's collections; the counts are of documents (records)."""
    pairs = list(zip(task.origin_collections, task.new_collections, strict=True))
    try:
        task.success_count = db.docs.restore(task.backup_id, pairs)
    except CollectionExistsError as exc:
        _fail(task, f"COLLECTION_EXISTS: {exc.collection}")
        task.failed_count = db.docs.backup_size(task.backup_id, task.origin_collections)
    except BackupNotFoundError:
        _fail(task, "BACKUP_EXPIRED")


def take_backup(space: Space, dump_ms: int) -> BackupInfo:
    """Snapshot the space's collections now (the daily backup)."""
    backup_id = f"{to_datetime(dump_ms):%Y%m%d%H%M%S}_{space.space_id}"
    return space.db.docs.backup(backup_id, dump_ms)


def _daily_backups(ctx: Context, space: Space) -> list[BackupInfo]:
    moment = now_ms(ctx)
    docs = space.db.docs
    for backup in docs.backups():
        if backup.dump_ms < moment - BACKUP_KEEP_MS:
            docs.delete_backup(backup.backup_id)
    today = f"{to_datetime(moment):%Y-%m-%d}"
    kept = docs.backups()
    if not any(f"{to_datetime(b.dump_ms):%Y-%m-%d}" == today for b in kept):
        take_backup(space, moment)
    return docs.backups()


def _backup_of(space: Space, backup_id: str) -> BackupInfo:
    try:
        return space.db.docs.backup_info(backup_id)
    except BackupNotFoundError:
        raise not_found("BackupId", "backup", backup_id) from None


@handles(m.QueryDBBackupDumpTimesRequest)
def query_db_backup_dump_times(
    ctx: Context, req: m.QueryDBBackupDumpTimesRequest
) -> m.QueryDBBackupDumpTimesResponse:
    """The backups of the last seven days, oldest first."""
    backups = _daily_backups(ctx, space_of(ctx, req.space_id))
    return m.QueryDBBackupDumpTimesResponse(
        request_id=ctx.request_id,
        backup_dump_times=tuple(
            m.QueryDBBackupDumpTimesBackupDumpTimes(
                backup_id=backup.backup_id, dump_time=iso_s(backup.dump_ms)
            )
            for backup in backups
        ),
    )


@handles(m.QueryDBBackupCollectionsRequest)
def query_db_backup_collections(
    ctx: Context, req: m.QueryDBBackupCollectionsRequest
) -> m.QueryDBBackupCollectionsResponse:
    """The names of the collections a backup holds."""
    backup = _backup_of(space_of(ctx, req.space_id), req.backup_id)
    return m.QueryDBBackupCollectionsResponse(
        request_id=ctx.request_id, collections=tuple(sorted(backup.collections))
    )

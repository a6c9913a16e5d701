"""Handlers of the database command actions (section 8 of the API reference).

The commands run on the space's :class:`~aiompsls.emulator.docdb.SpaceDB` (SQLite
with MongoDB semantics); export, import, restore and backups are in ``db_tasks``.
:func:`service_error` turns the database's errors into service-style answers.
"""

from __future__ import annotations

from collections.abc import Callable

from aiompsls import models as m
from aiompsls.emulator._registry import Context, EmulatedError, handles
from aiompsls.emulator.docdb import (
    BackupNotFoundError,
    CollectionExistsError,
    CollectionNotFoundError,
    DocDBError,
    DuplicateKeyError,
    parse_command,
)
from aiompsls.emulator.docdb.values import loads
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    OK,
    already_exists,
    invalid_param,
    not_found,
    space_of,
    state_of,
)


def service_error(exc: DocDBError) -> EmulatedError:
    """The service answer for a database error.

    ``Document.AlreadyExists`` / ``Collection.AlreadyExists`` (409),
    ``InvalidCollection.NotFound`` / ``InvalidBackupId.NotFound`` (404), and
    ``InvalidParameter`` naming ``Body`` (400) for everything else.
    """
    if isinstance(exc, DuplicateKeyError):
        return already_exists("Document", "document _id", exc.id_text)
    if isinstance(exc, CollectionNotFoundError):
        return not_found("Collection", "collection", exc.collection)
    if isinstance(exc, CollectionExistsError):
        return already_exists("Collection", "collection", exc.collection)
    if isinstance(exc, BackupNotFoundError):
        return not_found("BackupId", "backup", exc.backup_id)
    return invalid_param("Body", exc.message)


def new_id_of(ctx: Context) -> Callable[[], str]:
    """The id factory of ``_id`` values: the state's deterministic 24-hex ids."""
    return lambda: state_of(ctx).new_hex(24)


@handles(m.RunDBCommandRequest)
def run_db_command(ctx: Context, req: m.RunDBCommandRequest) -> m.RunDBCommandResponse:
    """Run one command of the document database."""
    space = space_of(ctx, req.space_id)
    try:
        outcome = space.db.docs.run(req.body, new_id=new_id_of(ctx))
    except DocDBError as exc:
        raise service_error(exc) from exc
    usage = space.usage.on(ctx.now)
    usage.db_reads += outcome.reads
    usage.db_writes += outcome.writes
    return m.RunDBCommandResponse(
        request_id=ctx.request_id,
        result=outcome.result,
        affected_docs=outcome.affected,
        http_status_code=HTTP_OK,
        success=True,
        code=OK,
    )


def _drop_target(body: str) -> str:
    """The collection a DeleteDBCollection Body names (``command`` may be omitted)."""
    try:
        parsed = loads(body)
        if isinstance(parsed, dict):
            parsed.setdefault("command", "drop")
        command = parse_command(parsed)
    except (DocDBError, ValueError) as exc:
        raise invalid_param("Body", str(exc)) from exc
    if command.name != "drop":
        raise invalid_param("Body", f"expected the drop command, got '{command.name}'")
    return command.collection


@handles(m.DeleteDBCollectionRequest)
def delete_db_collection(
    ctx: Context, req: m.DeleteDBCollectionRequest
) -> m.DeleteDBCollectionResponse:
    """Drop a collection (``{"command": "drop", "collection": ...}``).

    AffectedDocs is the number of documents the collection held.
    """
    docs = space_of(ctx, req.space_id).db.docs
    name = _drop_target(req.body)
    if not docs.has_collection(name):
        raise not_found("Collection", "collection", name)
    held = docs.collection(name).count()
    docs.drop(name)
    return m.DeleteDBCollectionResponse(
        request_id=ctx.request_id, result="true", affected_docs=held
    )


@handles(m.RenameDBCollectionRequest)
def rename_db_collection(
    ctx: Context, req: m.RenameDBCollectionRequest
) -> m.RenameDBCollectionResponse:
    """Rename an existing collection to a name no collection has."""
    docs = space_of(ctx, req.space_id).db.docs
    try:
        docs.rename(req.origin_collection, req.new_collection)
    except DocDBError as exc:
        raise service_error(exc) from exc
    return m.RenameDBCollectionResponse(request_id=ctx.request_id)

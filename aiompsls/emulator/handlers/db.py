"""Handlers of the database command actions (section 8 of the API reference).

Export, import, restore and backups are in ``db_tasks``; the commands themselves in
``_docstore``.
"""

from __future__ import annotations

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    OK,
    already_exists,
    invalid_param,
    not_found,
    space_of,
    state_of,
    usage_today,
)
from aiompsls.emulator.handlers._docstore import parse_command, run_command


@handles(m.RunDBCommandRequest)
def run_db_command(ctx: Context, req: m.RunDBCommandRequest) -> m.RunDBCommandResponse:
    """Run one command of the document store."""
    space = space_of(ctx, req.space_id)
    command = parse_command(req.body)
    outcome = run_command(
        space.db.collections, command, lambda: state_of(ctx).new_hex(24)
    )
    usage = usage_today(ctx, space)
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


@handles(m.DeleteDBCollectionRequest)
def delete_db_collection(
    ctx: Context, req: m.DeleteDBCollectionRequest
) -> m.DeleteDBCollectionResponse:
    """Drop a collection (``{"command": "drop", "collection": ...}``)."""
    space = space_of(ctx, req.space_id)
    command = parse_command(req.body)
    if command.name != "drop":
        raise invalid_param("Body", f"expected the drop command, got '{command.name}'")
    if command.collection not in space.db.collections:
        raise not_found("Collection", "collection", command.collection)
    del space.db.collections[command.collection]
    return m.DeleteDBCollectionResponse(
        request_id=ctx.request_id, result="true", affected_docs=0
    )


@handles(m.RenameDBCollectionRequest)
def rename_db_collection(
    ctx: Context, req: m.RenameDBCollectionRequest
) -> m.RenameDBCollectionResponse:
    """Rename an existing collection to a name no collection has."""
    collections = space_of(ctx, req.space_id).db.collections
    if req.origin_collection not in collections:
        raise not_found("Collection", "collection", req.origin_collection)
    if req.new_collection in collections:
        raise already_exists("Collection", "collection", req.new_collection)
    collections[req.new_collection] = collections.pop(req.origin_collection)
    return m.RenameDBCollectionResponse(request_id=ctx.request_id)

"""Handlers of the static website files (section 15 of the API reference).

Files are the objects ``<SpaceId>/<path>`` of the static bucket in the object store
(:mod:`aiompsls.emulator.objects`); ``path`` is kept without a leading slash and
requests may write one. Uploads arrive through the OSS side as PostObject forms with
the material of GetWebHostingUploadCredential (an STS key and its token); a FilePath
ending in ``/`` allows any file under it. ``Marker``/``NextMarker`` are full object
keys: a page lists the keys after the marker, and NextMarker is set while more remain.
"""

from __future__ import annotations

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    SUCCESS,
    invalid_param,
    not_found,
    now_ms,
    state_of,
)
from aiompsls.emulator.handlers._urls import (
    STATIC_BUCKET,
    bucket_url,
    post_policy,
    presigned_url,
)
from aiompsls.emulator.handlers.webhosting import opened
from aiompsls.emulator.objects import ObjectInfo, ObjectStore

UPLOAD_MAX_SIZE = 52428800
SIGNED_URL_TTL = 1800
PAGE_SIZE = 50


def hosting_files(
    objects: ObjectStore, space_id: str, prefix: str = ""
) -> list[ObjectInfo]:
    """Every file of a space's static website under ``prefix``, in key order."""
    return objects.list_objects(STATIC_BUCKET, prefix=f"{space_id}/{prefix}")


def put_hosting_file(
    objects: ObjectStore,
    space_id: str,
    path: str,
    data: bytes,
    *,
    content_type: str,
    modified_ms: int,
) -> ObjectInfo:
    """Store a static website file directly, as a PostObject upload would."""
    key = f"{space_id}/{path.lstrip('/')}"
    return objects.put_bytes(
        STATIC_BUCKET, key, data, content_type=content_type, modified_ms=modified_ms
    )


def _path(name: str, value: str) -> str:
    path = value.lstrip("/")
    if not path:
        raise invalid_param(name, "names no file")
    return path


@handles(m.GetWebHostingUploadCredentialRequest)
def get_web_hosting_upload_credential(
    ctx: Context, req: m.GetWebHostingUploadCredentialRequest
) -> m.GetWebHostingUploadCredentialResponse:
    """PostObject material for one file, or for every file under a directory."""
    opened(ctx, req.space_id)
    path = req.file_path.lstrip("/")
    directory = path == "" or path.endswith("/")
    key = f"{req.space_id}/{path}"
    upload = post_policy(
        ctx, STATIC_BUCKET, key, max_size=UPLOAD_MAX_SIZE, prefix=directory, sts=True
    )
    data = m.GetWebHostingUploadCredentialData(
        access_key_id=upload.access_key_id,
        security_token=upload.security_token,
        endpoint=bucket_url(ctx, STATIC_BUCKET),
        bucket_name=STATIC_BUCKET,
        file_path=req.file_path,
        policy=upload.policy,
        signature=upload.signature,
        expired_time=upload.expires,
    )
    return m.GetWebHostingUploadCredentialResponse(
        request_id=ctx.request_id,
        data=data,
        http_status_code=HTTP_OK,
        code=SUCCESS,
        success="true",
    )


@handles(m.ListWebHostingFilesRequest)
def list_web_hosting_files(
    ctx: Context, req: m.ListWebHostingFilesRequest
) -> m.ListWebHostingFilesResponse:
    """A page of the files under ``Prefix`` after ``Marker``, in key order."""
    opened(ctx, req.space_id)
    size = req.page_size or PAGE_SIZE
    found = state_of(ctx).objects.list_objects(
        STATIC_BUCKET,
        prefix=f"{req.space_id}/{req.prefix.lstrip('/')}",
        marker=req.marker or "",
        limit=size + 1,
    )
    chosen = found[:size]
    files = tuple(_item(ctx, req.space_id, info) for info in chosen)
    data = m.ListWebHostingFilesData(
        count=len(files),
        next_marker=chosen[-1].key if len(found) > size else None,
        web_hosting_files=files,
    )
    return m.ListWebHostingFilesResponse(
        request_id=ctx.request_id,
        data=data,
        http_status_code=HTTP_OK,
        code=SUCCESS,
        success=True,
    )


def _item(
    ctx: Context, space_id: str, info: ObjectInfo
) -> m.ListWebHostingFilesWebHostingFiles:
    return m.ListWebHostingFilesWebHostingFiles(
        file_path=_path_of(space_id, info),
        content_type=info.content_type,
        etag=info.etag,
        size=info.size,
        last_modified_time=info.modified_ms,
        signed_url=_signed(ctx, info),
    )


def _path_of(space_id: str, info: ObjectInfo) -> str:
    return info.key.removeprefix(f"{space_id}/")


def _signed(ctx: Context, info: ObjectInfo) -> str:
    return presigned_url(ctx, STATIC_BUCKET, info.key, ttl=SIGNED_URL_TTL)


@handles(m.DescribeWebHostingFileRequest)
def describe_web_hosting_file(
    ctx: Context, req: m.DescribeWebHostingFileRequest
) -> m.DescribeWebHostingFileResponse:
    """One file's details; ``Exists`` false and nothing else when there is none."""
    opened(ctx, req.space_id)
    key = f"{req.space_id}/{_path('FilePath', req.file_path)}"
    info = state_of(ctx).objects.stat(STATIC_BUCKET, key)
    if info is None:
        data = m.DescribeWebHostingFileData(exists=False, file_path=req.file_path)
    else:
        data = m.DescribeWebHostingFileData(
            exists=True,
            file_path=req.file_path,
            content_type=info.content_type,
            etag=info.etag,
            size=info.size,
            last_modified_time=info.modified_ms,
            signed_url=_signed(ctx, info),
        )
    return m.DescribeWebHostingFileResponse(request_id=ctx.request_id, data=data)


@handles(m.DeleteWebHostingFileRequest)
def delete_web_hosting_file(
    ctx: Context, req: m.DeleteWebHostingFileRequest
) -> m.DeleteWebHostingFileResponse:
    """Delete one file."""
    opened(ctx, req.space_id)
    key = f"{req.space_id}/{_path('FilePath', req.file_path)}"
    if not state_of(ctx).objects.delete(STATIC_BUCKET, key):
        raise not_found("FilePath", "file", req.file_path)
    return m.DeleteWebHostingFileResponse(
        request_id=ctx.request_id,
        data=True,
        http_status_code=HTTP_OK,
        code=SUCCESS,
        success=True,
    )


@handles(m.BatchDeleteWebHostingFilesRequest)
def batch_delete_web_hosting_files(
    ctx: Context, req: m.BatchDeleteWebHostingFilesRequest
) -> m.BatchDeleteWebHostingFilesResponse:
    """Delete several files; paths that name no file are skipped, as OSS does."""
    opened(ctx, req.space_id)
    paths = [_path("FilePaths", value) for value in req.file_paths]
    objects = state_of(ctx).objects
    for path in paths:
        objects.delete(STATIC_BUCKET, f"{req.space_id}/{path}")
    return m.BatchDeleteWebHostingFilesResponse(request_id=ctx.request_id, data=True)


@handles(m.MoveWebHostingFileRequest)
def move_web_hosting_file(
    ctx: Context, req: m.MoveWebHostingFileRequest
) -> m.MoveWebHostingFileResponse:
    """Move a file, or every file under a directory, replacing what is in the way."""
    opened(ctx, req.space_id)
    head = f"{req.space_id}/"
    source = head + _path("SourceFilePath", req.source_file_path)
    target = head + _path("TargetFilePath", req.target_file_path)
    objects = state_of(ctx).objects
    if objects.stat(STATIC_BUCKET, source) is not None:
        moves = {source: target}
    else:
        old, new = source.rstrip("/") + "/", target.rstrip("/") + "/"
        moves = {
            info.key: new + info.key[len(old) :]
            for info in objects.list_objects(STATIC_BUCKET, prefix=old)
        }
    if not moves:
        raise not_found("FilePath", "file", req.source_file_path)
    _move_all(state_of(ctx).objects, moves, now_ms(ctx))
    return m.MoveWebHostingFileResponse(request_id=ctx.request_id, data=True)


def _move_all(objects: ObjectStore, moves: dict[str, str], moment: int) -> None:
    """Move every key at once: a target may be another move's source."""
    parked = [(f"{new}\0moving", new) for new in moves.values()]
    for old, (temporary, _) in zip(moves, parked, strict=True):
        objects.move(STATIC_BUCKET, old, STATIC_BUCKET, temporary, modified_ms=moment)
    for temporary, new in parked:
        objects.move(STATIC_BUCKET, temporary, STATIC_BUCKET, new, modified_ms=moment)

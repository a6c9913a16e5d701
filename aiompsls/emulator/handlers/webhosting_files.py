"""Handlers of the static website files (section 15 of the API reference).

Files are objects ``<SpaceId>/<path>`` of the static bucket; ``path`` is kept without
a leading slash and requests may write one. ``Marker``/``NextMarker`` are full object
keys: a page lists the keys after the marker, and NextMarker is set while more remain.
Uploads arrive through the OSS side (:func:`put_web_file`) with the PostObject material
of GetWebHostingUploadCredential; a FilePath ending in ``/`` allows any file under it.
"""

from __future__ import annotations

import hashlib

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    SUCCESS,
    invalid_param,
    not_found,
    state_of,
)
from aiompsls.emulator.handlers._urls import (
    STATIC_BUCKET,
    bucket_url,
    post_policy,
    presigned_url,
)
from aiompsls.emulator.handlers.webhosting import opened
from aiompsls.emulator.records import WebFile, WebHostingStore

UPLOAD_MAX_SIZE = 52428800
SIGNED_URL_TTL = 1800


def put_web_file(
    hosting: WebHostingStore, path: str, data: bytes, content_type: str, moment: int
) -> WebFile:
    """Store an uploaded file; its ETag is the quoted upper-case MD5 of the data."""
    etag = '"' + hashlib.md5(data, usedforsecurity=False).hexdigest().upper() + '"'
    stored = WebFile(
        path=path.lstrip("/"),
        content_type=content_type,
        size=len(data),
        etag=etag,
        last_modified_ms=moment,
        data=data,
    )
    hosting.files[stored.path] = stored
    return stored


def _path(name: str, value: str) -> str:
    path = value.lstrip("/")
    if not path:
        raise invalid_param(name, "names no file")
    return path


def _signed(ctx: Context, space_id: str, path: str) -> str:
    key = f"{space_id}/{path}"
    return presigned_url(ctx, STATIC_BUCKET, key, ttl=SIGNED_URL_TTL)


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
        ctx, STATIC_BUCKET, key, max_size=UPLOAD_MAX_SIZE, prefix=directory
    )
    data = m.GetWebHostingUploadCredentialData(
        access_key_id=upload.access_key_id,
        security_token=state_of(ctx).new_token(32),
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
    hosting = opened(ctx, req.space_id)
    prefix = f"{req.space_id}/{req.prefix.lstrip('/')}"
    marker = req.marker or ""
    keys = sorted(
        key
        for key in (f"{req.space_id}/{path}" for path in hosting.files)
        if key.startswith(prefix) and key > marker
    )
    size = req.page_size or 50
    chosen = keys[:size]
    files = tuple(
        _item(ctx, req.space_id, hosting.files[key.split("/", 1)[1]]) for key in chosen
    )
    data = m.ListWebHostingFilesData(
        count=len(files),
        next_marker=chosen[-1] if len(keys) > size else None,
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
    ctx: Context, space_id: str, stored: WebFile
) -> m.ListWebHostingFilesWebHostingFiles:
    return m.ListWebHostingFilesWebHostingFiles(
        file_path=stored.path,
        content_type=stored.content_type,
        etag=stored.etag,
        size=stored.size,
        last_modified_time=stored.last_modified_ms,
        signed_url=_signed(ctx, space_id, stored.path),
    )


@handles(m.DescribeWebHostingFileRequest)
def describe_web_hosting_file(
    ctx: Context, req: m.DescribeWebHostingFileRequest
) -> m.DescribeWebHostingFileResponse:
    """One file's details; ``Exists`` false and nothing else when there is none."""
    hosting = opened(ctx, req.space_id)
    stored = hosting.files.get(_path("FilePath", req.file_path))
    if stored is None:
        data = m.DescribeWebHostingFileData(exists=False, file_path=req.file_path)
    else:
        data = m.DescribeWebHostingFileData(
            exists=True,
            file_path=req.file_path,
            content_type=stored.content_type,
            etag=stored.etag,
            size=stored.size,
            last_modified_time=stored.last_modified_ms,
            signed_url=_signed(ctx, req.space_id, stored.path),
        )
    return m.DescribeWebHostingFileResponse(request_id=ctx.request_id, data=data)


@handles(m.DeleteWebHostingFileRequest)
def delete_web_hosting_file(
    ctx: Context, req: m.DeleteWebHostingFileRequest
) -> m.DeleteWebHostingFileResponse:
    """Delete one file."""
    hosting = opened(ctx, req.space_id)
    if hosting.files.pop(_path("FilePath", req.file_path), None) is None:
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
    hosting = opened(ctx, req.space_id)
    paths = [_path("FilePaths", value) for value in req.file_paths]
    for path in paths:
        hosting.files.pop(path, None)
    return m.BatchDeleteWebHostingFilesResponse(request_id=ctx.request_id, data=True)


@handles(m.MoveWebHostingFileRequest)
def move_web_hosting_file(
    ctx: Context, req: m.MoveWebHostingFileRequest
) -> m.MoveWebHostingFileResponse:
    """Move a file, or every file under a directory, replacing what is in the way."""
    hosting = opened(ctx, req.space_id)
    source = _path("SourceFilePath", req.source_file_path)
    target = _path("TargetFilePath", req.target_file_path)
    if source in hosting.files:
        moves = {source: target}
    else:
        head, new_head = source.rstrip("/") + "/", target.rstrip("/") + "/"
        moves = {
            path: new_head + path[len(head) :]
            for path in hosting.files
            if path.startswith(head)
        }
    if not moves:
        raise not_found("FilePath", "file", req.source_file_path)
    moved = {new: hosting.files.pop(old) for old, new in moves.items()}
    for new, stored in moved.items():
        stored.path = new
        hosting.files[new] = stored
    return m.MoveWebHostingFileResponse(request_id=ctx.request_id, data=True)

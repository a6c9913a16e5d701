"""Handlers of the file storage actions (section 9 of the API reference).

A file goes through DescribeFileUploadSignedUrl (an id and a presigned PUT URL
signed for the declared ContentType), the upload to the OSS side, then RegisterFile,
which makes it visible to ListFile with the stored object's size and type. Files are
objects of the public-read file bucket, so ListFile's URLs need no signature.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    OK,
    invalid_param,
    iso_ms,
    not_found,
    now_ms,
    paginate,
    space_of,
    split_list,
    state_of,
)
from aiompsls.emulator.handlers._urls import FILE_BUCKET, object_url, presigned_url
from aiompsls.emulator.records import StoredFile
from aiompsls.emulator.state import Space


def _suffix(filename: str, content_type: str) -> str:
    suffix = PurePosixPath(filename).suffix
    if not suffix and content_type and "/" not in content_type:
        suffix = "." + content_type
    return suffix


@handles(m.DescribeFileUploadSignedUrlRequest)
def describe_file_upload_signed_url(
    ctx: Context, req: m.DescribeFileUploadSignedUrlRequest
) -> m.DescribeFileUploadSignedUrlResponse:
    """Mint a file id and a presigned PUT URL signed for ``ContentType``."""
    space = space_of(ctx, req.space_id)
    file_id = state_of(ctx).new_uuid()
    moment = now_ms(ctx)
    suffix = _suffix(req.filename, req.content_type)
    stored = StoredFile(
        file_id=file_id,
        name=req.filename,
        content_type=req.content_type,
        size=req.size,
        object_key=f"{space.space_id}/{file_id}{suffix}",
        created_ms=moment,
        modified_ms=moment,
    )
    space.files.files[file_id] = stored
    url = presigned_url(
        ctx, FILE_BUCKET, stored.object_key, method="PUT", content_type=req.content_type
    )
    return m.DescribeFileUploadSignedUrlResponse(
        request_id=ctx.request_id,
        id=file_id,
        sign_url=url,
        http_status_code=HTTP_OK,
        code=OK,
        success=True,
    )


def _file_of(space: Space, file_id: str) -> StoredFile:
    found = space.files.files.get(file_id)
    if found is None:
        raise not_found("FileId", "file", file_id)
    return found


@handles(m.RegisterFileRequest)
def register_file(ctx: Context, req: m.RegisterFileRequest) -> m.RegisterFileResponse:
    """Make an uploaded file visible; ``InvalidParameter`` before its upload."""
    space = space_of(ctx, req.space_id)
    stored = _file_of(space, req.id)
    info = state_of(ctx).objects.stat(FILE_BUCKET, stored.object_key)
    if info is None:
        raise invalid_param("Id", "the file was not uploaded to its SignUrl")
    stored.size, stored.content_type = info.size, info.content_type
    if not stored.registered:
        stored.registered = True
        stored.modified_ms = now_ms(ctx)
        space.usage.on(ctx.now).storage_uploads += 1
    return m.RegisterFileResponse(request_id=ctx.request_id)


@handles(m.ListFileRequest)
def list_file(ctx: Context, req: m.ListFileRequest) -> m.ListFileResponse:
    """The registered files, filtered by ``Keyword`` and ``FileId`` (ids or URLs)."""
    space = space_of(ctx, req.space_id)
    wanted = set(split_list(req.file_id or ""))
    keyword = (req.keyword or "").lower()
    files = [
        (stored, object_url(ctx, FILE_BUCKET, stored.object_key))
        for stored in space.files.files.values()
        if stored.registered and keyword in stored.name.lower()
    ]
    if wanted:
        files = [(f, url) for f, url in files if f.file_id in wanted or url in wanted]
    page = paginate(files, req.page_num or 1, req.page_size or 10)
    return m.ListFileResponse(
        request_id=ctx.request_id,
        paginator=page.paginator(m.ListFilePaginator),
        data_list=tuple(_item(stored, url) for stored, url in page.items),
    )


def _item(stored: StoredFile, url: str) -> m.ListFileDataList:
    return m.ListFileDataList(
        id=stored.file_id,
        name=stored.name,
        type=stored.content_type,
        size=stored.size,
        url=url,
        gmt_create=iso_ms(stored.created_ms),
        gmt_modified=iso_ms(stored.modified_ms),
    )


@handles(m.DeleteFileRequest)
def delete_file(ctx: Context, req: m.DeleteFileRequest) -> m.DeleteFileResponse:
    """Delete up to 50 files; nothing is deleted when one id is unknown."""
    space = space_of(ctx, req.space_id)
    ids = split_list(req.id)
    for file_id in ids:
        _file_of(space, file_id)
    objects = state_of(ctx).objects
    for file_id in ids:
        stored = space.files.files.pop(file_id, None)
        if stored is not None:
            objects.delete(FILE_BUCKET, stored.object_key)
    return m.DeleteFileResponse(request_id=ctx.request_id)

"""PostObject: a ``multipart/form-data`` upload to ``POST /_oss/<bucket>``.

The form's fields (names case-insensitive) come first and ``file`` last; fields after
the file are ignored. The credentials are checked (OSSAccessKeyId, policy and
Signature together, the STS ``x-oss-security-token``, the signature of the policy),
then the policy (:mod:`aiompsls._core.oss_policy`: expiration, then every condition,
``key`` before ``${filename}`` is expanded). The file streams into the object store;
its size is held to the policy's content-length-range (400 ``EntityTooLarge`` as soon
as it is exceeded, ``EntityTooSmall`` at the end) and nothing is stored on any error.
Success answers ``success_action_status``: 200 (empty), 201 (``PostResponse`` XML) or
204 (empty, also for a missing or invalid value), with the ``ETag``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
from urllib.parse import quote
from xml.sax.saxutils import escape

from aiohttp import BodyPartReader, web
from aiohttp.hdrs import CONTENT_TYPE

from aiompsls._core.oss import Denial
from aiompsls._core.oss_policy import (
    PostPolicy,
    authorize_post,
    check_fields,
    check_length,
    length_range,
    parse_policy,
    too_large,
)
from aiompsls.emulator.oss_common import (
    OSS_PREFIX,
    OssFaultError,
    content_type_for,
    malformed_post,
    valid_key,
)
from aiompsls.emulator.uploads import ObjectTooLargeError

if TYPE_CHECKING:
    from aiompsls.emulator.app import Gateway
    from aiompsls.emulator.buckets import Bucket
    from aiompsls.emulator.objects import ObjectInfo

__all__ = ["FORM_MAX_BYTES", "post_object"]

#: The most bytes the fields before ``file`` may hold together.
FORM_MAX_BYTES: Final = 64 * 1024
_READ_SIZE = 64 * 1024


async def post_object(
    gateway: Gateway, request: web.Request, bucket: Bucket, request_id: str
) -> web.Response:
    """Answer one PostObject request to ``bucket``; OssFaultError on an error."""
    fields, part = await _read_form(request)
    template = _key_template(fields)
    _deny(authorize_post(fields, gateway.state.oss_keys()))
    policy = parse_policy(fields["policy"])
    if isinstance(policy, Denial):
        raise OssFaultError(policy)
    _deny(check_fields(policy, fields, bucket=bucket.name, now=gateway.now()))
    if part is None:
        raise OssFaultError(malformed_post("there is no file field"))
    key = _object_key(template, part.filename)
    content_type = (
        fields.get("x-oss-content-type")
        or fields.get("content-type")
        or part.headers.get(CONTENT_TYPE)
        or content_type_for(key)
    )
    modified_ms = int(gateway.now().timestamp() * 1000)
    info = await _store(gateway, bucket, key, part, policy, (content_type, modified_ms))
    return _success(request, info, fields.get("success_action_status"), request_id)


def _deny(denial: Denial | None) -> None:
    if denial is not None:
        raise OssFaultError(denial)


async def _read_form(
    request: web.Request,
) -> tuple[dict[str, str], BodyPartReader | None]:
    """The fields before ``file`` by lower-case name, and the file part (if any)."""
    if request.content_type != "multipart/form-data":
        raise OssFaultError(
            malformed_post("the Content-Type is not multipart/form-data")
        )
    fields: dict[str, str] = {}
    budget = FORM_MAX_BYTES
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise OssFaultError(malformed_post("a field holds a nested multipart"))
            name = (part.name or "").lower()
            if name == "file":
                return fields, part
            value = await _read_value(part, budget)
            budget -= len(value)
            fields.setdefault(name, value.decode())
    except (ValueError, AssertionError) as exc:
        raise OssFaultError(malformed_post(str(exc) or type(exc).__name__)) from None
    return fields, None


async def _read_value(part: BodyPartReader, budget: int) -> bytes:
    value = bytearray()
    while chunk := await part.read_chunk(_READ_SIZE):
        value += chunk
        if len(value) > budget:
            raise OssFaultError(malformed_post("the form fields exceed 64 KiB"))
    return bytes(value)


def _key_template(fields: dict[str, str]) -> str:
    """The ``key`` field; ``InvalidArgument`` (400) when the form has none."""
    template = fields.get("key")
    if not template:
        raise OssFaultError(
            Denial(
                status=400,
                code="InvalidArgument",
                message="The form field 'key' is required.",
                details=(("ArgumentName", "key"),),
            )
        )
    return template


def _object_key(template: str, filename: str | None) -> str:
    """The key with ``${filename}`` expanded to the file's base name."""
    basename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return valid_key(template.replace("${filename}", basename))


async def _store(
    gateway: Gateway,
    bucket: Bucket,
    key: str,
    part: BodyPartReader,
    policy: PostPolicy,
    meta: tuple[str, int],
) -> ObjectInfo:
    """Stream the file into the store within the policy's size range."""
    bounds = length_range(policy)
    limit = (
        bucket.max_object_size
        if bounds is None
        else min(bounds[1], bucket.max_object_size)
    )
    async with gateway.state.objects.begin(bucket.name, key, limit=limit) as pending:
        try:
            while chunk := await part.read_chunk(_READ_SIZE):
                await pending.write(chunk)
        except ObjectTooLargeError as exc:
            raise OssFaultError(too_large(exc.size, limit)) from None
        _deny(check_length(policy, pending.size))
        content_type, modified_ms = meta
        return await pending.commit(content_type=content_type, modified_ms=modified_ms)


def _success(
    request: web.Request, info: ObjectInfo, status: str | None, request_id: str
) -> web.Response:
    headers = {"ETag": info.etag, "x-oss-request-id": request_id}
    if status == "200":
        return web.Response(status=200, headers=headers)
    if status != "201":
        return web.Response(status=204, headers=headers)
    origin = str(request.url.origin())
    location = f"{origin}{OSS_PREFIX}/{info.bucket}/{quote(info.key, safe='/')}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
        f"<Bucket>{escape(info.bucket)}</Bucket><Location>{escape(location)}</Location>"
        f"<Key>{escape(info.key)}</Key><ETag>{escape(info.etag)}</ETag></PostResponse>"
    )
    headers["Content-Type"] = "application/xml"
    return web.Response(status=201, body=body.encode(), headers=headers)

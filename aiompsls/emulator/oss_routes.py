"""The OSS side of the emulator: objects under ``/_oss/<bucket>/<key>``.

- ``PUT``, ``GET`` and ``HEAD`` with an OSS V1 presigned URL (:mod:`.._core.oss`):
  Expires first (403 ``AccessDenied`` "Request has expired."), then the key, the STS
  token and the signature (403 ``SignatureDoesNotMatch`` with the StringToSign).
  Objects of a public-read bucket can be read without a signature.
- A PUT streams its body to the object store (:mod:`.objects`); a ``Content-MD5``
  that is malformed or does not match is 400 ``InvalidDigest``, a body over the
  bucket's limit 400 ``EntityTooLarge``; either way nothing is stored. The answer
  carries the ``ETag`` (quoted upper-case hex MD5).
- A GET streams the object out in chunks; ``response-*`` parameters (signed) set the
  answer's headers.
- ``POST /_oss/<bucket>`` is PostObject (:mod:`.oss_post`).

Every error is OSS error XML with ``x-oss-request-id``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote

from aiohttp import web

from aiompsls._core import oss
from aiompsls._core.oss_policy import too_large
from aiompsls.emulator.buckets import BUCKETS, FILE_BUCKET, Bucket
from aiompsls.emulator.oss_common import (
    OSS_PREFIX,
    OssFaultError,
    content_type_for,
    invalid_digest,
    oss_request_id,
    respond_error,
    send_object,
    valid_key,
)
from aiompsls.emulator.oss_post import post_object
from aiompsls.emulator.oss_range import invalid_range, requested_span
from aiompsls.emulator.uploads import ObjectTooLargeError

if TYPE_CHECKING:
    from aiompsls.emulator.app import Gateway
    from aiompsls.emulator.objects import ObjectInfo

__all__ = ["add_oss_routes"]

_READ_SIZE = 64 * 1024
_RESPONSE_HEADERS = {
    "response-content-type": "Content-Type",
    "response-content-language": "Content-Language",
    "response-expires": "Expires",
    "response-cache-control": "Cache-Control",
    "response-content-disposition": "Content-Disposition",
    "response-content-encoding": "Content-Encoding",
}

_Handler = Callable[[web.Request, str], Awaitable[web.StreamResponse]]
_Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_oss_routes(app: web.Application, gateway: Gateway) -> None:
    """Serve the emulator's buckets under :data:`OSS_PREFIX` on ``app``.

    Args:
        app: The emulator's application.
        gateway: Its gateway (state with the object store and OSS keys, clock).
    """
    side = _OssSide(gateway)
    app.router.add_route("POST", OSS_PREFIX + "/{bucket}", _guarded(side.post))
    app.router.add_route("POST", OSS_PREFIX + "/{bucket}/", _guarded(side.post))
    app.router.add_route("*", OSS_PREFIX + "/{bucket}/{key:.+}", _guarded(side.object))


def _guarded(handler: _Handler) -> _Route:
    async def answer(request: web.Request) -> web.StreamResponse:
        request_id = oss_request_id()
        try:
            return await handler(request, request_id)
        except OssFaultError as fault:
            return respond_error(fault.denial, request_id=request_id, host=request.host)

    return answer


class _OssSide:
    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    async def post(self, request: web.Request, request_id: str) -> web.StreamResponse:
        bucket = _bucket(unquote(request.match_info["bucket"]))
        return await post_object(self._gateway, request, bucket, request_id)

    async def object(self, request: web.Request, request_id: str) -> web.StreamResponse:
        bucket, key = _target(request.rel_url.raw_path)
        params = _query(request.rel_url.raw_query_string)
        if request.method not in ("GET", "HEAD", "PUT"):
            raise OssFaultError(_not_allowed(request.method))
        self._authorize(request, bucket, key, params)
        if request.method == "PUT":
            response = await self._put(request, bucket, key)
            response.headers["x-oss-request-id"] = request_id
            return response
        return await self._get(request, bucket, key, params, request_id)

    def _authorize(
        self, request: web.Request, bucket: Bucket, key: str, params: Mapping[str, str]
    ) -> None:
        anonymous = not any(name in params for name in ("Signature", "OSSAccessKeyId"))
        if anonymous and bucket.public_read and request.method != "PUT":
            return
        signed = oss.SignedRequest(
            method=request.method,
            bucket=bucket.name,
            key=key,
            params=params,
            headers={name.lower(): value for name, value in request.headers.items()},
        )
        state = self._gateway.state
        now = int(self._gateway.now().timestamp())
        denial = oss.verify_presigned(signed, keys=state.oss_keys(), now=now)
        if denial is not None:
            raise OssFaultError(denial)

    async def _put(
        self, request: web.Request, bucket: Bucket, key: str
    ) -> web.Response:
        limit = bucket.max_object_size
        declared = request.content_length
        if declared is not None and declared > limit:
            raise OssFaultError(too_large(declared, limit))
        expected = _expected_md5(request.headers.get("Content-MD5"))
        content_type = request.headers.get("Content-Type") or content_type_for(key)
        store = self._gateway.state.objects
        async with store.begin(bucket.name, key, limit=limit) as pending:
            try:
                async for chunk in request.content.iter_chunked(_READ_SIZE):
                    await pending.write(chunk)
            except ObjectTooLargeError as exc:
                raise OssFaultError(too_large(exc.size, limit)) from None
            if expected is not None and await pending.md5_hex() != expected:
                raise OssFaultError(invalid_digest(malformed=False))
            info = await pending.commit(
                content_type=content_type, modified_ms=self._now_ms()
            )
        headers = {"ETag": info.etag, "Content-MD5": info.content_md5}
        return web.Response(status=200, headers=headers)

    async def _get(
        self,
        request: web.Request,
        bucket: Bucket,
        key: str,
        params: Mapping[str, str],
        request_id: str,
    ) -> web.StreamResponse:
        opened = self._gateway.state.objects.open(bucket.name, key)
        if opened is None:
            raise OssFaultError(_no_such_key(key))
        info, handle = opened
        headers = _object_headers(info, params) | {"x-oss-request-id": request_id}
        with handle:
            response, sent = await send_object(
                request,
                handle,
                size=info.size,
                span=_span(request, info.size),
                status=200,
                headers=headers,
            )
        if sent and bucket.name == FILE_BUCKET:
            self._count_download(key, sent)
        return response

    def _count_download(self, key: str, size: int) -> None:
        """Count a file storage download (keys are ``<SpaceId>/...``) for usage."""
        space = self._gateway.state.spaces.get(key.partition("/")[0])
        if space is None:
            return
        usage = space.usage.on(self._gateway.now())
        usage.storage_downloads += 1
        usage.storage_traffic += size
        self._gateway.persist()

    def _now_ms(self) -> int:
        return int(self._gateway.now().timestamp() * 1000)


def _span(request: web.Request, size: int) -> tuple[int, int] | None:
    """The bytes a ``Range`` header asks for (None: all); InvalidRange if unservable."""
    standard = request.headers.get("x-oss-range-behavior", "").lower() == "standard"
    try:
        return requested_span(request.headers.get("Range"), size, standard=standard)
    except ValueError:
        raise OssFaultError(invalid_range(size)) from None


def _bucket(name: str) -> Bucket:
    found = BUCKETS.get(name)
    if found is None:
        raise OssFaultError(
            oss.Denial(
                status=404,
                code="NoSuchBucket",
                message="The specified bucket does not exist.",
                details=(("BucketName", name),),
            )
        )
    return found


def _target(raw_path: str) -> tuple[Bucket, str]:
    """The bucket and the decoded key of ``/_oss/<bucket>/<key>`` (``%2F`` allowed)."""
    raw_bucket, _, raw_key = raw_path.removeprefix(OSS_PREFIX + "/").partition("/")
    bucket = _bucket(unquote(raw_bucket))
    try:
        key = unquote(raw_key, errors="strict")
    except UnicodeDecodeError:
        key = ""
    return bucket, valid_key(key)


def _query(raw: str) -> dict[str, str]:
    """Decoded query parameters; a repeated name keeps its first value, as OSS does."""
    params: dict[str, str] = {}
    for pair in raw.split("&") if raw else ():
        name, _, value = pair.partition("=")
        params.setdefault(unquote(name), unquote(value))
    return params


def _expected_md5(header: str | None) -> str | None:
    """The hex digest a ``Content-MD5`` header names; ``InvalidDigest`` if bad."""
    if header is None:
        return None
    try:
        digest = base64.b64decode(header, validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != 16:
        raise OssFaultError(invalid_digest(malformed=True))
    return digest.hex().upper()


def _object_headers(info: ObjectInfo, params: Mapping[str, str]) -> dict[str, str]:
    modified = datetime.fromtimestamp(info.modified_ms / 1000, tz=UTC)
    headers = {
        "Content-Type": info.content_type,
        "ETag": info.etag,
        "Last-Modified": format_datetime(modified, usegmt=True),
        "x-oss-object-type": "Normal",
    }
    for param, header in _RESPONSE_HEADERS.items():
        if params.get(param):
            headers[header] = params[param]
    return headers


def _no_such_key(key: str) -> oss.Denial:
    return oss.Denial(
        status=404,
        code="NoSuchKey",
        message="The specified key does not exist.",
        details=(("Key", key),),
    )


def _not_allowed(method: str) -> oss.Denial:
    return oss.Denial(
        status=405,
        code="MethodNotAllowed",
        message="The specified method is not allowed against this resource.",
        details=(("Method", method), ("ResourceType", "Object")),
    )

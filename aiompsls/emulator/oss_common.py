"""What the emulator's OSS routes share: error answers, object names, content types.

An :class:`OssFaultError` raised anywhere in an OSS route becomes OSS error XML
(:func:`aiompsls._core.oss.error_xml`) with the ``x-oss-request-id`` header (and
``x-oss-ec`` where the error has an EC code).
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Mapping
from typing import IO, Final

from aiohttp import web

from aiompsls._core.oss import Denial, error_xml
from aiompsls.emulator.uploads import iter_file

__all__ = [
    "OSS_PREFIX",
    "OssFaultError",
    "content_type_for",
    "invalid_digest",
    "malformed_post",
    "oss_request_id",
    "respond_error",
    "send_object",
    "valid_key",
]

#: The path prefix of the OSS side.
OSS_PREFIX: Final = "/_oss"
_KEY_MAX_BYTES = 1023
_TYPES = mimetypes.MimeTypes()  # the built-in table only: the same on every host


class OssFaultError(Exception):
    """Answer the current OSS request with ``denial``."""

    def __init__(self, denial: Denial) -> None:
        super().__init__(f"{denial.code}: {denial.message}")
        self.denial = denial


def oss_request_id() -> str:
    """A fresh OSS request id: 24 upper-case hex digits."""
    return uuid.uuid4().hex[:24].upper()


def respond_error(denial: Denial, *, request_id: str, host: str) -> web.Response:
    """The HTTP answer of ``denial``."""
    headers = {"Content-Type": "application/xml", "x-oss-request-id": request_id}
    if denial.ec:
        headers["x-oss-ec"] = denial.ec
    body = error_xml(denial, request_id=request_id, host_id=host)
    return web.Response(status=denial.status, body=body, headers=headers)


def invalid_digest(*, malformed: bool) -> Denial:
    """400 ``InvalidDigest``: a Content-MD5 that is not an MD5, or not the body's."""
    return Denial(
        status=400,
        code="InvalidDigest",
        message="The Content-MD5 you specified was invalid.",
        ec="0017-00000502" if malformed else "0017-00000503",
    )


def malformed_post(reason: str) -> Denial:
    """400 ``MalformedPOSTRequest``: the body is not a usable multipart form."""
    return Denial(
        status=400,
        code="MalformedPOSTRequest",
        message="The body of your POST request is not well-formed "
        f"multipart/form-data: {reason}.",
    )


def valid_key(key: str) -> str:
    """``key`` if OSS accepts it as an object name, else 400 ``InvalidObjectName``.

    A name is 1 to 1023 bytes of UTF-8 and starts with no slash or backslash.
    """
    size = len(key.encode())
    if not 0 < size <= _KEY_MAX_BYTES or key.startswith(("/", "\\")):
        raise OssFaultError(
            Denial(
                status=400,
                code="InvalidObjectName",
                message="The specified object is not valid.",
                details=(("ObjectName", key),),
            )
        )
    return key


def content_type_for(key: str) -> str:
    """The content type OSS gives an object stored without one: by its extension."""
    guessed, _ = _TYPES.guess_type(key, strict=False)
    return guessed or "application/octet-stream"


async def send_object(
    request: web.Request,
    handle: IO[bytes],
    *,
    size: int,
    span: tuple[int, int] | None,
    status: int,
    headers: Mapping[str, str],
) -> tuple[web.StreamResponse, int]:
    """Answer ``request`` with the ``size``-byte file ``handle``, or bytes ``span``.

    A span answers 206 with its ``Content-Range``; every answer says
    ``Accept-Ranges: bytes``; ``HEAD`` gets the headers only.

    Returns:
        The response, and how many body bytes went out (0 for ``HEAD`` and for a
        client that went away before the end).
    """
    first, last = span or (0, size - 1)
    headers = {**headers, "Accept-Ranges": "bytes"}
    if span is not None:
        status = 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    response = web.StreamResponse(status=status, headers=headers)
    response.content_length = length = last - first + 1
    await response.prepare(request)
    if request.method == "HEAD":
        length = 0
    sent = await _send_bytes(response, handle, first=first, length=length)
    return response, length if sent else 0


async def _send_bytes(
    response: web.StreamResponse, handle: IO[bytes], *, first: int, length: int
) -> bool:
    """Write ``length`` bytes of ``handle`` from ``first`` as the prepared body.

    Returns:
        True when all of them went out; False when the client went away first
        (nothing to answer then, and nothing worth a traceback in the log).
    """
    try:
        handle.seek(first)
        async for chunk in iter_file(handle, limit=length):
            await response.write(chunk)
        await response.write_eof()
    except ConnectionResetError:
        return False
    return True

"""The emulator's OSS side over real loopback sockets: presigned PUT/GET/HEAD.

URLs are signed with :mod:`aiompsls._core.oss` and with oss2's ``Bucket.sign_url``
(oss2 addresses an IP endpoint path-style, ``/<bucket>/<key>``; the emulator serves
buckets under ``/_oss``, so the test inserts that prefix and nothing else). Codes and
messages are the documented OSS ones (research/errors_and_oss.md §C).
"""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
import anyio
import oss2
import pytest

from aiompsls._core import oss
from aiompsls.emulator import Emulator
from aiompsls.emulator.buckets import FILE_BUCKET, STATIC_BUCKET
from aiompsls.emulator.objects import ObjectStore
from aiompsls.emulator.state import EmulatorState

KEY_ID, SECRET = "LTAIossroutes", "oss-routes-secret"


class Clock:
    """The emulator's clock: the wall clock at the start, moved only by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def seconds(self) -> int:
        return int(self.now.timestamp())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def emulator(clock: Clock, tmp_path: Any) -> AsyncIterator[Emulator]:
    state = EmulatorState(objects=ObjectStore(tmp_path / "objects"))
    emu = Emulator(
        access_key_id=KEY_ID, access_key_secret=SECRET, state=state, clock=clock
    )
    async with emu.running() as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def signed(
    emulator: Emulator,
    clock: Clock,
    key: str,
    *,
    method: str = "GET",
    bucket: str = FILE_BUCKET,
    headers: dict[str, str] | None = None,
    ttl: int = 60,
) -> str:
    query = oss.presign_params(
        emulator.state.oss_key(),
        method=method,
        bucket=bucket,
        object_key=key,
        expires=clock.seconds() + ttl,
        headers=headers,
    )
    url = f"{emulator.endpoint}/_oss/{bucket}/{quote(key, safe='')}"
    return oss.presigned_url(url, query)


def content_md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


async def error_of(response: aiohttp.ClientResponse) -> dict[str, str]:
    """The OSS error document's elements; checks the envelope on the way."""
    assert response.headers["Content-Type"] == "application/xml"
    root = ET.fromstring(await response.read())  # noqa: S314 - the emulator's own
    assert root.tag == "Error"
    fields = {child.tag: child.text or "" for child in root}
    assert fields["RequestId"] == response.headers["x-oss-request-id"]
    assert fields["HostId"] == urlsplit(str(response.url)).netloc
    return fields


async def chunked(chunk: bytes, count: int) -> AsyncIterator[bytes]:
    """A body sent with chunked transfer encoding (no Content-Length)."""
    for _ in range(count):
        yield chunk


def leftovers(emulator: Emulator) -> list[Any]:
    tmp = emulator.state.objects.root / ".tmp"
    return sorted(tmp.iterdir()) if tmp.exists() else []


# --- round trips ---------------------------------------------------------------------


async def test_a_signed_put_then_get_round_trips_with_the_md5_etag(
    emulator, clock, session
):
    data = b"hello, oss\n" * 50_000
    etag = '"' + hashlib.md5(data, usedforsecurity=False).hexdigest().upper() + '"'
    headers = {"Content-Type": "text/plain", "Content-MD5": content_md5(data)}
    url = signed(emulator, clock, "dir/a b+c.txt", method="PUT", headers=headers)
    async with session.put(url, data=data, headers=headers) as put:
        assert put.status == 200, await put.text()
        assert put.headers["ETag"] == etag
        assert put.headers["x-oss-request-id"]
    async with session.get(signed(emulator, clock, "dir/a b+c.txt")) as got:
        assert got.status == 200
        assert await got.read() == data
        assert (got.headers["ETag"], got.headers["Content-Type"]) == (
            etag,
            "text/plain",
        )
        assert got.headers["Content-Length"] == str(len(data))
    head_url = signed(emulator, clock, "dir/a b+c.txt", method="HEAD")
    async with session.head(head_url) as head:
        assert head.status == 200
        assert (head.headers["ETag"], head.headers["Content-Length"]) == (
            etag,
            str(len(data)),
        )
        assert await head.read() == b""


async def test_a_put_without_a_content_type_is_typed_by_its_extension(
    emulator, clock, session
):
    url = signed(emulator, clock, "page.html", method="PUT")
    async with session.put(url, data=b"<p>", skip_auto_headers=["Content-Type"]) as put:
        assert put.status == 200, await put.text()
    info = emulator.state.objects.stat(FILE_BUCKET, "page.html")
    assert info is not None
    assert info.content_type == "text/html"


def oss2_bucket(emulator: Emulator, sts: bool) -> oss2.Bucket:
    state = emulator.state
    if sts:
        key = state.oss_sts_key()
        auth: Any = oss2.StsAuth(
            key.access_key_id, key.access_key_secret, key.security_token
        )
    else:
        auth = oss2.Auth(state.oss_access_key_id, state.oss_access_key_secret)
    return oss2.Bucket(auth, emulator.endpoint, FILE_BUCKET)


def under_oss_prefix(emulator: Emulator, url: str) -> str:
    """An oss2 path-style URL (``/<bucket>/<key>``) moved under ``/_oss``."""
    assert url.startswith(f"{emulator.endpoint}/{FILE_BUCKET}/")
    return url.replace(emulator.endpoint, emulator.endpoint + "/_oss", 1)


@pytest.mark.parametrize("sts", [False, True], ids=["Auth", "StsAuth"])
async def test_urls_signed_by_oss2_verify(emulator, session, sts):
    bucket = oss2_bucket(emulator, sts)
    key = "oss2/dir/a b+ü.json"
    put_url = bucket.sign_url(
        "PUT", key, 60, headers={"Content-Type": "application/json"}
    )
    if sts:
        assert "security-token=" in put_url
    async with session.put(
        under_oss_prefix(emulator, put_url),
        data=b"{}",
        headers={"Content-Type": "application/json"},
    ) as put:
        assert put.status == 200, await put.text()
    params = {"response-content-disposition": "attachment; filename=x.json"}
    get_url = bucket.sign_url("GET", key, 60, params=params)
    async with session.get(under_oss_prefix(emulator, get_url)) as got:
        assert got.status == 200, await got.text()
        assert await got.read() == b"{}"
        assert got.headers["Content-Disposition"] == "attachment; filename=x.json"


# --- range downloads -----------------------------------------------------------------


async def put_object(emulator, clock, session, key: str, data: bytes) -> None:
    headers = {"Content-Type": "application/octet-stream"}
    url = signed(emulator, clock, key, method="PUT", headers=headers)
    async with session.put(url, data=data, headers=headers) as put:
        assert put.status == 200, await put.text()


async def test_a_range_get_answers_206_with_the_bytes_asked_for(
    emulator, clock, session
):
    data = bytes(range(256)) * 4000  # 1,024,000 bytes: several read chunks
    await put_object(emulator, clock, session, "range.bin", data)
    url = signed(emulator, clock, "range.bin")
    ranges = {"bytes=10-19": data[10:20], "bytes=-3": data[-3:]}
    ranges["bytes=1000-700000"] = data[1000:700001]
    for header, expected in ranges.items():
        async with session.get(url, headers={"Range": header}) as got:
            assert got.status == 206, header
            assert await got.read() == expected
            first = (
                len(data) - 3 if header == "bytes=-3" else int(header[6:].split("-")[0])
            )
            last = first + len(expected) - 1
            assert got.headers["Content-Range"] == f"bytes {first}-{last}/{len(data)}"
            assert got.headers["Content-Length"] == str(len(expected))


async def test_an_out_of_range_get_is_the_whole_object_or_416_if_standard(
    emulator, clock, session
):
    await put_object(emulator, clock, session, "small.bin", b"0123456789")
    plain = signed(emulator, clock, "small.bin")
    async with session.get(plain, headers={"Range": "bytes=5-99"}) as whole:
        assert (whole.status, await whole.read()) == (200, b"0123456789")
        assert "Content-Range" not in whole.headers
    standard = {"x-oss-range-behavior": "standard"}
    url = signed(emulator, clock, "small.bin", headers=standard)
    async with session.get(url, headers=standard | {"Range": "bytes=5-99"}) as cut:
        assert (cut.status, await cut.read()) == (206, b"56789")
    async with session.get(url, headers=standard | {"Range": "bytes=10-"}) as past:
        assert past.status == 416
        assert (await error_of(past))["Code"] == "InvalidRange"
    async with session.get(plain, headers={"Range": "bytes=0-1,4-5"}) as several:
        assert several.status == 416


async def test_oss2_range_download_through_a_signed_url(emulator, clock, session):
    data = b"abcdefghijklmnopqrstuvwxyz"
    await put_object(emulator, clock, session, "oss2-range.txt", data)
    bucket = oss2_bucket(emulator, sts=False)
    url = under_oss_prefix(emulator, bucket.sign_url("GET", "oss2-range.txt", 60))
    result = await anyio.to_thread.run_sync(
        lambda: bucket.get_object_with_url(url, byte_range=(3, 6)).read()
    )
    assert result == b"defg"


# --- refusals of presigned requests --------------------------------------------------


async def test_a_forged_signature_is_refused_with_the_string_to_sign(
    emulator, clock, session
):
    url = signed(emulator, clock, "k.txt", method="PUT").replace(
        "Signature=", "Signature=x"
    )
    async with session.put(url, data=b"x", headers={"Content-Type": "a/b"}) as put:
        assert put.status == 403
        error = await error_of(put)
    expires = clock.seconds() + 60
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["StringToSign"] == f"PUT\n\na/b\n{expires}\n/{FILE_BUCKET}/k.txt"
    assert error["OSSAccessKeyId"] == emulator.state.oss_access_key_id
    assert emulator.state.objects.stat(FILE_BUCKET, "k.txt") is None


async def test_a_url_signed_for_another_content_type_is_refused(
    emulator, clock, session
):
    url = signed(emulator, clock, "k", method="PUT", headers={"Content-Type": "a/b"})
    async with session.put(url, data=b"x", headers={"Content-Type": "c/d"}) as put:
        assert (put.status, (await error_of(put))["Code"]) == (
            403,
            "SignatureDoesNotMatch",
        )


async def test_an_expired_url_is_refused_before_its_signature_is_checked(
    emulator, clock, session
):
    url = signed(emulator, clock, "k", ttl=10).replace("Signature=", "Signature=x")
    clock.now += timedelta(seconds=11)
    async with session.get(url) as got:
        assert got.status == 403
        error = await error_of(got)
    assert (error["Code"], error["Message"]) == ("AccessDenied", "Request has expired.")
    assert error["ServerTime"] == clock.now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    expires = clock.now - timedelta(seconds=1)
    assert error["Expires"] == expires.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.mark.parametrize(
    ("header", "ec"),
    [(content_md5(b"other"), "0017-00000503"), ("not-md5", "0017-00000502")],
    ids=["mismatch", "malformed"],
)
async def test_a_wrong_content_md5_is_an_invalid_digest_and_stores_nothing(
    emulator, clock, session, header, ec
):
    headers = {"Content-Type": "a/b", "Content-MD5": header}
    url = signed(emulator, clock, "k", method="PUT", headers=headers)
    async with session.put(
        url, data=chunked(b"x" * 300_000, 10), headers=headers
    ) as put:
        assert put.status == 400
        error = await error_of(put)
        assert put.headers["x-oss-ec"] == ec
    assert (error["Code"], error["EC"]) == ("InvalidDigest", ec)
    assert emulator.state.objects.stat(FILE_BUCKET, "k") is None
    assert leftovers(emulator) == []


async def raw_request(emulator: Emulator, head: str) -> tuple[int, bytes]:
    """Send a request head (no body) on a raw socket; the status and body back."""
    address = urlsplit(emulator.endpoint)
    assert address.hostname is not None
    assert address.port is not None
    async with await anyio.connect_tcp(address.hostname, address.port) as stream:
        await stream.send(head.encode())
        received = b""
        while b"\r\n\r\n" not in received:
            received += await stream.receive()
        headers, _, body = received.partition(b"\r\n\r\n")
        length = int(headers.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(body) < length:
            body += await stream.receive()
    return int(headers.split(b" ")[1]), body


async def test_a_body_over_the_size_limit_is_refused_before_it_is_read(emulator, clock):
    url = urlsplit(signed(emulator, clock, "huge.bin", method="PUT"))
    head = (
        f"PUT {url.path}?{url.query} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        "Content-Length: 5368709121\r\n\r\n"
    )
    with anyio.fail_after(10):
        status, body = await raw_request(emulator, head)
    assert status == 400
    root = ET.fromstring(body)  # noqa: S314 - the emulator's own
    fields = {child.tag: child.text for child in root}
    assert (fields["Code"], fields["MaxSizeAllowed"]) == (
        "EntityTooLarge",
        "5368709120",
    )
    assert fields["ProposedSize"] == "5368709121"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/_oss/no-such-bucket/k", 404, "NoSuchBucket"),
        ("GET", f"/_oss/{STATIC_BUCKET}/k", 403, "AccessDenied"),
        ("PUT", f"/_oss/{FILE_BUCKET}/k", 403, "AccessDenied"),
        ("GET", f"/_oss/{FILE_BUCKET}//k", 400, "InvalidObjectName"),
        ("DELETE", f"/_oss/{FILE_BUCKET}/k", 405, "MethodNotAllowed"),
        ("GET", f"/_oss/{FILE_BUCKET}/missing", 404, "NoSuchKey"),
    ],
)
async def test_unsigned_and_unknown_requests_get_oss_errors(
    emulator, session, method, path, status, code
):
    async with session.request(method, emulator.endpoint + path) as answer:
        assert answer.status == status
        assert (await error_of(answer))["Code"] == code


async def test_the_file_bucket_is_public_read(emulator, session):
    emulator.state.objects.put_bytes(
        FILE_BUCKET, "pub/a.txt", b"public", content_type="text/plain", modified_ms=0
    )
    async with session.get(f"{emulator.endpoint}/_oss/{FILE_BUCKET}/pub/a.txt") as got:
        assert (got.status, await got.read()) == (200, b"public")

"""PostObject on the emulator's OSS side, over real loopback sockets.

Policies are built for each case and signed with the emulator's OSS keys (the
permanent key, or the STS key with its token); the codes and messages are the
documented ones (research/errors_and_oss.md §C.2).
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import attrs
import pytest

from aiompsls._core.oss import OssKey, hmac_sha1
from aiompsls._core.oss_policy import encode_policy
from aiompsls.emulator import Emulator
from aiompsls.emulator.buckets import STATIC_BUCKET
from aiompsls.emulator.objects import ObjectStore
from aiompsls.emulator.state import EmulatorState

KEY_ID, SECRET = "LTAIosspost", "oss-post-secret"
DATA = b"<h1>hello</h1>\n"


class Clock:
    """The emulator's clock: a fixed start, moved only by the test."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


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


def credentials(
    emulator: Emulator,
    clock: Clock,
    *conditions: object,
    sts: bool = True,
    ttl: int = 60,
) -> dict[str, str]:
    """The credential fields of a form: key id, policy, signature (and token)."""
    key: OssKey = emulator.state.oss_sts_key() if sts else emulator.state.oss_key()
    policy = encode_policy(clock.now + timedelta(seconds=ttl), conditions)
    fields = {
        "OSSAccessKeyId": key.access_key_id,
        "policy": policy,
        "Signature": hmac_sha1(key.access_key_secret, policy),
    }
    if key.security_token:
        fields["x-oss-security-token"] = key.security_token
    return fields


DEFAULT_CONDITIONS = (
    ["content-length-range", 1, 1024],
    {"bucket": STATIC_BUCKET},
    ["starts-with", "$key", "site/"],
)


@attrs.frozen
class Answer:
    """What the emulator answered: status, headers and the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


async def post(
    session: aiohttp.ClientSession,
    emulator: Emulator,
    fields: dict[str, str],
    *,
    data: bytes | None = DATA,
    filename: str = "index.html",
    path: str = "",
) -> Answer:
    """Post a form with ``fields`` in order and then the file, as a browser does."""
    form = aiohttp.FormData(quote_fields=False, default_to_multipart=True)
    for name, value in fields.items():
        form.add_field(name, value)
    if data is not None:
        form.add_field("file", data, filename=filename, content_type="text/html")
        form.add_field("submit", "Upload to OSS")
    url = f"{emulator.endpoint}/_oss/{STATIC_BUCKET}{path}"
    async with session.post(url, data=form) as response:
        return Answer(
            status=response.status,
            headers=response.headers.copy(),
            body=await response.read(),
        )


def error_of(answer: Answer) -> dict[str, str]:
    root = ET.fromstring(answer.body)  # noqa: S314 - the emulator's own
    assert root.tag == "Error"
    fields = {child.tag: child.text or "" for child in root}
    assert fields["RequestId"] == answer.headers["x-oss-request-id"]
    return fields


def stored_keys(emulator: Emulator) -> list[str]:
    return [info.key for info in emulator.state.objects.list_objects(STATIC_BUCKET)]


ETAG = '"' + hashlib.md5(DATA, usedforsecurity=False).hexdigest().upper() + '"'


@pytest.mark.parametrize(
    ("status_field", "status"),
    [(None, 204), ("200", 200), ("204", 204), ("201", 201), ("302", 204)],
)
async def test_an_upload_answers_its_success_action_status(
    emulator, clock, session, status_field, status
):
    fields = {
        "key": "site/index.html",
        **credentials(emulator, clock, *DEFAULT_CONDITIONS),
    }
    if status_field is not None:
        fields["success_action_status"] = status_field
    response = await post(session, emulator, fields)
    assert response.status == status
    assert response.headers["ETag"] == ETAG
    info = emulator.state.objects.stat(STATIC_BUCKET, "site/index.html")
    assert info is not None
    assert (info.etag, info.size, info.content_type) == (ETAG, len(DATA), "text/html")
    assert info.modified_ms == int(clock.now.timestamp() * 1000)


async def test_status_201_answers_a_post_response_document(emulator, clock, session):
    fields = {
        "key": "site/a b.html",
        "success_action_status": "201",
        **credentials(emulator, clock, *DEFAULT_CONDITIONS),
    }
    answer = await post(session, emulator, fields, path="/")
    assert answer.status == 201
    root = ET.fromstring(answer.body)  # noqa: S314 - the emulator's own
    assert root.tag == "PostResponse"
    assert {child.tag: child.text for child in root} == {
        "Bucket": STATIC_BUCKET,
        "Location": f"{emulator.endpoint}/_oss/{STATIC_BUCKET}/site/a%20b.html",
        "Key": "site/a b.html",
        "ETag": ETAG,
    }


async def test_field_names_are_case_insensitive_and_filename_expands(
    emulator, clock, session
):
    creds = credentials(emulator, clock, *DEFAULT_CONDITIONS, sts=False)
    fields = {
        "KEY": "site/${filename}",
        "ossaccesskeyid": creds["OSSAccessKeyId"],
        "POLICY": creds["policy"],
        "signature": creds["Signature"],
        "X-OSS-Content-Type": "text/x-custom",
    }
    response = await post(session, emulator, fields, filename="dir\\up.txt")
    assert response.status == 204
    info = emulator.state.objects.stat(STATIC_BUCKET, "site/up.txt")
    assert info is not None
    assert info.content_type == "text/x-custom"


def _without(fields: dict[str, str], *names: str) -> dict[str, str]:
    return {name: value for name, value in fields.items() if name not in names}


REFUSALS = [
    pytest.param(
        {"key": "other/index.html"},
        {},
        403,
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["starts-with", '
        '"$key", "site/"]',
        id="key-outside-the-prefix",
    ),
    pytest.param(
        {},
        {"data": b"x" * 1025},
        400,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size.",
        id="too-large",
    ),
    pytest.param(
        {},
        {"data": b""},
        400,
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed size.",
        id="too-small",
    ),
    pytest.param(
        {"Signature": "forged="},
        {},
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you "
        "provided. Check your key and signing method.",
        id="bad-signature",
    ),
    pytest.param(
        {"x-oss-security-token": None},
        {},
        403,
        "InvalidSecurityToken",
        "The security token you provided is invalid.",
        id="missing-token",
    ),
    pytest.param(
        {"policy": None},
        {},
        400,
        "InvalidArgument",
        "Form fields OSSAccessKeyId, policy and Signature must be specified together.",
        id="partial-credentials",
    ),
    pytest.param(
        {"OSSAccessKeyId": None, "policy": None, "Signature": None},
        {},
        403,
        "AccessDenied",
        "You have no right to access this bucket because of bucket acl.",
        id="anonymous",
    ),
    pytest.param(
        {"key": None},
        {},
        400,
        "InvalidArgument",
        "The form field 'key' is required.",
        id="no-key",
    ),
    pytest.param(
        {},
        {"data": None},
        400,
        "MalformedPOSTRequest",
        "The body of your POST request is not well-formed multipart/form-data: "
        "there is no file field.",
        id="no-file",
    ),
]


@pytest.mark.parametrize(("changes", "options", "status", "code", "message"), REFUSALS)
async def test_a_refused_upload_gets_the_oss_code_and_stores_nothing(
    emulator, clock, session, changes, options, status, code, message
):
    fields = {
        "key": "site/index.html",
        **credentials(emulator, clock, *DEFAULT_CONDITIONS),
    }
    fields.update({k: v for k, v in changes.items() if v is not None})
    fields = _without(fields, *(k for k, v in changes.items() if v is None))
    response = await post(session, emulator, fields, **options)
    assert response.status == status
    error = error_of(response)
    assert (error["Code"], error["Message"]) == (code, message)
    assert stored_keys(emulator) == []
    tmp = emulator.state.objects.root / ".tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == []


async def test_an_expired_policy_is_refused(emulator, clock, session):
    fields = {
        "key": "site/index.html",
        **credentials(emulator, clock, *DEFAULT_CONDITIONS, ttl=5),
    }
    clock.now += timedelta(seconds=6)
    response = await post(session, emulator, fields)
    assert response.status == 403
    error = error_of(response)
    assert error["Message"] == "Invalid according to Policy: Policy expired."
    assert stored_keys(emulator) == []


async def test_a_policy_for_another_bucket_is_refused(emulator, clock, session):
    conditions = (["content-length-range", 0, 10], {"bucket": "elsewhere"})
    fields = {"key": "k", **credentials(emulator, clock, *conditions)}
    response = await post(session, emulator, fields, data=b"x")
    error = error_of(response)
    assert (response.status, error["Message"]) == (
        403,
        'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", '
        '"elsewhere"]',
    )


async def test_a_malformed_policy_is_an_invalid_policy_document(
    emulator, clock, session
):
    fields = credentials(emulator, clock)
    fields["policy"] = "bm90IGpzb24="  # "not json"
    fields["Signature"] = hmac_sha1(
        emulator.state.oss_sts_key().access_key_secret, fields["policy"]
    )
    response = await post(session, emulator, {"key": "k", **fields})
    assert response.status == 400
    assert (error_of(response))["Code"] == "InvalidPolicyDocument"


async def test_a_body_that_is_not_a_form_is_malformed(emulator, session):
    url = f"{emulator.endpoint}/_oss/{STATIC_BUCKET}"
    async with session.post(url, data=b"key=a", headers={"Content-Type": "a/b"}) as got:
        answer = Answer(
            status=got.status, headers=got.headers.copy(), body=await got.read()
        )
    assert answer.status == 400
    assert error_of(answer)["Code"] == "MalformedPOSTRequest"

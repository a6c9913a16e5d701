"""Secrets never appear in a repr, a log line, an exception or CLI output."""

from __future__ import annotations

import logging
import pickle
import traceback
import urllib.parse
from collections.abc import AsyncIterator

import pytest

import aiompsls
from aiompsls.emulator import Emulator

KEY_ID = "STS.LTAIsecretscan"
SECRET = "Sekr3t+Value/With=Chars"
TOKEN = "CAIS+token/with==padding&more"
FORMS = {
    form
    for secret in (SECRET, TOKEN)
    for form in (
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(urllib.parse.quote(secret, safe=""), safe=""),
        urllib.parse.quote_plus(secret),
    )
}


def assert_clean(text: str) -> None:
    for form in FORMS:
        assert form not in text, f"a secret leaked: {form!r}"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator(access_key_id=KEY_ID, access_key_secret=SECRET, security_token=TOKEN)
    async with emu.running(host="127.0.0.1", port=0):
        yield emu


def _client(endpoint: str, secret: str, signature: str = "v1") -> aiompsls.Client:
    creds = aiompsls.Credentials(
        access_key_id=KEY_ID, access_key_secret=secret, security_token=TOKEN
    )
    config = aiompsls.ClientConfig(endpoint=endpoint, signature=signature)  # type: ignore[arg-type]
    return aiompsls.Client(creds, config=config)


def _dump(error: BaseException) -> str:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    parts = [str(error), repr(error), repr(vars(error)), str(copy), repr(vars(copy))]
    parts.append("".join(traceback.format_exception(error)))
    return "\n".join(parts)


@pytest.mark.parametrize("signature", ["v1", "acs3"])
async def test_no_secret_in_logs_reprs_or_errors(
    emulator: Emulator, caplog: pytest.LogCaptureFixture, signature: str
):
    caplog.set_level(logging.DEBUG)
    async with _client(emulator.endpoint, SECRET, signature) as client:
        assert_clean(repr(client))
        assert_clean(repr(client.config))
        await client.create_space(name="demo")
        with pytest.raises(aiompsls.NotFoundError) as missing:
            await client.delete_space(space_id="no-such-space")
        assert_clean(_dump(missing.value))
    async with _client(emulator.endpoint, "wrong-secret", signature) as client:
        with pytest.raises(aiompsls.AuthenticationError) as denied:
            await client.list_space()
    assert denied.value.code == "SignatureDoesNotMatch"
    if signature == "v1":  # the server's string-to-sign holds the token, masked
        assert "SecurityToken%3D***%26" in (denied.value.server_string_to_sign or "")
    assert_clean(_dump(denied.value))
    assert_clean(caplog.text)
    assert caplog.records  # the scan read real log lines


def test_credentials_reprs_are_clean():
    creds = aiompsls.Credentials(
        access_key_id=KEY_ID, access_key_secret=SECRET, security_token=TOKEN
    )
    assert_clean(repr(creds))
    assert_clean(str(creds))
    assert KEY_ID in repr(creds)

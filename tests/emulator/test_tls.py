"""``--tls``: HTTPS with a certificate made at start, trusted through ``ca_bundle``.

Every wait is bounded (``anyio.fail_after``); nothing sleeps.
"""

from __future__ import annotations

import json
import ssl
import sys
from pathlib import Path

import aiohttp
import anyio
import pytest

import aiompsls
from aiompsls.emulator import Emulator
from aiompsls.emulator.tls import CA_FILE, server_tls

pytest.importorskip("trustme", reason="--tls needs trustme")
KEY_ID, SECRET = "LTAItls", "tls-secret"
CREDS = aiompsls.Credentials(access_key_id=KEY_ID, access_key_secret=SECRET)
WAIT = 60.0


def client(endpoint: str, ca_file: str | None) -> aiompsls.Client:
    config = aiompsls.ClientConfig(
        endpoint=endpoint,
        ca_bundle=ca_file,
        retry=aiompsls.RetryPolicy(max_attempts=1),
    )
    return aiompsls.Client(CREDS, config=config)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_the_client_trusts_the_emulator_through_the_ca_file(
    tmp_path: Path, host: str
) -> None:
    context, ca_file = server_tls(tmp_path)
    emulator = Emulator(
        access_key_id=KEY_ID, access_key_secret=SECRET, ssl_context=context
    )
    with anyio.fail_after(WAIT):
        async with emulator.running() as running:
            announced = running.endpoint
            endpoint = announced.replace("127.0.0.1", host)
            async with client(endpoint, str(ca_file)) as api:
                created = await api.create_space(name="secure")
                listed = await api.list_space()
    assert announced.startswith("https://127.0.0.1:")
    assert ca_file == tmp_path / CA_FILE
    assert [s.space_id for s in listed.spaces] == [created.space_id]


async def test_without_the_ca_file_the_certificate_is_refused(tmp_path: Path) -> None:
    context, _ = server_tls(tmp_path)
    emulator = Emulator(
        access_key_id=KEY_ID, access_key_secret=SECRET, ssl_context=context
    )
    with anyio.fail_after(WAIT):
        async with emulator.running() as running, aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.ClientConnectorCertificateError):
                await http.get(running.endpoint + "/_admin/health")


async def test_serve_tls_announces_the_ca_file_and_serves_https(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "aiompsls.emulator", "serve", "--memory", "--tls"]
    command += ["--access-key-id", KEY_ID, "--access-key-secret", SECRET]
    process = await anyio.open_process(command)
    try:
        assert process.stdout is not None
        data = b""
        with anyio.fail_after(WAIT):
            while b"\n" not in data:
                data += await process.stdout.receive()
            announced = json.loads(data.split(b"\n", 1)[0])
            async with client(announced["endpoint"], announced["ca_file"]) as api:
                listed = await api.list_space()
            trusted = ssl.create_default_context(cafile=announced["ca_file"])
        process.terminate()
        with anyio.fail_after(WAIT):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
        await process.aclose()
    assert announced["endpoint"].startswith("https://127.0.0.1:")
    assert listed.spaces == ()
    assert trusted.cert_store_stats()["x509_ca"] == 1
    assert not await anyio.Path(announced["ca_file"]).exists()  # removed at exit

"""A function's whole life through the client and the emulator's OSS side.

Uploaded through its signed URL, deployed, run under Node.js, its log listed.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import AsyncIterator

import aiohttp
import pytest

import aiompsls
from aiompsls.emulator import Emulator

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="needs Node.js (node on PATH)"
)
KEY_ID, SECRET = "LTAIruntimeE2E", "runtime-e2e-secret"
SOURCE = """exports.main = async (event, context) => {
  console.info("adding", event.a, "and", event.b);
  if (event.b === 0) throw new RangeError("b must not be 0");
  return { sum: event.a + event.b, requestId: context.requestId };
};"""


def code_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("package.json", '{"name": "adder", "main": "src/adder.js"}')
        zipped.writestr("src/adder.js", SOURCE)
    return buffer.getvalue()


@pytest.fixture
async def client() -> AsyncIterator[aiompsls.Client]:
    emulator = Emulator(access_key_id=KEY_ID, access_key_secret=SECRET)
    creds = aiompsls.Credentials(access_key_id=KEY_ID, access_key_secret=SECRET)
    async with emulator.running() as running:
        config = aiompsls.ClientConfig(endpoint=running.endpoint)
        async with aiompsls.Client(creds, config=config) as client:
            yield client


async def deployed_adder(client: aiompsls.Client) -> str:
    space_id: str = (await client.create_space(name="e2e")).space_id
    await client.create_function(space_id=space_id, name="adder")
    created = await client.create_function_deployment(space_id=space_id, name="adder")
    headers = {"Content-Type": "application/zip"}
    async with (
        aiohttp.ClientSession() as session,
        session.put(created.upload_signed_url, data=code_zip(), headers=headers) as put,
    ):
        assert put.status == 200, await put.text()
    await client.deploy_function(space_id=space_id, deployment_id=created.deployment_id)
    return space_id


def body(**args: int) -> str:
    return json.dumps({"functionTarget": "adder", "functionArgs": args})


async def test_an_uploaded_function_runs_and_its_log_lines_are_listed(client):
    space_id = await deployed_adder(client)
    answer = await client.run_function(space_id=space_id, body=body(a=2, b=3))
    run_id = answer.runtime_meta.request_id
    assert json.loads(answer.result) == {"sum": 5, "requestId": run_id}
    listed = await client.list_function_log(
        space_id=space_id, name="adder", log_request_id=run_id
    )
    (item,) = listed.data_list
    assert item.status == "SUCCESS"
    assert item.levels == ("INFO", "INFO", "INFO")
    assert item.contents[1].endswith(" INFO adding 2 and 3")
    assert item.content.splitlines() == list(item.contents)


async def test_a_failing_run_is_a_service_error_and_a_failed_log(client):
    space_id = await deployed_adder(client)
    with pytest.raises(aiompsls.errors.ApiError) as info:
        await client.run_function(space_id=space_id, body=body(a=2, b=0))
    assert (info.value.code, info.value.http_status) == ("FunctionExecutionFailed", 400)
    assert "RangeError: b must not be 0" in info.value.message
    listed = await client.list_function_log(
        space_id=space_id, name="adder", status="FAIL"
    )
    (item,) = listed.data_list
    assert item.level == "ERROR"
    assert f"LogRequestId {item.request_id}" in info.value.message

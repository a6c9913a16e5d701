"""The official SDK (alibabacloud_mpserverless20190615 2.0.0) against the emulator.

The SDK is not patched. Both of its signing paths run: the default ACS3-HMAC-SHA256
(Action in ``x-acs-*`` headers, empty query) and ``signature_algorithm='v2'`` (RPC v1,
common parameters in a query that aiohttp re-normalises). Its async methods run in the
test's event loop.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from alibabacloud_mpserverless20190615 import models as sdk_models
from alibabacloud_mpserverless20190615.client import Client as SdkClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import ClientException

from aiompsls.emulator import Emulator
from aiompsls.emulator.handlers.webhosting_files import hosting_files, put_hosting_file

KEY_ID = "LTAIsdkTestKey"
SECRET = "sdk-test-secret"
ALGORITHMS = [pytest.param(None, id="acs3-default"), pytest.param("v2", id="v1-rpc")]
MakeClient = Callable[..., Any]


@pytest.fixture(autouse=True)
def quiet_sdk(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No proxy from the environment; the SDK's DEBUG stream handler is muted."""
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    logger = logging.getLogger("darabonba-core")
    level, handlers = logger.level, list(logger.handlers)
    logger.setLevel(logging.WARNING)
    for handler in handlers:
        logger.removeHandler(handler)
    yield
    logger.setLevel(level)
    for handler in handlers:
        logger.addHandler(handler)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator(access_key_id=KEY_ID, access_key_secret=SECRET)
    async with emu.running(host="127.0.0.1", port=0) as running:
        yield running


@pytest.fixture
def make_client(emulator: Emulator) -> MakeClient:
    """Build an SDK client for the emulator, as official_sdk.md §4 describes."""

    def make(
        algorithm: str | None, secret: str = SECRET, *, scheme: bool = False
    ) -> Any:
        endpoint = emulator.endpoint
        config = open_api_models.Config(
            access_key_id=KEY_ID,
            access_key_secret=secret,
            endpoint=endpoint if scheme else endpoint.removeprefix("http://"),
            protocol="http",
        )
        if algorithm is not None:
            config.signature_algorithm = algorithm
        return SdkClient(config)

    return make


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_create_and_list_spaces(
    make_client: MakeClient, emulator: Emulator, algorithm: str | None
) -> None:
    client = make_client(algorithm)
    request = sdk_models.CreateSpaceRequest(name="sdkSpace", desc="a b*~/&=+")
    created = await client.create_space_async(request)
    assert created.status_code == 200
    space_id = created.body.space_id
    assert emulator.state.spaces[space_id].desc == "a b*~/&=+"
    listed = await client.list_space_async(sdk_models.ListSpaceRequest(page_size=5))
    assert [s.space_id for s in listed.body.spaces] == [space_id]
    assert listed.body.count == 1
    assert listed.body.request_id == listed.headers["x-acs-request-id"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_batch_delete_flattens_file_paths(
    make_client: MakeClient, emulator: Emulator, algorithm: str | None
) -> None:
    client = make_client(algorithm)
    created = await client.create_space_async(sdk_models.CreateSpaceRequest(name="web"))
    space_id = created.body.space_id
    await client.open_web_hosting_service_async(
        sdk_models.OpenWebHostingServiceRequest(space_id=space_id)
    )
    objects = emulator.state.objects
    for path in ("a b.html", "c*~.js", "keep.css"):
        put_hosting_file(
            objects, space_id, path, b"x", content_type="text/plain", modified_ms=0
        )
    request = sdk_models.BatchDeleteWebHostingFilesRequest(
        space_id=space_id, file_paths=["/a b.html", "/c*~.js"]
    )
    deleted = await client.batch_delete_web_hosting_files_async(request)
    assert deleted.body.data is True
    remaining = hosting_files(objects, space_id)
    assert [info.key for info in remaining] == [f"{space_id}/keep.css"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_wrong_secret_is_a_client_exception(
    make_client: MakeClient, algorithm: str | None
) -> None:
    client = make_client(algorithm, secret="not-the-secret")
    with pytest.raises(ClientException) as info:
        await client.list_space_async(sdk_models.ListSpaceRequest())
    assert (info.value.status_code, info.value.code) == (400, "SignatureDoesNotMatch")
    assert info.value.request_id


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_endpoint_with_scheme_sends_an_odd_host_that_still_works(
    make_client: MakeClient, emulator: Emulator, algorithm: str | None
) -> None:
    client = make_client(algorithm, scheme=True)
    created = await client.create_space_async(sdk_models.CreateSpaceRequest(name="odd"))
    request = sdk_models.DescribeSpaceClientConfigRequest(
        space_id=created.body.space_id
    )
    config = await client.describe_space_client_config_async(request)
    assert config.body.file_upload_endpoint.startswith(emulator.endpoint + "/_oss/")

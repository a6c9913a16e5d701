"""Paginators and waiters against the emulator on a real loopback socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

import aiompsls
from aiompsls import models as m
from aiompsls import paginators, waiters
from aiompsls.emulator import Emulator
from aiompsls.emulator.handlers.webhosting_files import put_hosting_file

KEY_ID, SECRET = "LTAIpaging", "paging-secret"
FAST = aiompsls.WaitPolicy(delay=0.0, max_delay=0.0, max_attempts=10)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator(access_key_id=KEY_ID, access_key_secret=SECRET)
    async with emu.running(host="127.0.0.1", port=0):
        yield emu


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[aiompsls.Client]:
    creds = aiompsls.Credentials(access_key_id=KEY_ID, access_key_secret=SECRET)
    config = aiompsls.ClientConfig(endpoint=emulator.endpoint)
    async with aiompsls.Client(creds, config=config) as client:
        yield client


async def test_list_space_walks_every_zero_based_page(client: aiompsls.Client):
    created = {(await client.create_space(name=f"s{i}")).space_id for i in range(7)}
    seen = [s.space_id async for s in paginators.list_space(client, page_size=3)]
    assert sorted(seen) == sorted(created)
    pages = [p async for p in paginators.pages(client, m.ListSpaceRequest(page_size=3))]
    assert [len(p.spaces) for p in pages] == [3, 3, 1]


async def test_list_function_walks_one_based_pages(client: aiompsls.Client):
    sid = (await client.create_space(name="fns")).space_id
    for i in range(5):
        await client.create_function(space_id=sid, name=f"fn{i}")
    names = [
        f.name
        async for f in paginators.list_function(client, space_id=sid, page_size=2)
    ]
    assert sorted(names) == [f"fn{i}" for i in range(5)]


async def test_web_hosting_files_follow_the_marker(
    client: aiompsls.Client, emulator: Emulator
):
    sid = (await client.create_space(name="web")).space_id
    await client.open_web_hosting_service(space_id=sid)
    await waiters.wait_web_hosting_opened(client, space_id=sid, policy=FAST)
    for i in range(12):
        put_hosting_file(
            emulator.state.objects,
            sid,
            f"f{i:02}.html",
            b"x",
            content_type="text/html",
            modified_ms=i,
        )
    files = paginators.list_web_hosting_files(
        client, space_id=sid, prefix="/", page_size=5
    )
    paths = [f.file_path async for f in files]
    assert len(paths) == 12
    assert len(set(paths)) == 12


async def test_a_paginator_is_lazy(client: aiompsls.Client):
    for i in range(4):
        await client.create_space(name=f"lazy{i}")
    iterator = paginators.list_space(client, page_size=2)
    first = await anext(iterator)
    assert first.space_id
    await iterator.aclose()  # type: ignore[attr-defined]


async def test_wait_for_an_import_task(client: aiompsls.Client):
    sid = (await client.create_space(name="db")).space_id
    task = await client.create_db_import_task(
        space_id=sid, collection="c", file_type="JSON", mode="INSERT"
    )
    done = await waiters.wait_db_import_task_finished(
        client, space_id=sid, task_id=task.task_id, policy=FAST
    )
    assert done.status == "SUCCESS"


async def test_a_failed_export_raises_waiter_error(client: aiompsls.Client):
    sid = (await client.create_space(name="db")).space_id
    insert = '{"command": "insertOne", "collection": "gone", "data": {"a": 1}}'
    await client.run_db_command(space_id=sid, body=insert)
    task = await client.create_db_export_task(
        space_id=sid, collection="gone", file_type="JSON"
    )
    drop = '{"command": "drop", "collection": "gone"}'
    await client.delete_db_collection(space_id=sid, body=drop)
    with pytest.raises(aiompsls.WaiterError) as info:
        await waiters.wait_db_export_task_finished(
            client, space_id=sid, task_id=task.task_id, policy=FAST
        )
    assert info.value.waiter == "db_export_task_finished"
    assert "status = 'FAILED'" in info.value.reason
    assert isinstance(info.value.last_response, m.QueryDBExportTaskStatusResponse)


async def test_a_waiter_gives_up_after_its_polls(client: aiompsls.Client):
    sid = (await client.create_space(name="db")).space_id
    task = await client.create_db_import_task(
        space_id=sid, collection="c", file_type="JSON", mode="INSERT"
    )
    short = aiompsls.WaitPolicy(delay=0.0, max_delay=0.0, max_attempts=2)
    with pytest.raises(aiompsls.WaiterError, match="gave up after 2 polls"):
        await waiters.wait_db_import_task_finished(
            client, space_id=sid, task_id=task.task_id, policy=short
        )


async def test_wait_for_a_deployment_and_a_restore(
    client: aiompsls.Client, emulator: Emulator, seed_package: Any
):
    sid = (await client.create_space(name="fn")).space_id
    await client.create_function(space_id=sid, name="hello")
    dep = await client.create_function_deployment(space_id=sid, name="hello")
    seed_package(emulator.state, dep.upload_signed_url)
    await client.deploy_function(space_id=sid, deployment_id=dep.deployment_id)
    listed = await waiters.wait_function_deployed(
        client, space_id=sid, name="hello", deployment_id=dep.deployment_id, policy=FAST
    )
    assert listed.data_list[0].deployment_id == dep.deployment_id


async def test_callers_bound_waiters_with_fail_after(client: aiompsls.Client):
    sid = (await client.create_space(name="db")).space_id
    task = await client.create_db_import_task(
        space_id=sid, collection="c", file_type="JSON", mode="INSERT"
    )
    slow = aiompsls.WaitPolicy(delay=30.0, max_delay=30.0, max_attempts=5)
    with pytest.raises(TimeoutError), anyio.fail_after(0.2):
        await waiters.wait_db_import_task_finished(
            client, space_id=sid, task_id=task.task_id, policy=slow
        )

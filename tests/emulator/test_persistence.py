"""The state folder: what one emulator wrote, the next one on the folder still has.

Each test runs an emulator on a state folder through the client, stops it, starts a
new one on the same folder and checks what is there. Every wait is bounded.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import anyio
import pytest
from yarl import URL

import aiompsls
from aiompsls.emulator import Emulator
from aiompsls.emulator.handlers.webhosting_files import put_hosting_file
from aiompsls.emulator.persist import (
    FORMAT_VERSION,
    StateError,
    StateFolder,
    default_state_dir,
)

KEY_ID, SECRET = "LTAIpersisted", "persisted-secret"
CREDS = aiompsls.Credentials(access_key_id=KEY_ID, access_key_secret=SECRET)
WAIT = 20.0
NEEDS_NODE = pytest.mark.skipif(
    shutil.which("node") is None, reason="needs Node.js (node on PATH)"
)


@asynccontextmanager
async def session(folder: Path) -> AsyncIterator[tuple[aiompsls.Client, Emulator]]:
    """A client on an emulator serving the state folder ``folder``."""
    with StateFolder.open(folder) as state_folder:
        emulator = Emulator(
            access_key_id=KEY_ID, access_key_secret=SECRET, state_folder=state_folder
        )
        async with emulator.running() as running:
            config = aiompsls.ClientConfig(
                endpoint=running.endpoint, retry=aiompsls.RetryPolicy(max_attempts=1)
            )
            async with aiompsls.Client(CREDS, config=config) as client:
                yield client, running


def rebased(url: str, emulator: Emulator) -> str:
    """``url`` with the origin of ``emulator`` (the port changes on restart)."""
    origin = URL(emulator.endpoint)
    return str(URL(url).with_host(origin.host or "").with_port(origin.port))


async def put(url: str, data: bytes, content_type: str) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.put(url, data=data, headers={"Content-Type": content_type}) as answer,
    ):
        assert answer.status == 200, await answer.text()


async def get(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        return answer.status, await answer.read()


def package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "index.js", "exports.main = async (e) => ({ twice: e.n * 2 });"
        )
    return buffer.getvalue()


async def db(client: aiompsls.Client, space: str, command: str, **fields: object):
    body = json.dumps({"command": command, "collection": "people", **fields})
    return await client.run_db_command(space_id=space, body=body)


async def populate(client: aiompsls.Client, emulator: Emulator) -> dict[str, str]:
    """Make one of everything; what the second run needs to find it."""
    space = (await client.create_space(name="kept", desc="survives")).space_id
    await client.create_function(space_id=space, name="twice")
    created = await client.create_function_deployment(space_id=space, name="twice")
    await put(created.upload_signed_url, package(), "application/zip")
    await client.deploy_function(space_id=space, deployment_id=created.deployment_id)
    await db(client, space, "insertMany", docs=[{"_id": 1, "n": "ann"}])
    upload = await client.describe_file_upload_signed_url(
        space_id=space, content_type="text/plain", filename="a.txt", size=5
    )
    await put(upload.sign_url, b"hello", "text/plain")
    await client.register_file(space_id=space, id=upload.id)
    (listed,) = (await client.list_file(space_id=space)).data_list
    await client.open_web_hosting_service(space_id=space)
    await client.get_web_hosting_status(space_id=space)
    await client.get_web_hosting_status(space_id=space)
    put_hosting_file(
        emulator.state.objects,
        space,
        "index.html",
        b"<h1>kept</h1>",
        content_type="text/html",
        modified_ms=0,
    )
    await client.bind_web_hosting_custom_domain(
        space_id=space, custom_domain="www.example.com"
    )
    export = await client.create_db_export_task(
        space_id=space, collection="people", file_type="JSON"
    )
    first = await client.query_db_export_task_status(
        space_id=space, task_id=export.task_id
    )
    assert first.status == "WAITING"
    return {
        "space": space,
        "deployment": created.deployment_id,
        "file_url": listed.url or "",
        "task": export.task_id,
    }


async def test_a_restart_on_the_same_folder_keeps_everything(tmp_path: Path) -> None:
    with anyio.fail_after(WAIT):
        async with session(tmp_path) as (client, emulator):
            made = await populate(client, emulator)
        async with session(tmp_path) as (client, emulator):
            space = made["space"]
            spaces = (await client.list_space()).spaces
            described = await client.describe_function(space_id=space, name="twice")
            found = await db(client, space, "find")
            status, served = await get(rebased(made["file_url"], emulator))
            files = await client.list_web_hosting_files(space_id=space, prefix="/")
            domains = await client.list_web_hosting_custom_domains(space_id=space)
            polls = [
                await client.query_db_export_task_status(
                    space_id=space, task_id=made["task"]
                )
                for _ in range(2)
            ]
    assert [(s.space_id, s.name, s.desc) for s in spaces] == [
        (space, "kept", "survives")
    ]
    assert described.deployment is not None
    assert described.deployment.deployment_id == made["deployment"]
    assert json.loads(found.result or "") == [{"_id": 1, "n": "ann"}]
    assert (status, served) == (200, b"hello")
    assert files.data is not None
    assert [f.file_path for f in files.data.web_hosting_files] == ["index.html"]
    assert [d.domain for d in domains.data] == ["www.example.com"]
    assert [p.status for p in polls] == ["RUNNING", "SUCCESS"]


@NEEDS_NODE
async def test_a_function_deployed_before_a_restart_still_runs(tmp_path: Path) -> None:
    with anyio.fail_after(WAIT):
        async with session(tmp_path) as (client, emulator):
            space = (await populate(client, emulator))["space"]
        async with session(tmp_path) as (client, _):
            body = json.dumps({"functionTarget": "twice", "functionArgs": {"n": 21}})
            ran = await client.run_function(space_id=space, body=body)
    assert json.loads(ran.result or "") == {"twice": 42}


async def test_a_deleted_space_stays_deleted_with_its_documents(tmp_path):
    with anyio.fail_after(WAIT):
        async with session(tmp_path) as (client, _):
            space = (await client.create_space(name="gone")).space_id
            await db(client, space, "insertOne", doc={"_id": 1})
            await client.delete_space(space_id=space)
        async with session(tmp_path) as (client, emulator):
            spaces = (await client.list_space()).spaces
            documents = emulator.state.documents
            assert documents is not None
            names = documents.collection_names(space)
    assert spaces == ()
    assert names == []


async def test_a_status_poll_that_advances_the_state_is_saved(tmp_path):
    with anyio.fail_after(WAIT):
        async with session(tmp_path) as (client, _):
            space = (await client.create_space(name="opening")).space_id
            await client.open_web_hosting_service(space_id=space)
            polled = await client.get_web_hosting_status(space_id=space)
        async with session(tmp_path) as (client, _):
            after = await client.get_web_hosting_status(space_id=space)
    assert polled.data is not None
    assert after.data is not None
    assert (polled.data.status, after.data.status) == ("OPENING", "IN_SERVICE")


def test_a_second_open_of_a_held_folder_is_refused(tmp_path: Path) -> None:
    with StateFolder.open(tmp_path), pytest.raises(StateError) as info:
        StateFolder.open(tmp_path)
    assert "another emulator is using this state folder" in str(info.value)
    with StateFolder.open(tmp_path):  # released when the first one closed
        pass


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not sqlite at all, just some text" * 4, "not an emulator state"),
        (None, "written by a newer emulator"),
        ("account", "a record cannot be read"),
    ],
    ids=["garbage", "newer", "bad-record"],
)
def test_an_unreadable_state_file_is_an_error_naming_it(
    tmp_path: Path, content: bytes | str | None, message: str
) -> None:
    path = tmp_path / "emulator.sqlite"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        StateFolder.open(tmp_path).close()
        with sqlite3.connect(path) as conn:
            if content is None:
                conn.execute(
                    "UPDATE meta SET value = ? WHERE key = 'format'",
                    (FORMAT_VERSION + 1,),
                )
            else:
                conn.execute("INSERT INTO records VALUES ('account', '{\"seed\": 1}')")
        conn.close()
    with pytest.raises(StateError) as info, StateFolder.open(tmp_path) as folder:
        folder.load()
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_the_access_key_is_saved_for_the_next_start(tmp_path: Path) -> None:
    with StateFolder.open(tmp_path) as folder:
        assert folder.saved_key() is None
        folder.save_key("LTAIsaved", "saved-secret")
    with StateFolder.open(tmp_path) as folder:
        assert folder.saved_key() == ("LTAIsaved", "saved-secret")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"AIOMPSLS_EMULATOR_STATE": "/srv/emu"}, Path("/srv/emu")),
        ({"XDG_DATA_HOME": "/data"}, Path("/data/aiompsls/emulator")),
        ({}, Path("~/.local/share/aiompsls/emulator").expanduser()),
    ],
    ids=["variable", "xdg", "home"],
)
def test_the_default_state_folder(environ: dict[str, str], expected: Path) -> None:
    assert default_state_dir(environ) == expected


@pytest.mark.parametrize(
    "metadata",
    [
        '{"data": "x.bin"',
        '{"bucket": "b"}',
        json.dumps(
            {
                "bucket": "mps-emulator-files",
                "key": "k",
                "size": 1,
                "etag": '"0CC175B9C0F1B6A831C399E269772661"',
                "content_type": "text/plain",
                "modified_ms": 0,
                "data": "../../escape",
            }
        ),
    ],
    ids=["truncated", "missing-fields", "data-outside-the-folder"],
)
def test_an_unreadable_object_metadata_file_is_an_error_naming_it(
    tmp_path: Path, metadata: str
) -> None:
    meta = tmp_path / "objects" / "mps-emulator-files" / "ab" / "ab12.json"
    meta.parent.mkdir(parents=True)
    meta.write_text(metadata)
    with pytest.raises(StateError) as info, StateFolder.open(tmp_path) as folder:
        folder.load()
    assert str(meta) in str(info.value)
    assert "not an object metadata file" in str(info.value)

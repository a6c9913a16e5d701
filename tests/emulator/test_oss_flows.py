"""End to end through the aiompsls client and the OSS side of a running emulator.

The API calls go through :class:`aiompsls.Client`; the uploads and downloads go to
the URLs and PostObject material the API handed out, with plain aiohttp, as a user's
code would send them.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anyio
import pytest

import aiompsls
from aiompsls.emulator import Emulator
from aiompsls.emulator.buckets import BUCKETS
from aiompsls.waiters import wait_web_hosting_opened

KEY_ID, SECRET = "LTAIossflows", "oss-flows-secret"
CREDS = aiompsls.Credentials(access_key_id=KEY_ID, access_key_secret=SECRET)
WAIT = 10.0  # the bound of every wait here; never reached when the code is right


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator(access_key_id=KEY_ID, access_key_secret=SECRET)
    async with emu.running() as running:
        yield running


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[aiompsls.Client]:
    config = aiompsls.ClientConfig(
        endpoint=emulator.endpoint, retry=aiompsls.RetryPolicy(max_attempts=1)
    )
    async with aiompsls.Client(CREDS, config=config) as api:
        yield api


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def space(client: aiompsls.Client) -> str:
    created = await client.create_space(name="flows", desc="OSS flows")
    return created.space_id


def etag_of(data: bytes) -> str:
    return '"' + hashlib.md5(data, usedforsecurity=False).hexdigest().upper() + '"'


async def put(
    http: aiohttp.ClientSession, url: str, data: bytes, content_type: str
) -> str:
    """PUT ``data`` to a signed URL; the ETag the OSS side answered."""
    headers = {"Content-Type": content_type}
    async with http.put(url, data=data, headers=headers) as answer:
        assert answer.status == 200, await answer.text()
        return answer.headers["ETag"]


async def fetch(http: aiohttp.ClientSession, url: str) -> tuple[bytes, str]:
    async with http.get(url) as answer:
        assert answer.status == 200, await answer.text()
        return await answer.read(), answer.headers["ETag"]


async def post_object(
    http: aiohttp.ClientSession, url: str, fields: dict[str, str], data: bytes
) -> None:
    """A browser-style PostObject form: the fields, then ``file``."""
    form = aiohttp.FormData(quote_fields=False, default_to_multipart=True)
    for name, value in fields.items():
        form.add_field(name, value)
    form.add_field("file", data, filename="upload", content_type="text/html")
    async with http.post(url, data=form) as answer:
        assert answer.status == 204, await answer.text()
        assert answer.headers["ETag"] == etag_of(data)


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- function deployments ------------------------------------------------------------


async def deploy(
    client: aiompsls.Client, http: aiohttp.ClientSession, space: str, package: bytes
) -> tuple[str, Any]:
    """Create, upload and deploy ``package``; the deployment id and its list item."""
    created = await client.create_function_deployment(space_id=space, name="hello")
    await put(http, created.upload_signed_url, package, "application/zip")
    await client.deploy_function(space_id=space, deployment_id=created.deployment_id)
    listed = await client.list_function_deployment(space_id=space, name="hello")
    (item,) = [d for d in listed.data_list if d.deployment_id == created.deployment_id]
    return created.deployment_id, item


async def test_an_uploaded_package_deploys_and_downloads(client, http, space):
    await client.create_function(space_id=space, name="hello")
    package = zipped({"index.js": "exports.main = async (event) => event;"})
    with anyio.fail_after(WAIT):
        deployment_id, item = await deploy(client, http, space, package)
        described = await client.describe_function(space_id=space, name="hello")
        downloaded = await fetch(http, described.deployment.download_signed_url)
    assert (item.status.status, item.status.label) == ("DEPLOY_SUCCESS", "部署成功")
    assert described.deployment.deployment_id == deployment_id
    assert downloaded == (package, etag_of(package))


async def test_deleting_a_function_or_a_space_deletes_its_stored_objects(
    client, http, emulator, space
):
    package = zipped({"index.js": "exports.main = async () => 1;"})
    for name in ("kept", "dropped"):
        await client.create_function(space_id=space, name=name)
    with anyio.fail_after(WAIT):
        for name in ("kept", "dropped"):
            created = await client.create_function_deployment(space_id=space, name=name)
            await put(http, created.upload_signed_url, package, "application/zip")
        upload = await client.describe_file_upload_signed_url(
            space_id=space, content_type="text/plain", filename="a.txt", size=1
        )
        await put(http, upload.sign_url, b"a", "text/plain")
        await client.delete_function(space_id=space, name="dropped")
        after_function = stored_keys(emulator)
        await client.delete_space(space_id=space)
    assert [key.split("/")[:2] for key in after_function] == [
        ["mps-emulator-faas", space],
        ["mps-emulator-files", space],
    ]
    assert "/kept/" in after_function[0]
    assert stored_keys(emulator) == []


def stored_keys(emulator: Emulator) -> list[str]:
    """``bucket/key`` of every object the emulator stores, in order."""
    objects = emulator.state.objects
    return [
        f"{bucket}/{info.key}"
        for bucket in sorted(BUCKETS)
        for info in objects.list_objects(bucket)
    ]


@pytest.mark.parametrize(
    ("package", "reason"),
    [
        (b"not a zip", "The package is not a readable zip file."),
        (zipped({"lib/other.js": ""}), "The package has no entry file index.js."),
        (
            zipped({"package.json": '{"main": "app.js"}', "index.js": ""}),
            "The package has no entry file app.js.",
        ),
    ],
    ids=["not-a-zip", "no-index-js", "no-main"],
)
async def test_a_package_that_cannot_run_fails_its_deployment_with_the_reason(
    client, http, space, package, reason
):
    await client.create_function(space_id=space, name="hello")
    with anyio.fail_after(WAIT):
        _, item = await deploy(client, http, space, package)
        described = await client.describe_function(space_id=space, name="hello")
    assert item.status.status == "DEPLOY_FAILED"
    assert item.status.label == f"部署失败：{reason}"
    assert described.deployment is None


async def test_a_deployment_without_an_upload_fails(client, space):
    await client.create_function(space_id=space, name="hello")
    created = await client.create_function_deployment(space_id=space, name="hello")
    await client.deploy_function(space_id=space, deployment_id=created.deployment_id)
    listed = await client.list_function_deployment(space_id=space, name="hello")
    (item,) = listed.data_list
    assert item.status.status == "DEPLOY_FAILED"
    assert "No code package was uploaded" in item.status.label


# --- file storage --------------------------------------------------------------------


async def test_an_uploaded_file_is_registered_listed_and_served(client, http, space):
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    with anyio.fail_after(WAIT):
        upload = await client.describe_file_upload_signed_url(
            space_id=space, content_type="image/png", filename="logo.png", size=9
        )
        etag = await put(http, upload.sign_url, data, "image/png")
        await client.register_file(space_id=space, id=upload.id)
        listed = await client.list_file(space_id=space)
        (item,) = listed.data_list
        served = await fetch(http, item.url)
        (today,) = (await client.describe_resource_usage(space_id=space)).data_list
    assert etag == etag_of(data)
    assert (item.id, item.name, item.type, item.size) == (
        upload.id,
        "logo.png",
        "image/png",
        len(data),
    )
    assert served == (data, etag)
    storage = today.cloud_storage
    assert (storage.upload, storage.download, storage.traffic) == (1, 1, len(data))


async def test_a_file_cannot_be_registered_before_its_upload(client, space):
    upload = await client.describe_file_upload_signed_url(
        space_id=space, content_type="text/plain", filename="a.txt", size=1
    )
    with pytest.raises(aiompsls.InvalidRequestError) as info:
        await client.register_file(space_id=space, id=upload.id)
    assert info.value.code == "InvalidParameter"


# --- static website hosting ----------------------------------------------------------


async def hosting_upload_form(
    client: aiompsls.Client, space: str
) -> tuple[Any, dict[str, Any]]:
    """Where hosting files are posted, and the form fields that authorise it."""
    credential = (
        await client.get_web_hosting_upload_credential(space_id=space, file_path="/")
    ).data
    assert credential is not None
    fields = {
        "OSSAccessKeyId": credential.access_key_id,
        "policy": credential.policy,
        "Signature": credential.signature,
        "x-oss-security-token": credential.security_token,
    }
    return credential.endpoint, fields


async def test_hosting_files_uploaded_by_post_object_list_across_pages(
    client, http, space
):
    await client.open_web_hosting_service(space_id=space)
    endpoint, fields = await hosting_upload_form(client, space)
    paths = [f"page{i:02}.html" for i in range(7)] + ["css/site.css", "index.html"]
    with anyio.fail_after(WAIT):
        for path in paths:
            key = {"key": f"{space}/{path}"}
            await post_object(http, endpoint, key | fields, path.encode())
        pages, marker = [], None
        while True:
            answer = await client.list_web_hosting_files(
                space_id=space, prefix="/", marker=marker, page_size=4
            )
            pages.append([f.file_path for f in answer.data.web_hosting_files])
            marker = answer.data.next_marker
            if marker is None:
                break
        last = answer.data.web_hosting_files[-1]
        served = await fetch(http, last.signed_url)
    assert [len(page) for page in pages] == [4, 4, 1]
    assert [path for page in pages for path in page] == sorted(paths)
    assert served == (b"page06.html", etag_of(b"page06.html"))
    assert (last.size, last.etag, last.content_type) == (
        11,
        etag_of(b"page06.html"),
        "text/html",
    )


# --- database import and export ------------------------------------------------------


async def poll_until_done(poll: Any) -> Any:
    for _ in range(10):
        answer = await poll()
        if answer.status in ("SUCCESS", "FAILED"):
            return answer
    raise AssertionError("the task never finished")


async def import_documents(
    client: aiompsls.Client, http: aiohttp.ClientSession, space: str, payload: bytes
) -> Any:
    """Import ``payload`` (JSON) into ``people`` by PostObject; the finished status."""
    task = await client.create_db_import_task(
        space_id=space, collection="people", file_type="JSON", mode="INSERT"
    )
    fields = {
        "key": task.file_key,
        "OSSAccessKeyId": task.access_key_id,
        "policy": task.policy,
        "Signature": task.signature,
    }
    await post_object(http, task.host, fields, payload)
    return await poll_until_done(
        lambda: client.query_db_import_task_status(space_id=space, task_id=task.task_id)
    )


async def test_a_post_object_import_runs_and_an_export_downloads(client, http, space):
    lines = [{"_id": "a", "name": "ann"}, {"_id": "b", "name": "bob"}]
    payload = "".join(json.dumps(doc) + "\n" for doc in lines).encode()
    with anyio.fail_after(WAIT):
        imported = await import_documents(client, http, space, payload)
        export = await client.create_db_export_task(
            space_id=space, collection="people", file_type="JSON"
        )
        exported = await poll_until_done(
            lambda: client.query_db_export_task_status(
                space_id=space, task_id=export.task_id
            )
        )
        downloaded, _ = await fetch(http, exported.download_url)
    assert (imported.status, imported.success_count, imported.failed_count) == (
        "SUCCESS",
        "2",
        "0",
    )
    assert [json.loads(line) for line in downloaded.splitlines()] == lines


async def test_imported_documents_query_back_up_and_restore_into_a_new_collection(
    client, http, emulator, space
):
    payload = b'[{"_id": "a", "age": 31}, {"_id": "b", "age": 42}, {"_id": "a"}]'
    with anyio.fail_after(WAIT):
        imported = await import_documents(client, http, space, payload)
        older = await run(client, space, {"command": "find", "collection": "people"})
        await admin_backup(http, emulator, space)
        (dump,) = (
            await client.query_db_backup_dump_times(space_id=space)
        ).backup_dump_times
        backed_up = await client.query_db_backup_collections(
            space_id=space, backup_id=dump.backup_id
        )
        restore = await client.create_db_restore_task(
            space_id=space,
            backup_id=dump.backup_id,
            origin_collections="people",
            new_collections="people_restored",
        )
        restored = await poll_until_done(
            lambda: client.query_db_restore_task_status(
                space_id=space, task_id=restore.task_id
            )
        )
        adults = await run(
            client,
            space,
            {
                "command": "find",
                "collection": "people_restored",
                "filter": {"age": {"$gt": 40}},
            },
        )
    # The repeated "_id": "a" conflicts and is counted as a failure (INSERT mode).
    assert (imported.status, imported.success_count, imported.failed_count) == (
        "SUCCESS",
        "2",
        "1",
    )
    assert older == [{"_id": "a", "age": 31}, {"_id": "b", "age": 42}]
    assert backed_up.collections == ("people",)
    assert (restored.status, restored.success_count, restored.failed_count) == (
        "SUCCESS",
        2,
        0,
    )
    assert adults == [{"_id": "b", "age": 42}]


async def run(client: aiompsls.Client, space: str, command: dict[str, Any]) -> Any:
    """RunDBCommand with ``command``; the decoded result."""
    answer = await client.run_db_command(space_id=space, body=json.dumps(command))
    assert answer.result is not None
    return json.loads(answer.result)


async def admin_backup(
    http: aiohttp.ClientSession, emulator: Emulator, space: str
) -> None:
    """Take a database backup now through the reserved admin endpoint."""
    url = f"{emulator.endpoint}/_admin/backup"
    async with http.post(url, params={"space_id": space}) as answer:
        assert answer.status == 200, await answer.text()


# --- the hosted site -----------------------------------------------------------------


async def test_hosting_files_uploaded_through_the_api_serve_as_a_website(
    client, http, emulator, space
):
    await client.open_web_hosting_service(space_id=space)
    no_pause = aiompsls.WaitPolicy(delay=0, max_delay=0, max_attempts=3)
    await wait_web_hosting_opened(client, space_id=space, policy=no_pause)
    endpoint, fields = await hosting_upload_form(client, space)
    pages = {"home.html": b"<h1>home</h1>", "missing.html": b"<h1>gone</h1>"}
    with anyio.fail_after(WAIT):
        for path, data in pages.items():
            key = {"key": f"{space}/{path}"}
            await post_object(http, endpoint, key | fields, data)
        await client.modify_web_hosting_config(
            space_id=space, index_path="home.html", error_path="missing.html"
        )
        site = f"{emulator.endpoint}/_site/{space}"
        async with http.get(f"{site}/") as home:
            home_page = (home.status, await home.read(), home.content_type)
        async with http.get(f"{site}/nowhere.html") as nowhere:
            missing_page = (nowhere.status, await nowhere.read())
        (today,) = (await client.describe_resource_usage(space_id=space)).data_list
    assert home_page == (200, b"<h1>home</h1>", "text/html")
    assert missing_page == (404, b"<h1>gone</h1>")
    assert today.static_web.traffic == len(b"<h1>home</h1><h1>gone</h1>")

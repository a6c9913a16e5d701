"""Where uploads meet the engines: deployment packages and DB task files."""

from __future__ import annotations

import io
import zipfile

import pytest

from aiompsls import models as m
from aiompsls.emulator.buckets import FUNCTION_BUCKET, SHARE_BUCKET
from aiompsls.emulator.db_objects import export_info, import_payload_path, write_export
from aiompsls.emulator.packages import PACKAGE_MAX_BYTES, check_package, package_path
from aiompsls.emulator.records import DbTask, DeploymentRecord


def _deployment(call, state, space_id):
    call(m.CreateFunctionRequest(space_id=space_id, name="hello"))
    created = call(m.CreateFunctionDeploymentRequest(space_id=space_id, name="hello"))
    return state.spaces[space_id].functions.deployments[created.deployment_id]


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _upload(state, dep: DeploymentRecord, data: bytes) -> None:
    state.objects.put_bytes(
        FUNCTION_BUCKET, dep.object_key, data, content_type="", modified_ms=0
    )


def test_a_deployments_package_is_its_uploaded_object(call, state, space_id):
    dep = _deployment(call, state, space_id)
    assert package_path(state.objects, dep) is None
    _upload(state, dep, _zip({"index.js": ""}))
    path = package_path(state.objects, dep)
    assert path is not None
    assert zipfile.ZipFile(path).namelist() == ["index.js"]


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"index.js": ""}, None),
        ({"hello/index.js": "", "hello/lib.js": ""}, None),
        ({"package.json": '{"main": "src/app.js"}', "src/app.js": ""}, None),
        ({"main.js": ""}, "The package has no entry file index.js."),
    ],
)
def test_a_package_deploys_when_it_holds_its_entry_file(
    call, state, space_id, files, reason
):
    dep = _deployment(call, state, space_id)
    _upload(state, dep, _zip(files))
    assert check_package(state.objects, dep) == reason


def test_a_package_over_ten_mib_fails_its_deployment(call, state, space_id):
    dep = _deployment(call, state, space_id)
    chunks = [b"\0" * (1024 * 1024)] * 10 + [b"\0"]
    state.objects.put_chunks(
        FUNCTION_BUCKET, dep.object_key, chunks, content_type="", modified_ms=0
    )
    call(m.DeployFunctionRequest(space_id=space_id, deployment_id=dep.deployment_id))
    assert dep.status == "DEPLOY_FAILED"
    assert dep.reason == f"The package is larger than {PACKAGE_MAX_BYTES} bytes."
    listed = call(m.ListFunctionDeploymentRequest(space_id=space_id, name="hello"))
    assert listed.data_list[0].status.label == f"部署失败：{dep.reason}"


def _task(file_type: str) -> DbTask:
    return DbTask(
        task_id="t",
        kind="export",
        status="NEW",
        file_type=file_type,
        file_key=f"mongo/export/s/t.{file_type.lower()}",
        created_ms=0,
    )


@pytest.mark.parametrize(
    ("file_type", "content_type"), [("JSON", "application/json"), ("CSV", "text/csv")]
)
def test_an_export_is_written_to_its_file_key(state, file_type, content_type):
    task = _task(file_type)
    assert export_info(state.objects, task) is None
    info = write_export(state.objects, task, [b"a\n", b"b\n"], modified_ms=9)
    assert export_info(state.objects, task) == info
    assert (info.bucket, info.key, info.content_type, info.size) == (
        SHARE_BUCKET,
        task.file_key,
        content_type,
        4,
    )


def test_an_import_reads_the_object_at_its_file_key(state):
    task = _task("JSON")
    assert import_payload_path(state.objects, task) is None
    state.objects.put_bytes(
        SHARE_BUCKET, task.file_key, b"{}\n", content_type="", modified_ms=0
    )
    path = import_payload_path(state.objects, task)
    assert path is not None
    assert path.read_bytes() == b"{}\n"


def test_a_reset_empties_the_object_store_and_keeps_it(state):
    store = state.objects
    store.put_bytes(SHARE_BUCKET, "k", b"x", content_type="", modified_ms=0)
    state.reset()
    assert state.objects is store
    assert store.list_objects(SHARE_BUCKET) == []

"""RunFunction runs the deployed code under Node.js; ListFunctionLog shows the runs."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile

import anyio
import pytest

from aiompsls import models as m
from aiompsls.emulator import Emulator
from aiompsls.emulator._registry import EmulatedError
from aiompsls.emulator.app import GATEWAY
from aiompsls.emulator.buckets import FUNCTION_BUCKET
from aiompsls.emulator.handlers import function_runtime
from aiompsls.emulator.records import LogRecord
from aiompsls.emulator.runtime import FunctionRuntime

needs_node = pytest.mark.skipif(
    shutil.which("node") is None, reason="needs Node.js (node on PATH)"
)
# The handler fixtures' clock: 2024-05-06 07:08:09.123 UTC.
START_MS = 1714979289123
START_LINE = (
    "2024-05-06 07:08:09.123 INFO Start `hello` at Mon May 06 2024 07:08:09 "
    "GMT+0000 (UTC)"
)


@pytest.fixture
def hello(call, space_id):
    call(m.CreateFunctionRequest(space_id=space_id, name="hello"))
    return "hello"


def deploy(call, space_id, name="hello"):
    created = call(m.CreateFunctionDeploymentRequest(space_id=space_id, name=name))
    call(
        m.DeployFunctionRequest(space_id=space_id, deployment_id=created.deployment_id)
    )


@pytest.fixture
def shelf(function_packages, call, space_id, hello):
    """``hello`` deployed; ``shelf.put("hello", source)`` sets its code."""
    function_packages.put("hello")
    deploy(call, space_id)
    return function_packages


def run(space_id, args=None, target="hello"):
    body = {"functionTarget": target}
    if args is not None:
        body["functionArgs"] = args
    return m.RunFunctionRequest(space_id=space_id, body=json.dumps(body))


def logs(call, space_id, **kwargs):
    return call(m.ListFunctionLogRequest(space_id=space_id, name="hello", **kwargs))


@needs_node
def test_run_function_answers_mains_value_as_json_with_runtime_meta(
    call, space_id, shelf
):
    answer = call(run(space_id, {"a": "aaaa", "num": 100}))
    assert json.loads(answer.result) == {
        "event": {"a": "aaaa", "num": 100},
        "functionName": "hello",
    }
    meta = answer.runtime_meta
    assert re.fullmatch(r"[0-9a-f]{32}", meta.request_id)
    assert 0 < meta.max_memory_usage <= 512
    assert meta.billing_duration >= max(100, meta.invocation_duration)
    assert meta.billing_duration % 100 == 0
    assert (answer.http_status_code, answer.success, answer.code) == ("200", True, "OK")


@needs_node
def test_function_args_default_to_an_empty_event(call, space_id, shelf):
    answer = call(run(space_id))
    assert json.loads(answer.result)["event"] == {}


@needs_node
def test_a_run_is_logged_with_its_lines_levels_and_times(call, space_id, shelf):
    meta = call(run(space_id, {"x": 1})).runtime_meta
    (item,) = logs(call, space_id).data_list
    assert (item.request_id, item.status) == (meta.request_id, "SUCCESS")
    assert (item.function_name, item.space_id) == ("hello", space_id)
    assert item.contents[0] == START_LINE
    assert re.fullmatch(
        r"2024-05-06 07:08:09\.\d{3} INFO echo \{\"x\":1\}", item.contents[1]
    )
    assert re.fullmatch(r".* INFO Success in \d+ms", item.contents[2])
    assert item.levels == ("INFO", "INFO", "INFO")
    assert item.timestamps[0] == str(START_MS)
    assert all(int(stamp) >= START_MS for stamp in item.timestamps)
    assert item.content == "".join(line + "\n" for line in item.contents)
    assert (item.level, item.timestamp) == ("INFO", str(START_MS))


@needs_node
def test_a_function_that_throws_fails_the_call_and_logs_the_stack(
    call, space_id, shelf
):
    shelf.put(
        "hello", "exports.main = () => { console.warn('w'); throw new Error('boom'); };"
    )
    with pytest.raises(EmulatedError) as info:
        call(run(space_id))
    assert (info.value.code, info.value.status) == ("FunctionExecutionFailed", 400)
    assert "Error: boom" in info.value.message
    (item,) = logs(call, space_id, status="FAIL").data_list
    assert f"LogRequestId {item.request_id}" in info.value.message
    assert item.levels == ("INFO", "WARN", "ERROR", "ERROR")
    assert "ERROR Error: boom\n    at " in item.contents[2]
    assert re.fullmatch(r".* ERROR Fail in \d+ms", item.contents[3])
    assert item.level == "ERROR"
    assert logs(call, space_id, status="SUCCESS").data_list == ()


@needs_node
@pytest.mark.parametrize(
    ("update", "source", "code"),
    [
        (
            {"timeout": 1},
            "exports.main = () => new Promise(() => {});",
            "FunctionTimeout",
        ),
        (
            {"memory": 128},
            "exports.main = () => { const a = [];"
            " for (;;) a.push(new Array(100000).fill(1.5)); };",
            "FunctionResourceExhausted",
        ),
        ({}, "exports.main = () => process.exit(2);", "FunctionExecutionFailed"),
    ],
)
async def test_the_functions_limits_are_enforced_with_service_style_errors(
    acall, space_id, shelf, update, source, code
):
    await acall(m.UpdateFunctionRequest(space_id=space_id, name="hello", **update))
    shelf.put("hello", source)
    with anyio.fail_after(10), pytest.raises(EmulatedError) as info:
        await acall(run(space_id))
    assert (info.value.code, info.value.status) == (code, 400)
    listed = await acall(m.ListFunctionLogRequest(space_id=space_id, name="hello"))
    assert [item.status for item in listed.data_list] == ["FAIL"]


def test_a_deployed_package_that_vanished_is_not_found(
    fails, call, state, space_id, hello
):
    created = call(m.CreateFunctionDeploymentRequest(space_id=space_id, name="hello"))
    dep = state.spaces[space_id].functions.deployments[created.deployment_id]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zipped:
        zipped.writestr("index.js", "exports.main = () => 1;")
    state.objects.put_bytes(
        FUNCTION_BUCKET,
        dep.object_key,
        code.getvalue(),
        content_type="application/zip",
        modified_ms=0,
    )
    call(m.DeployFunctionRequest(space_id=space_id, deployment_id=dep.deployment_id))
    state.objects.delete(FUNCTION_BUCKET, dep.object_key)
    error = fails(run(space_id), "InvalidFunctionPackage.NotFound", 404)
    assert "was not uploaded" in error.message


@needs_node
def test_a_package_that_is_no_zip_is_refused(fails, call, space_id, shelf):
    shelf.put("hello").write_bytes(b"not a zip")
    error = fails(run(space_id), "InvalidFunctionPackage", 400)
    assert "zip" in error.message
    assert logs(call, space_id).data_list == ()


def test_without_node_the_run_is_refused_and_not_logged(
    fails, call, ctx, space_id, shelf
):
    ctx.runtime = FunctionRuntime(node=None)
    error = fails(run(space_id), "InvalidRuntime.NotAvailable", 503)
    assert "node is not installed" in error.message
    assert logs(call, space_id).data_list == ()


def test_run_function_needs_a_deployed_function(fails, space_id, hello):
    fails(run(space_id), "InvalidDeployment.NotFound", 404)
    fails(run(space_id, target="ghost"), "InvalidFunction.NotFound", 404)


@pytest.mark.parametrize("body", [[], {"functionArgs": {}}, {"functionTarget": 3}])
def test_run_function_needs_a_target(fails, space_id, body):
    request = m.RunFunctionRequest(space_id=space_id, body=json.dumps(body))
    assert "Body" in fails(request, "InvalidParameter", 400).message


RENDEZVOUS = """const fs = require("fs");
exports.main = async ({ dir, me, other }) => {
  fs.writeFileSync(`${dir}/${me}`, "");
  while (!fs.existsSync(`${dir}/${other}`)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return me;
};"""


@needs_node
async def test_runs_of_a_function_overlap_up_to_its_instance_concurrency(
    acall, space_id, shelf, tmp_path
):
    await acall(
        m.UpdateFunctionRequest(
            space_id=space_id, name="hello", instance_concurrency=2, timeout=2
        )
    )
    shelf.put("hello", RENDEZVOUS)
    answers = {}

    async def one(me, other):
        args = {"dir": str(tmp_path), "me": me, "other": other}
        answers[me] = json.loads((await acall(run(space_id, args))).result)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(one, "a", "b")
            group.start_soon(one, "b", "a")
    assert answers == {"a": "a", "b": "b"}
    listed = await acall(m.ListFunctionLogRequest(space_id=space_id, name="hello"))
    assert listed.paginator.total == 2


@needs_node
def test_a_space_keeps_only_its_latest_logs(call, space_id, shelf, monkeypatch):
    monkeypatch.setattr(function_runtime, "MAX_LOGS_PER_SPACE", 2)
    ids = [call(run(space_id)).runtime_meta.request_id for _ in range(3)]
    assert [item.request_id for item in logs(call, space_id).data_list] == ids[:0:-1]


def _log(request_id, status, when, name="hello"):
    return LogRecord(
        request_id=request_id,
        function_name=name,
        status=status,
        timestamp_ms=when,
        contents=[f"ran {request_id}", "done"],
        levels=["INFO", "WARN"],
        timestamps=[when, when + 5],
    )


def test_function_logs_start_empty(call, space_id, hello):
    assert logs(call, space_id).data_list == ()


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["r3", "r2", "r1"]),
        ({"status": "FAIL"}, ["r2"]),
        ({"status": ""}, ["r3", "r2", "r1"]),
        ({"log_request_id": "r1"}, ["r1"]),
        ({"from_date": "2000", "to_date": "2999"}, ["r2"]),
        ({"from_date": "2000"}, ["r3", "r2"]),
        ({"page_size": 2, "page_num": 2}, ["r1"]),
    ],
)
def test_function_logs_are_filtered_latest_first(
    call, state, space_id, hello, kwargs, expected
):
    state.spaces[space_id].functions.logs.extend(
        [
            _log("r1", "SUCCESS", 1000),
            _log("r2", "FAIL", 2000),
            _log("rx", "SUCCESS", 2500, name="other"),
            _log("r3", "SUCCESS", 3000),
        ]
    )
    listed = logs(call, space_id, **kwargs)
    assert [item.request_id for item in listed.data_list] == expected


def test_log_items_carry_both_documented_shapes(call, state, space_id, hello):
    state.spaces[space_id].functions.logs.append(_log("r1", "SUCCESS", 1545403746724))
    (item,) = logs(call, space_id).data_list
    assert item.contents == ("ran r1", "done")
    assert item.levels == ("INFO", "WARN")
    assert item.timestamps == ("1545403746724", "1545403746729")
    assert (item.content, item.level, item.timestamp) == (
        "ran r1\ndone\n",
        "WARN",
        "1545403746724",
    )


def test_a_non_numeric_log_date_is_an_invalid_parameter(fails, space_id, hello):
    request = m.ListFunctionLogRequest(space_id=space_id, name="hello", from_date="May")
    assert "FromDate" in fails(request, "InvalidParameter", 400).message


async def test_the_emulator_removes_unpacked_packages_when_it_stops(tmp_path):
    archive = tmp_path / "code.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.js", "exports.main = () => 1;")
    emulator = Emulator(access_key_id="id", access_key_secret="secret")
    async with emulator.running():
        entry = await emulator.app[GATEWAY].runtime.prepare(archive, "dep-1")
        assert entry.is_file()
    assert not entry.exists()

"""Function deployments, invocation and logs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from aiompsls import models as m
from aiompsls.emulator.records import LogRecord


@pytest.fixture
def hello(call, space_id):
    call(m.CreateFunctionRequest(space_id=space_id, name="hello"))
    return "hello"


def _deploy(call, space_id, *, deploy=True):
    created = call(m.CreateFunctionDeploymentRequest(space_id=space_id, name="hello"))
    if deploy:
        call(
            m.DeployFunctionRequest(
                space_id=space_id, deployment_id=created.deployment_id
            )
        )
    return created.deployment_id


def _deployments(call, space_id, **kwargs):
    return call(
        m.ListFunctionDeploymentRequest(space_id=space_id, name="hello", **kwargs)
    )


def test_the_upload_url_is_an_oss_presigned_put_under_the_emulator(
    call, ctx, state, space_id, hello
):
    created = call(m.CreateFunctionDeploymentRequest(space_id=space_id, name="hello"))
    assert re.fullmatch(r"dep-[0-9a-f]{24}", created.deployment_id)
    url = urlsplit(created.upload_signed_url)
    assert f"{url.scheme}://{url.netloc}" == "http://127.0.0.1:8765"
    bucket, key = url.path.removeprefix("/_oss/").split("/", 1)
    assert key == f"{space_id}/hello/{created.deployment_id}.zip"
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    expires = int(ctx.now.timestamp()) + 3600
    assert query["Expires"] == str(expires)
    assert query["OSSAccessKeyId"] == state.oss_access_key_id
    signed = f"PUT\n\napplication/zip\n{expires}\n/{bucket}/{key}"
    digest = hmac.new(
        state.oss_access_key_secret.encode(), signed.encode(), hashlib.sha1
    ).digest()
    assert query["Signature"] == base64.b64encode(digest).decode()


def test_a_deployment_is_listed_and_described_once_deployed(call, space_id, hello):
    deployment_id = _deploy(call, space_id, deploy=False)
    assert _deployments(call, space_id).data_list == ()
    assert (
        call(m.DescribeFunctionRequest(space_id=space_id, name="hello")).deployment
        is None
    )
    call(m.DeployFunctionRequest(space_id=space_id, deployment_id=deployment_id))
    (item,) = _deployments(call, space_id).data_list
    assert item.deployment_id == deployment_id
    assert item.status == m.ListFunctionDeploymentStatus(
        status="DEPLOY_SUCCESS", label="部署成功"
    )
    assert re.fullmatch(r"20240506070809123\d\d", item.version_no)
    described = call(m.DescribeFunctionRequest(space_id=space_id, name="hello"))
    assert described.deployment.deployment_id == deployment_id
    assert "Signature=" in described.deployment.download_signed_url


def test_the_latest_deployment_wins_and_lists_first(call, space_id, hello):
    first = _deploy(call, space_id)
    second = _deploy(call, space_id)
    listed = _deployments(call, space_id)
    assert [d.deployment_id for d in listed.data_list] == [second, first]
    described = call(m.DescribeFunctionRequest(space_id=space_id, name="hello"))
    assert described.deployment.deployment_id == second
    call(m.DeployFunctionRequest(space_id=space_id, deployment_id=first))
    described = call(m.DescribeFunctionRequest(space_id=space_id, name="hello"))
    assert described.deployment.deployment_id == first


@pytest.mark.parametrize(
    ("kwargs", "count", "total"),
    [
        ({}, 3, 3),
        ({"status": "DEPLOY_SUCCESS"}, 3, 3),
        ({"status": "DEPLOY_FAILED"}, 0, 0),
        ({"page_size": 2}, 2, 3),
        ({"page_size": 2, "page_num": 2}, 1, 3),
    ],
)
def test_list_function_deployment_filters_and_pages(
    call, space_id, hello, kwargs, count, total
):
    for _ in range(3):
        _deploy(call, space_id)
    listed = _deployments(call, space_id, **kwargs)
    assert len(listed.data_list) == count
    assert listed.paginator.total == total


def test_unknown_deployments_and_functions_are_not_found(fails, space_id, hello):
    fails(
        m.DeployFunctionRequest(space_id=space_id, deployment_id="dep-0"),
        "InvalidDeploymentId.NotFound",
        404,
    )
    fails(
        m.CreateFunctionDeploymentRequest(space_id=space_id, name="ghost"),
        "InvalidFunction.NotFound",
        404,
    )
    fails(
        m.ListFunctionDeploymentRequest(space_id=space_id, name="ghost"),
        "InvalidFunction.NotFound",
        404,
    )


def _run(body, space_id):
    return m.RunFunctionRequest(space_id=space_id, body=json.dumps(body))


def test_run_function_echoes_its_target_and_arguments(call, space_id, hello):
    _deploy(call, space_id)
    args = {"a": "aaaa", "num": 100}
    answer = call(_run({"functionTarget": "hello", "functionArgs": args}, space_id))
    assert json.loads(answer.result) == {
        "functionTarget": "hello",
        "functionArgs": args,
    }
    assert re.fullmatch(r"[0-9a-f]{32}", answer.runtime_meta.request_id)
    assert answer.runtime_meta.invocation_duration >= 0
    assert (answer.http_status_code, answer.success, answer.code) == ("200", True, "OK")


def test_run_function_needs_a_deployed_function(fails, space_id, hello):
    body = {"functionTarget": "hello"}
    fails(_run(body, space_id), "InvalidDeployment.NotFound", 404)
    body = {"functionTarget": "ghost"}
    fails(_run(body, space_id), "InvalidFunction.NotFound", 404)


@pytest.mark.parametrize("body", [[], {"functionArgs": {}}, {"functionTarget": 3}])
def test_run_function_needs_a_target(fails, space_id, body):
    error = fails(_run(body, space_id), "InvalidParameter", 400)
    assert "Body" in error.message


def _log(request_id, status, when, name="hello"):
    return LogRecord(
        request_id=request_id,
        function_name=name,
        status=status,
        timestamp_ms=when,
        content=f"ran {request_id}",
    )


def _logs(call, space_id, **kwargs):
    listed = call(m.ListFunctionLogRequest(space_id=space_id, name="hello", **kwargs))
    return [item.request_id for item in listed.data_list], listed.paginator.total


def test_function_logs_start_empty(call, space_id, hello):
    assert _logs(call, space_id) == ([], 0)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["r3", "r2", "r1"]),
        ({"status": "FAIL"}, ["r2"]),
        ({"log_request_id": "r1"}, ["r1"]),
        ({"from_date": "2000", "to_date": "2999"}, ["r2"]),
        ({"page_size": 2, "page_num": 2}, ["r1"]),
    ],
)
def test_function_logs_are_filtered_latest_first(
    call, state, space_id, hello, kwargs, expected
):
    logs = state.spaces[space_id].functions.logs
    logs += [
        _log("r1", "SUCCESS", 1000),
        _log("r2", "FAIL", 2000),
        _log("rx", "SUCCESS", 2500, name="other"),
        _log("r3", "SUCCESS", 3000),
    ]
    assert _logs(call, space_id, **kwargs)[0] == expected


def test_log_items_carry_both_documented_shapes(call, state, space_id, hello):
    state.spaces[space_id].functions.logs.append(_log("r1", "SUCCESS", 1545403746724))
    (item,) = call(m.ListFunctionLogRequest(space_id=space_id, name="hello")).data_list
    assert (item.contents, item.content) == (("ran r1",), "ran r1")
    assert (item.timestamps, item.timestamp) == (("1545403746724",), "1545403746724")
    assert item.space_id == space_id


def test_a_non_numeric_log_date_is_an_invalid_parameter(fails, space_id, hello):
    request = m.ListFunctionLogRequest(space_id=space_id, name="hello", from_date="May")
    assert "FromDate" in fails(request, "InvalidParameter", 400).message

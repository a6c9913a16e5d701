"""Function deployments (invocation and logs: test_runtime_handlers.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from aiompsls import models as m


@pytest.fixture
def hello(call, space_id):
    call(m.CreateFunctionRequest(space_id=space_id, name="hello"))
    return "hello"


@pytest.fixture
def deploy(call, state, space_id, seed_package):
    """``deploy()``: a deployment of ``hello`` with the echo package, deployed."""

    def run(*, deployed=True):
        created = call(
            m.CreateFunctionDeploymentRequest(space_id=space_id, name="hello")
        )
        seed_package(state, created.upload_signed_url)
        if deployed:
            call(
                m.DeployFunctionRequest(
                    space_id=space_id, deployment_id=created.deployment_id
                )
            )
        return created.deployment_id

    return run


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


def test_a_deployment_is_listed_and_described_once_deployed(
    call, space_id, hello, deploy
):
    deployment_id = deploy(deployed=False)
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


def test_the_latest_deployment_wins_and_lists_first(call, space_id, hello, deploy):
    first = deploy()
    second = deploy()
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
    call, space_id, hello, deploy, kwargs, count, total
):
    for _ in range(3):
        deploy()
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

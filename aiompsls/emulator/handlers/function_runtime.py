"""Handlers of function deployment, invocation and logs (section 7 of the reference).

Deploying does not yet check the uploaded package, and RunFunction answers with a stub
until the Node.js runtime arrives; both are marked where they happen.
"""

from __future__ import annotations

import json
from typing import Any

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    OK,
    invalid_param,
    not_found,
    now_ms,
    paginate,
    space_of,
    state_of,
    to_datetime,
    usage_today,
)
from aiompsls.emulator.handlers._urls import FUNCTION_BUCKET, presigned_url
from aiompsls.emulator.handlers.function import deployment_view, function_of
from aiompsls.emulator.records import DeploymentRecord, LogRecord
from aiompsls.emulator.state import Space

DEPLOY_LABELS = {"DEPLOY_SUCCESS": "部署成功", "DEPLOY_FAILED": "部署失败"}
PACKAGE_CONTENT_TYPE = "application/zip"


@handles(m.CreateFunctionDeploymentRequest)
def create_function_deployment(
    ctx: Context, req: m.CreateFunctionDeploymentRequest
) -> m.CreateFunctionDeploymentResponse:
    """Open a deployment of a function: a ``dep-`` id and a presigned PUT URL."""
    state = state_of(ctx)
    space = space_of(ctx, req.space_id)
    fn = function_of(space, req.name)
    deployment_id = "dep-" + state.new_hex(24)
    moment = now_ms(ctx)
    dep = DeploymentRecord(
        deployment_id=deployment_id,
        function_name=fn.name,
        object_key=f"{space.space_id}/{fn.name}/{deployment_id}.zip",
        version_no=_version_no(moment, state.serial),
        created_ms=moment,
        modified_ms=moment,
    )
    space.functions.deployments[deployment_id] = dep
    url = presigned_url(
        ctx,
        FUNCTION_BUCKET,
        dep.object_key,
        method="PUT",
        content_type=PACKAGE_CONTENT_TYPE,
    )
    return m.CreateFunctionDeploymentResponse(
        request_id=ctx.request_id, deployment_id=deployment_id, upload_signed_url=url
    )


def _version_no(moment: int, serial: int) -> str:
    """The upload time to the millisecond plus two digits (``2019123110233936929``)."""
    stamp = to_datetime(moment)
    millis = stamp.microsecond // 1000
    return f"{stamp:%Y%m%d%H%M%S}{millis:03d}{serial % 100:02d}"


@handles(m.DeployFunctionRequest)
def deploy_function(
    ctx: Context, req: m.DeployFunctionRequest
) -> m.DeployFunctionResponse:
    """Deploy a deployment; it becomes the function's current code."""
    space = space_of(ctx, req.space_id)
    dep = space.functions.deployments.get(req.deployment_id)
    if dep is None:
        raise not_found("DeploymentId", "deployment", req.deployment_id)
    # The uploaded package is not checked yet (a later issue): every deploy succeeds.
    dep.status = "DEPLOY_SUCCESS"
    dep.deployed_order = state_of(ctx).next_serial()
    dep.modified_ms = now_ms(ctx)
    return m.DeployFunctionResponse(request_id=ctx.request_id)


@handles(m.ListFunctionDeploymentRequest)
def list_function_deployment(
    ctx: Context, req: m.ListFunctionDeploymentRequest
) -> m.ListFunctionDeploymentResponse:
    """The deployed deployments of a function, latest first, optionally by status."""
    space = space_of(ctx, req.space_id)
    fn = function_of(space, req.name)
    deployed = [
        dep
        for dep in space.functions.deployments.values()
        if dep.function_name == fn.name
        and dep.status in DEPLOY_LABELS
        and req.status in (None, dep.status)
    ]
    deployed.sort(key=lambda dep: dep.deployed_order, reverse=True)
    page = paginate(deployed, req.page_num or 1, req.page_size or 10)
    return m.ListFunctionDeploymentResponse(
        request_id=ctx.request_id,
        data_list=tuple(_deployment_item(ctx, space, dep) for dep in page.items),
        paginator=page.paginator(m.ListFunctionDeploymentPaginator),
        http_status_code=HTTP_OK,
        success=True,
        code=OK,
    )


def _deployment_item(
    ctx: Context, space: Space, dep: DeploymentRecord
) -> m.ListFunctionDeploymentDataList:
    status = m.ListFunctionDeploymentStatus(
        status=dep.status, label=DEPLOY_LABELS[dep.status]
    )
    return deployment_view(
        m.ListFunctionDeploymentDataList, ctx, space, dep, status=status
    )


@handles(m.RunFunctionRequest)
def run_function(ctx: Context, req: m.RunFunctionRequest) -> m.RunFunctionResponse:
    """Invoke a deployed function.

    Stub until the Node.js runtime arrives: the Result echoes ``functionTarget`` and
    ``functionArgs`` as JSON, and RuntimeMeta carries fixed plausible figures.
    """
    state = state_of(ctx)
    space = space_of(ctx, req.space_id)
    target, args = _parse_invocation(req.body)
    _require_deployed(space, function_of(space, target).name)
    usage_today(ctx, space).function_count += 1
    result = {"functionTarget": target, "functionArgs": args}
    meta = m.RunFunctionRuntimeMeta(
        request_id=state.new_hex(32),
        max_memory_usage=32,
        invocation_duration=1,
        billing_duration=100,
    )
    return m.RunFunctionResponse(
        request_id=ctx.request_id,
        result=json.dumps(result, ensure_ascii=False, separators=(",", ":")),
        runtime_meta=meta,
        http_status_code=HTTP_OK,
        success=True,
        code=OK,
    )


def _require_deployed(space: Space, name: str) -> None:
    if not any(
        dep.function_name == name and dep.status == "DEPLOY_SUCCESS"
        for dep in space.functions.deployments.values()
    ):
        raise not_found("Deployment", "deployment of function", name)


def _parse_invocation(body: str) -> tuple[str, Any]:
    parsed = json.loads(body)
    if not isinstance(parsed, dict):
        raise invalid_param("Body", "expected a JSON object")
    target = parsed.get("functionTarget")
    if not isinstance(target, str) or not target:
        raise invalid_param("Body", "functionTarget must name the function")
    return target, parsed.get("functionArgs", {})


@handles(m.ListFunctionLogRequest)
def list_function_log(
    ctx: Context, req: m.ListFunctionLogRequest
) -> m.ListFunctionLogResponse:
    """A function's invocation logs, latest first, filtered by the request.

    Nothing writes logs until the Node.js runtime arrives, so the list is empty.
    """
    space = space_of(ctx, req.space_id)
    fn = function_of(space, req.name)
    since = _epoch_ms("FromDate", req.from_date)
    until = _epoch_ms("ToDate", req.to_date)
    logs = [
        log
        for log in reversed(space.functions.logs)
        if log.function_name == fn.name
        and req.status in (None, log.status)
        and req.log_request_id in (None, log.request_id)
        and (since is None or log.timestamp_ms >= since)
        and (until is None or log.timestamp_ms <= until)
    ]
    page = paginate(logs, req.page_num or 1, req.page_size or 10)
    return m.ListFunctionLogResponse(
        request_id=ctx.request_id,
        data_list=tuple(_log_item(space.space_id, log) for log in page.items),
        paginator=page.paginator(m.ListFunctionLogPaginator),
    )


def _epoch_ms(name: str, value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.strip().isdigit():
        raise invalid_param(name, "expected epoch milliseconds")
    return int(value)


def _log_item(space_id: str, log: LogRecord) -> m.ListFunctionLogDataList:
    stamp = str(log.timestamp_ms)
    return m.ListFunctionLogDataList(
        request_id=log.request_id,
        function_name=log.function_name,
        space_id=space_id,
        status=log.status,
        contents=(log.content,),
        levels=(log.level,),
        timestamps=(stamp,),
        content=log.content,
        level=log.level,
        timestamp=stamp,
    )

"""Handlers of function deployment, invocation and logs (section 7 of the reference).

Deploying checks the uploaded package (:mod:`aiompsls.emulator.packages`): a
deployment without a usable one is ``DEPLOY_FAILED``, its label saying why.
RunFunction runs the current deployment under Node.js (:mod:`aiompsls.emulator.runtime`)
and keeps the run's log for ListFunctionLog. A run that fails answers HTTP 400 with
one of :data:`FAILURE_CODES` (emulator choices; the reference documents none):
``FunctionExecutionFailed`` (the function threw, rejected, exited or returned what
JSON cannot hold), ``FunctionTimeout`` (it outran its Timeout and was killed),
``FunctionResourceExhausted`` (it outgrew its Memory). The message carries the
run's LogRequestId.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiompsls import models as m
from aiompsls.emulator._registry import Context, EmulatedError, handles
from aiompsls.emulator.buckets import function_prefix
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
)
from aiompsls.emulator.handlers._urls import FUNCTION_BUCKET, presigned_url
from aiompsls.emulator.handlers.function import deployment_view, function_of
from aiompsls.emulator.packages import check_package, package_path
from aiompsls.emulator.records import DeploymentRecord, LogRecord
from aiompsls.emulator.runtime import (
    LEVEL_ORDER,
    Failure,
    FailureKind,
    Invocation,
    NodeUnavailableError,
    Outcome,
    PackageError,
    invocation_log,
    package_key,
)
from aiompsls.emulator.state import Space

DEPLOY_LABELS = {"DEPLOY_SUCCESS": "部署成功", "DEPLOY_FAILED": "部署失败"}
PACKAGE_CONTENT_TYPE = "application/zip"
#: The error code of a failed run, by why it failed.
FAILURE_CODES = {
    FailureKind.ERROR: "FunctionExecutionFailed",
    FailureKind.CRASH: "FunctionExecutionFailed",
    FailureKind.TIMEOUT: "FunctionTimeout",
    FailureKind.MEMORY: "FunctionResourceExhausted",
}
#: The most invocation logs a space keeps (the oldest go first).
MAX_LOGS_PER_SPACE = 10_000


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
        object_key=function_prefix(space.space_id, fn.name)[1] + f"{deployment_id}.zip",
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
    reason = check_package(state_of(ctx).objects, dep)
    dep.status = "DEPLOY_FAILED" if reason else "DEPLOY_SUCCESS"
    dep.reason = reason or ""
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
    label = DEPLOY_LABELS[dep.status]
    if dep.reason:
        label = f"{label}：{dep.reason}"
    status = m.ListFunctionDeploymentStatus(status=dep.status, label=label)
    return deployment_view(
        m.ListFunctionDeploymentDataList, ctx, space, dep, status=status
    )


def deployment_package(
    ctx: Context, space: Space, dep: DeploymentRecord
) -> Path | None:
    """Where the uploaded zip of a deployment is on disk; None if it never arrived.

    The OSS side stores uploads (:func:`aiompsls.emulator.packages.package_path`);
    without one RunFunction answers ``InvalidFunctionPackage.NotFound``.
    """
    return package_path(state_of(ctx).objects, dep)


def _current_deployment(space: Space, name: str) -> DeploymentRecord:
    deployed = [
        dep
        for dep in space.functions.deployments.values()
        if dep.function_name == name and dep.status == "DEPLOY_SUCCESS"
    ]
    if not deployed:
        raise not_found("Deployment", "deployment of function", name)
    return max(deployed, key=lambda dep: dep.deployed_order)


def _parse_invocation(body: str) -> tuple[str, Any]:
    parsed = json.loads(body)
    if not isinstance(parsed, dict):
        raise invalid_param("Body", "expected a JSON object")
    target = parsed.get("functionTarget")
    if not isinstance(target, str) or not target:
        raise invalid_param("Body", "functionTarget must name the function")
    return target, parsed.get("functionArgs", {})


def _invocation(ctx: Context, space: Space, req: m.RunFunctionRequest) -> Invocation:
    """What to run: the current deployment's package, the function's spec."""
    target, args = _parse_invocation(req.body)
    fn = function_of(space, target)
    dep = _current_deployment(space, fn.name)
    package = deployment_package(ctx, space, dep)
    if package is None:
        raise EmulatedError(
            "InvalidFunctionPackage.NotFound",
            f"The code package of deployment '{dep.deployment_id}' was not uploaded.",
            status=404,
        )
    return Invocation(
        package=package,
        package_key=package_key(space.space_id, dep.deployment_id),
        event=args,
        request_id=state_of(ctx).new_hex(32),
        function_name=fn.name,
        space_id=space.space_id,
        timeout_s=fn.timeout,
        memory_mb=fn.memory,
        concurrency=fn.instance_concurrency,
    )


async def _execute(ctx: Context, invocation: Invocation) -> Outcome:
    try:
        return await ctx.runtime.invoke(invocation)
    except NodeUnavailableError as exc:
        raise EmulatedError(
            "InvalidRuntime.NotAvailable",
            f"The Node.js runtime is not available to the emulator: {exc}",
            status=503,
        ) from None
    except PackageError as exc:
        raise EmulatedError("InvalidFunctionPackage", str(exc), status=400) from None


@handles(m.RunFunctionRequest)
async def run_function(
    ctx: Context, req: m.RunFunctionRequest
) -> m.RunFunctionResponse:
    """Run the function's current deployment under Node.js, log the run.

    Raises:
        EmulatedError: See :data:`FAILURE_CODES` for a run that failed;
            ``InvalidRuntime.NotAvailable`` (503) without ``node``;
            ``InvalidFunctionPackage[.NotFound]`` for a missing or bad package.
    """
    space = space_of(ctx, req.space_id)
    invocation = _invocation(ctx, space, req)
    outcome = await _execute(ctx, invocation)
    usage = space.usage.on(ctx.now)
    usage.function_count += 1
    usage.function_mb_ms += invocation.memory_mb * outcome.billing_duration_ms
    _keep_log(ctx, space, invocation, outcome)
    if outcome.failure is not None:
        raise _failure_error(invocation, outcome.failure)
    meta = m.RunFunctionRuntimeMeta(
        request_id=invocation.request_id,
        max_memory_usage=outcome.max_memory_mb,
        invocation_duration=outcome.duration_ms,
        billing_duration=outcome.billing_duration_ms,
    )
    return m.RunFunctionResponse(
        request_id=ctx.request_id,
        result=outcome.result,
        runtime_meta=meta,
        http_status_code=HTTP_OK,
        success=True,
        code=OK,
    )


def _failure_error(invocation: Invocation, failure: Failure) -> EmulatedError:
    code = FAILURE_CODES[failure.kind]
    return EmulatedError(
        code,
        f"The function '{invocation.function_name}' failed: {failure.message} "
        f"(LogRequestId {invocation.request_id}).",
        status=400,
    )


def _keep_log(
    ctx: Context, space: Space, invocation: Invocation, outcome: Outcome
) -> None:
    """Keep the run's log, unless its function was deleted meanwhile."""
    if invocation.function_name not in space.functions.functions:
        return
    start_ms = now_ms(ctx)
    entries = invocation_log(
        outcome, function_name=invocation.function_name, start_ms=start_ms
    )
    logs = space.functions.logs
    logs.append(
        LogRecord(
            request_id=invocation.request_id,
            function_name=invocation.function_name,
            status=outcome.status,
            timestamp_ms=start_ms,
            contents=[entry.line() for entry in entries],
            levels=[entry.level for entry in entries],
            timestamps=[entry.timestamp_ms for entry in entries],
        )
    )
    del logs[:-MAX_LOGS_PER_SPACE]


@handles(m.ListFunctionLogRequest)
def list_function_log(
    ctx: Context, req: m.ListFunctionLogRequest
) -> m.ListFunctionLogResponse:
    """A function's invocation logs, latest first, filtered by the request.

    ``FromDate``/``ToDate`` are epoch milliseconds compared with a run's start.
    """
    space = space_of(ctx, req.space_id)
    fn = function_of(space, req.name)
    since = _epoch_ms("FromDate", req.from_date)
    until = _epoch_ms("ToDate", req.to_date)
    logs = [
        log
        for log in reversed(space.functions.logs)
        if log.function_name == fn.name
        and req.status in (None, "", log.status)
        and req.log_request_id in (None, "", log.request_id)
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
    """Both documented shapes: the table's lists and the examples' single strings.

    ``Content`` is every line, each ending in a newline (as in the example);
    ``Level`` is the most severe level of the run.
    """
    levels = [level for level in LEVEL_ORDER if level in log.levels]
    return m.ListFunctionLogDataList(
        request_id=log.request_id,
        function_name=log.function_name,
        space_id=space_id,
        status=log.status,
        contents=tuple(log.contents),
        levels=tuple(log.levels),
        timestamps=tuple(str(stamp) for stamp in log.timestamps),
        content="".join(line + "\n" for line in log.contents),
        level=levels[-1] if levels else "INFO",
        timestamp=str(log.timestamp_ms),
    )

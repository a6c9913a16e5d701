"""Handlers of the cloud function metadata actions (section 7 of the API reference).

Creating and deploying code, invocation and logs are in ``function_runtime``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.buckets import function_prefix
from aiompsls.emulator.handlers._common import (
    already_exists,
    invalid_param,
    iso_ms,
    not_found,
    now_ms,
    paginate,
    space_of,
    state_of,
)
from aiompsls.emulator.handlers._urls import FUNCTION_BUCKET, presigned_url
from aiompsls.emulator.records import DeploymentRecord, FunctionRecord
from aiompsls.emulator.runtime import package_key
from aiompsls.emulator.state import Space

R = TypeVar("R")
S = TypeVar("S")

RUNTIME_LABELS = {"nodejs8": "Node.js 8", "nodejs12": "Node.js 12"}
# "cron:" and six or seven fields (seconds first), e.g. "cron:0 0 * * * *".
_CRON = re.compile(r"^cron:\S+(\s+\S+){5,6}$")


def function_of(space: Space, name: str) -> FunctionRecord:
    """The named function of a space; ``InvalidFunction.NotFound`` otherwise."""
    found = space.functions.functions.get(name)
    if found is None:
        raise not_found("Function", "function", name)
    return found


def spec_view(shape: Callable[..., S], fn: FunctionRecord) -> S:
    """A function's Spec struct with display values (``Node.js 12``, ``512 MB``)."""
    return shape(
        instance_concurrency=fn.instance_concurrency,
        memory=f"{fn.memory} MB",
        runtime=RUNTIME_LABELS.get(fn.runtime, fn.runtime),
        timeout=f"{fn.timeout}s",
    )


def function_view(
    shape: Callable[..., R], spec: Callable[..., S], fn: FunctionRecord, **extra: str
) -> R:
    """A function as one of the generated function shapes."""
    return shape(
        name=fn.name,
        desc=fn.desc,
        created_at=iso_ms(fn.created_ms),
        modified_at=iso_ms(fn.modified_ms),
        http_trigger_path=fn.http_trigger_path or None,
        timing_trigger_config=fn.timing_trigger_config or None,
        spec=spec_view(spec, fn),
        **extra,
    )


@handles(m.CreateFunctionRequest)
def create_function(
    ctx: Context, req: m.CreateFunctionRequest
) -> m.CreateFunctionResponse:
    """Create a function with the default spec (512 MB, 5 s, concurrency 1)."""
    space = space_of(ctx, req.space_id)
    if req.name in space.functions.functions:
        raise already_exists("Function", "function", req.name)
    moment = now_ms(ctx)
    fn = FunctionRecord(
        name=req.name,
        desc=req.desc or "",
        runtime=req.runtime or "nodejs12",
        created_ms=moment,
        modified_ms=moment,
    )
    space.functions.functions[fn.name] = fn
    return m.CreateFunctionResponse(
        request_id=ctx.request_id,
        name=fn.name,
        desc=fn.desc,
        created_at=iso_ms(moment),
        modified_at=iso_ms(moment),
        spec=_create_spec(fn),
        success=True,
    )


def _create_spec(fn: FunctionRecord) -> m.CreateFunctionSpec:
    """CreateFunction's Spec, whose InstanceConcurrency is documented as a String."""
    spec = spec_view(m.DescribeFunctionSpec, fn)
    return m.CreateFunctionSpec(
        instance_concurrency=str(spec.instance_concurrency),
        memory=spec.memory,
        runtime=spec.runtime,
        timeout=spec.timeout,
    )


@handles(m.UpdateFunctionRequest)
def update_function(
    ctx: Context, req: m.UpdateFunctionRequest
) -> m.UpdateFunctionResponse:
    """Change what the request sets; empty trigger strings cancel the trigger."""
    space = space_of(ctx, req.space_id)
    fn = function_of(space, req.name)
    if req.http_trigger_path:
        _check_trigger_path_free(space, fn.name, req.http_trigger_path)
    if req.timing_trigger_config and not _CRON.match(req.timing_trigger_config):
        raise invalid_param("TimingTriggerConfig", "expected 'cron:' and 6 fields")
    _apply_update(fn, req)
    fn.modified_ms = now_ms(ctx)
    return function_view(
        m.UpdateFunctionResponse,
        m.UpdateFunctionSpec,
        fn,
        request_id=ctx.request_id,
    )


def _check_trigger_path_free(space: Space, name: str, path: str) -> None:
    for other in space.functions.functions.values():
        if other.name != name and other.http_trigger_path == path:
            raise already_exists("HttpTriggerPath", "HTTP trigger path", path)


def _apply_update(fn: FunctionRecord, req: m.UpdateFunctionRequest) -> None:
    if req.desc is not None:
        fn.desc = req.desc
    if req.memory is not None:
        fn.memory = req.memory
    if req.timeout is not None:
        fn.timeout = req.timeout
    if req.instance_concurrency is not None:
        fn.instance_concurrency = req.instance_concurrency
    if req.runtime is not None:
        fn.runtime = req.runtime
    if req.http_trigger_path is not None:
        fn.http_trigger_path = req.http_trigger_path
    if req.timing_trigger_config is not None:
        fn.timing_trigger_config = req.timing_trigger_config


@handles(m.DeleteFunctionRequest)
def delete_function(
    ctx: Context, req: m.DeleteFunctionRequest
) -> m.DeleteFunctionResponse:
    """Delete a function with its deployments and logs."""
    space = space_of(ctx, req.space_id)
    function_of(space, req.name)
    store = space.functions
    del store.functions[req.name]
    for dep in [d for d in store.deployments.values() if d.function_name == req.name]:
        del store.deployments[dep.deployment_id]
        ctx.runtime.forget(package_key(space.space_id, dep.deployment_id))
    store.logs = [log for log in store.logs if log.function_name != req.name]
    state_of(ctx).objects.delete_prefix(*function_prefix(space.space_id, req.name))
    return m.DeleteFunctionResponse(request_id=ctx.request_id)


@handles(m.DescribeFunctionRequest)
def describe_function(
    ctx: Context, req: m.DescribeFunctionRequest
) -> m.DescribeFunctionResponse:
    """A function and its latest successful deployment."""
    space = space_of(ctx, req.space_id)
    fn = function_of(space, req.name)
    return m.DescribeFunctionResponse(
        request_id=ctx.request_id,
        function=function_view(m.DescribeFunctionFunction, m.DescribeFunctionSpec, fn),
        deployment=_latest_deployment(ctx, space, fn.name),
    )


def _latest_deployment(
    ctx: Context, space: Space, name: str
) -> m.DescribeFunctionDeployment | None:
    done = [
        dep
        for dep in space.functions.deployments.values()
        if dep.function_name == name and dep.status == "DEPLOY_SUCCESS"
    ]
    if not done:
        return None
    latest = max(done, key=lambda dep: dep.deployed_order)
    return deployment_view(m.DescribeFunctionDeployment, ctx, space, latest)


def deployment_view(
    shape: Callable[..., R],
    ctx: Context,
    space: Space,
    dep: DeploymentRecord,
    **extra: object,
) -> R:
    """A deployment as one of the generated deployment shapes."""
    return shape(
        deployment_id=dep.deployment_id,
        version_no=dep.version_no,
        created_at=iso_ms(dep.created_ms),
        modified_at=iso_ms(dep.modified_ms),
        download_signed_url=presigned_url(ctx, FUNCTION_BUCKET, dep.object_key),
        **extra,
    )


@handles(m.ListFunctionRequest)
def list_function(ctx: Context, req: m.ListFunctionRequest) -> m.ListFunctionResponse:
    """List functions in creation order; ``FilterBy`` matches part of the name."""
    functions = list(space_of(ctx, req.space_id).functions.functions.values())
    if req.filter_by:
        needle = req.filter_by.lower()
        functions = [fn for fn in functions if needle in fn.name.lower()]
    page = paginate(functions, req.page_num or 1, req.page_size or 10)
    return m.ListFunctionResponse(
        request_id=ctx.request_id,
        data_list=tuple(
            function_view(m.ListFunctionDataList, m.ListFunctionSpec, fn)
            for fn in page.items
        ),
        paginator=page.paginator(m.ListFunctionPaginator),
    )


@handles(m.DescribeFCOpenStatusRequest)
def describe_fc_open_status(
    ctx: Context, req: m.DescribeFCOpenStatusRequest
) -> m.DescribeFCOpenStatusResponse:
    """Whether Function Compute is activated: the emulator says ``Opened``."""
    return m.DescribeFCOpenStatusResponse(
        request_id=ctx.request_id, status=state_of(ctx).fc_status
    )

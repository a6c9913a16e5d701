"""Cloud function metadata handlers: create, update, describe, list, delete."""

from __future__ import annotations

import pytest

from aiompsls import models as m


@pytest.fixture
def hello(call, space_id):
    call(m.CreateFunctionRequest(space_id=space_id, name="hello", desc="greets"))
    return "hello"


def _describe(call, space_id, name="hello"):
    return call(m.DescribeFunctionRequest(space_id=space_id, name=name))


def test_a_new_function_has_the_default_spec_and_no_deployment(call, space_id):
    created = call(m.CreateFunctionRequest(space_id=space_id, name="hello"))
    assert created.spec == m.CreateFunctionSpec(
        runtime="Node.js 12", memory="512 MB", timeout="5s", instance_concurrency="1"
    )
    assert created.created_at == "2024-05-06T07:08:09.123Z"
    described = _describe(call, space_id)
    assert described.deployment is None
    assert described.function.spec == m.DescribeFunctionSpec(
        runtime="Node.js 12", memory="512 MB", timeout="5s", instance_concurrency=1
    )
    assert described.function.http_trigger_path is None


def test_the_runtime_can_be_chosen(call, space_id):
    created = call(
        m.CreateFunctionRequest(space_id=space_id, name="old", runtime="nodejs8")
    )
    assert created.spec.runtime == "Node.js 8"


def test_function_names_are_unique_per_space(call, fails, space_id, hello):
    request = m.CreateFunctionRequest(space_id=space_id, name="hello")
    fails(request, "Function.AlreadyExists", 409)
    other = call(m.CreateSpaceRequest(name="other")).space_id
    call(m.CreateFunctionRequest(space_id=other, name="hello"))


def test_update_changes_what_is_given_and_keeps_the_rest(call, ctx, space_id, hello):
    ctx.now = ctx.now.replace(minute=30)
    updated = call(
        m.UpdateFunctionRequest(
            space_id=space_id,
            name="hello",
            memory=1024,
            timeout=10,
            instance_concurrency=20,
            http_trigger_path="/http/hello",
            timing_trigger_config="cron:0 0 * * * *",
        )
    )
    assert updated.spec == m.UpdateFunctionSpec(
        runtime="Node.js 12", memory="1024 MB", timeout="10s", instance_concurrency=20
    )
    assert (updated.desc, updated.http_trigger_path) == ("greets", "/http/hello")
    assert updated.timing_trigger_config == "cron:0 0 * * * *"
    assert updated.modified_at == "2024-05-06T07:30:09.123Z"
    assert updated.created_at == "2024-05-06T07:08:09.123Z"
    assert _describe(call, space_id).function.spec.memory == "1024 MB"


def test_empty_trigger_settings_cancel_the_triggers(call, space_id, hello):
    call(
        m.UpdateFunctionRequest(
            space_id=space_id,
            name="hello",
            http_trigger_path="/http/hello",
            timing_trigger_config="cron:0 0 * * * *",
        )
    )
    call(
        m.UpdateFunctionRequest(
            space_id=space_id,
            name="hello",
            http_trigger_path="",
            timing_trigger_config="",
        )
    )
    function = _describe(call, space_id).function
    assert (function.http_trigger_path, function.timing_trigger_config) == (None, None)


def test_http_trigger_paths_are_unique_within_a_space(call, fails, space_id, hello):
    path = "/http/hello"
    call(
        m.UpdateFunctionRequest(space_id=space_id, name="hello", http_trigger_path=path)
    )
    call(
        m.UpdateFunctionRequest(space_id=space_id, name="hello", http_trigger_path=path)
    )
    call(m.CreateFunctionRequest(space_id=space_id, name="other"))
    request = m.UpdateFunctionRequest(
        space_id=space_id, name="other", http_trigger_path=path
    )
    error = fails(request, "HttpTriggerPath.AlreadyExists", 409)
    assert path in error.message


@pytest.mark.parametrize("config", ["0 0 * * * *", "cron:0 0 * *", "every day"])
def test_a_malformed_timer_is_an_invalid_parameter(fails, space_id, hello, config):
    request = m.UpdateFunctionRequest(
        space_id=space_id, name="hello", timing_trigger_config=config
    )
    error = fails(request, "InvalidParameter", 400)
    assert "TimingTriggerConfig" in error.message


@pytest.mark.parametrize(
    "request_type",
    [m.UpdateFunctionRequest, m.DescribeFunctionRequest, m.DeleteFunctionRequest],
)
def test_an_unknown_function_is_not_found(fails, space_id, request_type):
    error = fails(
        request_type(space_id=space_id, name="ghost"), "InvalidFunction.NotFound", 404
    )
    assert "'ghost'" in error.message


@pytest.mark.parametrize(
    ("filter_by", "page_num", "page_size", "names", "total"),
    [
        (None, None, None, ["demo1", "demo2", "other", "Demo3"], 4),
        ("demo", None, None, ["demo1", "demo2", "Demo3"], 3),
        ("demo", 2, 2, ["Demo3"], 3),
        (None, 3, 2, [], 4),
        ("zzz", None, None, [], 0),
    ],
)
def test_list_function_filters_and_pages(
    call, space_id, filter_by, page_num, page_size, names, total
):
    for name in ("demo1", "demo2", "other", "Demo3"):
        call(m.CreateFunctionRequest(space_id=space_id, name=name))
    listed = call(
        m.ListFunctionRequest(
            space_id=space_id,
            filter_by=filter_by,
            page_num=page_num,
            page_size=page_size,
        )
    )
    assert [item.name for item in listed.data_list] == names
    assert listed.paginator.total == total
    assert listed.paginator.page_num == (page_num or 1)
    assert listed.paginator.page_count == -(-total // (page_size or 10))


def test_deleting_a_function_drops_its_deployments(call, fails, space_id, hello, state):
    call(m.CreateFunctionDeploymentRequest(space_id=space_id, name="hello"))
    call(m.DeleteFunctionRequest(space_id=space_id, name="hello"))
    assert state.spaces[space_id].functions.deployments == {}
    fails(
        m.DescribeFunctionRequest(space_id=space_id, name="hello"),
        "InvalidFunction.NotFound",
        404,
    )
    assert call(m.ListFunctionRequest(space_id=space_id)).data_list == ()


def test_function_compute_is_opened(call):
    assert call(m.DescribeFCOpenStatusRequest()).status == "Opened"

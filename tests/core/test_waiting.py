"""The waiter state machine: acceptors, selection of one item, and the delays."""

from __future__ import annotations

import pytest

from aiompsls import models as m
from aiompsls._core.operations import WAITERS
from aiompsls._core.waiting import (
    WaitPolicy,
    default_policy,
    delays,
    describe,
    evaluate,
)

IMPORT = WAITERS["db_import_task_finished"]
DEPLOYED = WAITERS["function_deployed"]
HOSTING = WAITERS["web_hosting_opened"]


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("NEW", "retry"),
        ("WAITING", "retry"),
        ("RUNNING", "retry"),
        ("SUCCESS", "success"),
        ("FAILED", "failure"),
        (None, "retry"),
    ],
)
def test_task_status(status, state):
    response = m.QueryDBImportTaskStatusResponse(request_id="r", status=status)
    assert evaluate(IMPORT, response, key=None) == state


def _deployments(*pairs: tuple[str, str]) -> m.ListFunctionDeploymentResponse:
    items = tuple(
        m.ListFunctionDeploymentDataList(
            deployment_id=dep, status=m.ListFunctionDeploymentStatus(status=status)
        )
        for dep, status in pairs
    )
    return m.ListFunctionDeploymentResponse(request_id="r", data_list=items)


def test_the_selected_deployment_decides():
    response = _deployments(("dep-1", "DEPLOY_FAILED"), ("dep-2", "DEPLOY_SUCCESS"))
    assert evaluate(DEPLOYED, response, key="dep-2") == "success"
    assert evaluate(DEPLOYED, response, key="dep-1") == "failure"
    assert evaluate(DEPLOYED, response, key="dep-3") == "retry"
    assert "no item with deployment_id = 'dep-3'" in describe(
        DEPLOYED, response, key="dep-3"
    )
    assert "status.status = 'DEPLOY_FAILED'" in describe(
        DEPLOYED, response, key="dep-1"
    )


def test_nested_status_path():
    response = m.GetWebHostingStatusResponse(
        request_id="r", data=m.GetWebHostingStatusData(status="IN_SERVICE")
    )
    assert evaluate(HOSTING, response, key=None) == "success"
    assert describe(HOSTING, response, key=None) == "data.status = 'IN_SERVICE'"


def test_delays_double_up_to_the_cap():
    policy = WaitPolicy(delay=1.0, max_delay=5.0, max_attempts=6)
    assert list(delays(policy)) == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_default_policy_is_the_spec_cadence():
    policy = default_policy(IMPORT)
    assert (policy.delay, policy.max_delay, policy.max_attempts) == (1.0, 10.0, 360)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"delay": -1.0, "max_delay": 1.0, "max_attempts": 1},
        {"delay": 1.0, "max_delay": -1.0, "max_attempts": 1},
        {"delay": 1.0, "max_delay": 1.0, "max_attempts": 0},
    ],
)
def test_bad_policies_are_refused(kwargs):
    with pytest.raises(ValueError, match="must"):
        WaitPolicy(**kwargs)

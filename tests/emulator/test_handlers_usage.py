"""Resource usage by day and the quota."""

from __future__ import annotations

import json
import math
import shutil
from datetime import timedelta

import pytest

from aiompsls import models as m


def _usage(call, space_id, **kwargs):
    return call(m.DescribeResourceUsageRequest(space_id=space_id, **kwargs))


def test_without_times_the_row_of_today_is_answered(call, space_id):
    answer = _usage(call, space_id)
    (row,) = answer.data_list
    assert (row.start_time, row.end_time) == (
        "2024-05-06T00:00:00Z",
        "2024-05-07T00:00:00Z",
    )
    assert answer.paginator == m.DescribeResourceUsagePaginator(
        page_count=1, page_num=1, page_size=30, total=1
    )
    assert (answer.code, answer.success, answer.http_status_code) == (
        "success",
        True,
        "200",
    )


@pytest.mark.parametrize(
    ("start", "end", "total", "first", "last"),
    [
        ("2021-10-01T00:00:00Z", "2021-10-02T00:00:00Z", 1, "2021-10-01", "2021-10-01"),
        ("2021-10-01T15:00:00Z", "2021-10-03T00:00:01", 3, "2021-10-01", "2021-10-03"),
        (
            "2021-01-01T00:00:00Z",
            "2022-01-01T00:00:00Z",
            365,
            "2021-01-01",
            "2021-01-30",
        ),
    ],
)
def test_rows_cover_every_day_of_the_window(
    call, space_id, start, end, total, first, last
):
    answer = _usage(call, space_id, start_time=start, end_time=end)
    assert answer.paginator.total == total
    assert answer.data_list[0].start_time.startswith(first)
    assert answer.data_list[-1].start_time.startswith(last)


def test_usage_pages_by_page_number(call, space_id):
    window = {"start_time": "2021-10-01T00:00:00Z", "end_time": "2021-10-11T00:00:00Z"}
    answer = _usage(call, space_id, page_number=4, page_size=3, **window)
    assert [row.start_time for row in answer.data_list] == ["2021-10-10T00:00:00Z"]
    assert (answer.paginator.page_count, answer.paginator.total) == (4, 10)
    assert _usage(call, space_id, page_number=5, page_size=3, **window).data_list == ()


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        (
            {"start_time": "2021-10-02T00:00:00Z", "end_time": "2021-10-01T00:00:00Z"},
            "EndTime",
        ),
        (
            {"start_time": "2021-10-01T00:00:00Z", "end_time": "2021-10-01T00:00:00Z"},
            "EndTime",
        ),
        ({"start_time": "yesterday"}, "StartTime"),
        ({"end_time": "2021-13-01T00:00:00Z"}, "EndTime"),
    ],
)
def test_bad_windows_are_invalid_parameters(fails, space_id, kwargs, parameter):
    request = m.DescribeResourceUsageRequest(space_id=space_id, **kwargs)
    assert f"parameter {parameter} " in fails(request, "InvalidParameter", 400).message


def _busy_day(call, space_id, state, seed):
    """Two runs of ``f`` (512 MB), a DB write and read, a file upload.

    Returns the billed milliseconds of the runs.
    """
    call(m.CreateFunctionRequest(space_id=space_id, name="f"))
    deployment = call(m.CreateFunctionDeploymentRequest(space_id=space_id, name="f"))
    call(
        m.DeployFunctionRequest(
            space_id=space_id, deployment_id=deployment.deployment_id
        )
    )
    body = '{"functionTarget":"f"}'
    runs = [call(m.RunFunctionRequest(space_id=space_id, body=body)) for _ in range(2)]
    insert = {"command": "insertOne", "collection": "c", "data": {"_id": "x"}}
    call(m.RunDBCommandRequest(space_id=space_id, body=json.dumps(insert)))
    call(
        m.RunDBCommandRequest(
            space_id=space_id, body='{"command":"find","collection":"c"}'
        )
    )
    upload = call(
        m.DescribeFileUploadSignedUrlRequest(
            space_id=space_id, filename="a", content_type="text/plain", size=7
        )
    )
    seed(state, upload.sign_url, b"7 bytes", "text/plain")
    call(m.RegisterFileRequest(space_id=space_id, id=upload.id))
    return [run.runtime_meta.billing_duration for run in runs]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (node on PATH)")
def test_what_the_space_did_shows_on_its_day(
    call, ctx, state, space_id, function_packages, seed_upload
):
    function_packages.put("f")
    billed_ms = _busy_day(call, space_id, state, seed_upload)
    ctx.now += timedelta(days=1)
    answer = _usage(
        call,
        space_id,
        start_time="2024-05-05T00:00:00Z",
        end_time="2024-05-08T00:00:00Z",
    )
    before, day, after = answer.data_list
    assert (day.cloud_function.count, day.cloud_db.write, day.cloud_db.read) == (
        2,
        1,
        1,
    )
    assert day.cloud_storage.upload == 1
    # 512 MB × the billed seconds, in GB·s rounded up (at least 1 on a day of runs).
    assert day.cloud_function.compute == math.ceil(512 * sum(billed_ms) / 1024000)
    assert day.cloud_function.compute >= 1
    assert (before.cloud_function.count, after.cloud_function.count) == (0, 0)
    assert day.cloud_storage.data_size == 7
    assert day.cloud_db.data_size == len(b'{"_id":"x"}')


def test_the_quota_is_answered_in_gigabytes(call, space_id):
    answer = call(m.DescribeResourceQuotaRequest(space_id=space_id))
    assert (
        answer.static_web_data_size_quota,
        answer.cloud_storage_data_size_quota,
    ) == (
        2.0,
        10.0,
    )

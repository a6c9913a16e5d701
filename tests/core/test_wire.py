"""The wire converters: the lenient one absorbs the documented quirks, the strict one
accepts only the documented shapes."""

from __future__ import annotations

import json
from pathlib import Path

import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiompsls import models as m
from aiompsls._core.operations import OPERATIONS
from aiompsls._core.wire import make_converter

SAMPLES = json.loads(
    (Path(__file__).parent / "samples" / "documented_responses.json").read_text(
        encoding="utf-8"
    )
)["examples"]
LENIENT = make_converter()
STRICT = make_converter(strict=True)


@pytest.mark.parametrize("action", sorted(SAMPLES))
def test_every_documented_example_decodes_leniently(action: str):
    response = LENIENT.structure(SAMPLES[action], OPERATIONS[action].response)
    assert response.request_id  # type: ignore[attr-defined]
    rewired = LENIENT.unstructure(response)
    assert STRICT.structure(rewired, OPERATIONS[action].response) == response


def test_camel_case_keys_are_read():
    """QueryDBRestoreTaskStatus examples use status/successCount (strings)."""
    sample = SAMPLES["QueryDBRestoreTaskStatus"]
    response = LENIENT.structure(sample, m.QueryDBRestoreTaskStatusResponse)
    assert (response.status, response.success_count, response.failed_count) == (
        "SUCCESS",
        1,
        0,
    )


def test_backup_dump_times_lowercase_list():
    response = LENIENT.structure(
        SAMPLES["QueryDBBackupDumpTimes"], m.QueryDBBackupDumpTimesResponse
    )
    assert response.backup_dump_times
    assert all(item.backup_id for item in response.backup_dump_times)


def test_etag_spelled_either_way():
    for key in ("Etag", "ETag", "etag"):
        data = {"RequestId": "r", "Data": {key: '"ABC"'}}
        response = LENIENT.structure(data, m.DescribeWebHostingFileResponse)
        assert response.data is not None
        assert response.data.etag == '"ABC"'


def test_single_object_where_a_list_is_documented():
    """ListOpenPlatformConfig's JSON example returns SecretList as one object."""
    response = LENIENT.structure(
        SAMPLES["ListOpenPlatformConfig"], m.ListOpenPlatformConfigResponse
    )
    assert len(response.secret_list) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("false", False), (True, True), ("1", True), (0, False)],
)
def test_lenient_booleans(value: object, expected: bool):
    data = {"RequestId": "r", "Data": value}
    assert LENIENT.structure(data, m.DeleteWebHostingFileResponse).data is expected


def test_lenient_numbers_and_strings():
    data = {"RequestId": "r", "Count": "3", "GmtCreate": 5, "Unknown": {"x": 1}}
    response = LENIENT.structure(data, m.ListSpaceResponse)
    assert (response.count, response.gmt_create) == (3, "5")


def test_null_values_are_absent_values():
    data = {"RequestId": "r", "Count": None, "Spaces": None}
    response = LENIENT.structure(data, m.ListSpaceResponse)
    assert (response.count, response.spaces) == (None, ())


@pytest.mark.parametrize(
    "data",
    [
        {"RequestId": "r", "Count": "3"},
        {"RequestId": "r", "Count": True},
        {"RequestId": "r", "Unknown": 1},
        {"RequestId": 5},
        {"Count": 1},
        {"RequestId": "r", "Spaces": {"SpaceId": "s"}},
    ],
)
def test_strict_rejects_what_the_spec_does_not_say(data: dict[str, object]):
    with pytest.raises(cattrs.BaseValidationError):
        STRICT.structure(data, m.ListSpaceResponse)


def test_lenient_rejects_nonsense_with_a_path():
    with pytest.raises(cattrs.BaseValidationError) as info:
        LENIENT.structure({"RequestId": "r", "Count": "many"}, m.ListSpaceResponse)
    assert any("$.count" in line for line in cattrs.transform_error(info.value))


@pytest.mark.parametrize("value", [[1], {"a": 1}, None], ids=["list", "object", "null"])
def test_lenient_scalars_reject_containers(value: object):
    data = {"RequestId": "r", "Data": {"Size": value, "FilePath": value}}
    if value is None:
        LENIENT.structure(data, m.DescribeWebHostingFileResponse)
        return
    with pytest.raises(cattrs.BaseValidationError):
        LENIENT.structure(data, m.DescribeWebHostingFileResponse)


def test_a_non_object_model_value_is_rejected():
    with pytest.raises(cattrs.BaseValidationError):
        LENIENT.structure(
            {"RequestId": "r", "Data": "x"}, m.GetWebHostingStatusResponse
        )


def test_float_fields():
    data = {
        "RequestId": "r",
        "StaticWebDataSizeQuota": "1.5",
        "CloudStorageDataSizeQuota": 2,
    }
    response = LENIENT.structure(data, m.DescribeResourceQuotaResponse)
    assert (
        response.static_web_data_size_quota,
        response.cloud_storage_data_size_quota,
    ) == (1.5, 2.0)
    strict = STRICT.structure(
        {"RequestId": "r", "StaticWebDataSizeQuota": 1}, m.DescribeResourceQuotaResponse
    )
    assert strict.static_web_data_size_quota == 1.0


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(OPERATIONS)), st.data())
def test_models_round_trip_through_the_wire(action: str, data: st.DataObject):
    response_type = OPERATIONS[action].response
    instance = data.draw(st.from_type(response_type))
    wire = STRICT.unstructure(instance)
    json.dumps(wire)
    assert STRICT.structure(wire, response_type) == instance
    assert LENIENT.structure(json.loads(json.dumps(wire)), response_type) == instance

"""A RAM denial's AccessDeniedDetail travels with the error, in every form sent.

The details are vendor material: the Go SDK test suite's envelope
(aliyun/alibaba-cloud-sdk-go sdk/errors/server_error_test.go) and the example of
AccessDeniedDetail documented for AnalyticDB's DescribePerformanceViewAttribute
(alibabacloud-typescript-sdk, where the field is a JSON string).
"""

from __future__ import annotations

import json

import pytest

from aiompsls import errors as e
from aiompsls._core.errors import error_from_response
from aiompsls._core.http import HttpResponse

NOW = 1_795_932_000.0

GO_SDK_DENIED_DETAIL = (
    '{"RequestId":"request id","HostId":"host id","Code":"InvalidAK",'
    '"Recommend":"recommend","Message":"message",'
    '"AccessDeniedDetail":{"AuthAction":"ram:ListUsers","UserId":123}}'
)
ADB_DETAIL = {
    "PolicyType": "AccountLevelIdentityBasedPolicy",
    "AuthPrincipalOwnerId": "1*****************7",
    "EncodedDiagnosticMessage": "AQIBIAAAAOPdwKY2QLOvgMEc7SkkoJfj1kvZwsaRqNYMh10Tv0w",
    "AuthPrincipalType": "SubUser",
    "AuthPrincipalDisplayName": "2***************9",
    "NoPermissionType": "ImplicitDeny",
    "AuthAction": "adb:DescribeExcessivePrimaryKeys",
}


def _error(body: str, status: int = 403, **kwargs: tuple[str, ...]) -> e.ApiError:
    answer = HttpResponse(status=status, body=body.encode())
    error = error_from_response(answer, action="ListSpace", now=NOW, **kwargs)
    assert isinstance(error, e.ApiError)
    return error


def _envelope(detail: object) -> str:
    return json.dumps(
        {
            "RequestId": "E031AABF-BD56-5966-A063-4283EF18DB45",
            "Code": "Forbidden.RAM",
            "Message": "User not authorized to operate on the specified resource.",
            "AccessDeniedDetail": detail,
        }
    )


def test_the_go_sdk_detail_object_is_kept_as_text():
    error = _error(GO_SDK_DENIED_DETAIL, status=400)
    expected = {"AuthAction": "ram:ListUsers", "UserId": "123"}
    assert error.access_denied_detail == expected


@pytest.mark.parametrize(
    "detail", [ADB_DETAIL, json.dumps(ADB_DETAIL)], ids=["object", "json-string"]
)
def test_the_documented_detail_reads_as_an_object_or_as_a_json_string(detail):
    error = _error(_envelope(detail))
    assert isinstance(error, e.PermissionDeniedError)
    assert error.access_denied_detail == ADB_DETAIL


def test_the_xml_form_reads_the_same():
    items = "".join(f"<{k}>{v}</{k}>" for k, v in ADB_DETAIL.items())
    body = (
        "<Error><RequestId>r</RequestId><Code>Forbidden.RAM</Code>"
        f"<Message>m</Message><AccessDeniedDetail>{items}</AccessDeniedDetail></Error>"
    )
    assert _error(body).access_denied_detail == ADB_DETAIL


@pytest.mark.parametrize(
    "detail",
    [None, "not json", "[1, 2]", ["AuthAction"], {"Nested": {"a": 1}, "Flag": True}],
    ids=["null", "text", "json-list", "list", "no-scalars"],
)
def test_anything_else_is_no_detail(detail):
    assert _error(_envelope(detail)).access_denied_detail == {}


def test_an_error_without_a_detail_has_an_empty_one():
    assert _error('{"Code":"Forbidden","Message":"no"}').access_denied_detail == {}


def test_secrets_in_the_detail_are_masked():
    detail = {"AuthAction": "mpserverless:ListSpace", "AuthPrincipalDisplayName": "s3"}
    error = _error(_envelope(detail), secrets=("s3",))
    assert error.access_denied_detail["AuthPrincipalDisplayName"] == "***"

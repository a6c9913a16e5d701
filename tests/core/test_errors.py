"""Error answers become the right exception, with every field the gateway sent."""

from __future__ import annotations

import json
import pickle

import pytest

from aiompsls import errors as e
from aiompsls._core.errors import category_of, error_from_response, retry_after_seconds
from aiompsls._core.http import HttpResponse

NOW = 1_764_000_000.0


def _json(status: int, body: dict[str, str], **headers: str) -> HttpResponse:
    return HttpResponse(status=status, headers=headers, body=json.dumps(body).encode())


def test_captured_invalid_access_key_answer():
    """A live 404 captured in research/errors_and_oss.md §A.1."""
    response = _json(
        404,
        {
            "RequestId": "01A0B2C3",
            "Message": "Specified access key is not found.",
            "Recommend": "https://api.aliyun.com/troubleshoot?q=InvalidAccessKeyId.NotFound",
            "HostId": "mt.cn-hangzhou.aliyuncs.com",
            "Code": "InvalidAccessKeyId.NotFound",
        },
    )
    error = error_from_response(response, action="ListSpace", now=NOW)
    assert isinstance(error, e.AuthenticationError)
    assert (error.code, error.request_id, error.http_status) == (
        "InvalidAccessKeyId.NotFound",
        "01A0B2C3",
        404,
    )
    assert error.host_id == "mt.cn-hangzhou.aliyuncs.com"
    assert error.recommend.endswith("InvalidAccessKeyId.NotFound")
    assert error.action == "ListSpace"
    assert str(error) == (
        "InvalidAccessKeyId.NotFound: Specified access key is not found. "
        "(request id 01A0B2C3)"
    )


def test_signature_mismatch_keeps_the_server_string_to_sign():
    message = (
        "Specified signature is not matched with our calculation. server string to "
        "sign is:GET&%2F&AccessKeyId%3Dtestid"
    )
    error = error_from_response(
        _json(400, {"Code": "SignatureDoesNotMatch", "Message": message}),
        action="ListSpace",
        now=NOW,
    )
    assert isinstance(error, e.ApiError)
    assert error.server_string_to_sign == "GET&%2F&AccessKeyId%3Dtestid"


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("Throttling.User", 400, e.ThrottlingError),
        ("ServiceUnavailable", 503, e.ServiceError),
        ("InternalError", 500, e.ServiceError),
        ("InvalidParameter", 400, e.InvalidRequestError),
        ("Forbidden.RAM", 403, e.PermissionDeniedError),
        ("InvalidSpaceId.NotFound", 404, e.NotFoundError),
        ("SpaceNotExist", 400, e.NotFoundError),
        ("Function.AlreadyExists", 409, e.ConflictError),
        ("Throttling.Api.Concurrency", 400, e.ThrottlingError),
        ("AccessDeniedDetail", 400, e.PermissionDeniedError),
        ("MissingSpaceId", 400, e.InvalidRequestError),
        ("SomethingNew", 404, e.NotFoundError),
        ("SomethingNew", 502, e.ServiceError),
        ("SomethingNew", 401, e.AuthenticationError),
        ("SomethingNew", 418, e.ApiError),
    ],
)
def test_categories(code: str, status: int, cls: type[e.ApiError]):
    error = error_from_response(
        _json(status, {"Code": code, "Message": "m", "RequestId": "r"}),
        action="X",
        now=NOW,
    )
    assert type(error) is cls
    assert error.code == code


def test_lower_case_envelope_and_header_request_id():
    response = _json(
        400,
        {"code": "InvalidParameter", "message": "bad"},
        **{"x-acs-request-id": "hdr"},
    )
    error = error_from_response(response, action="X", now=NOW)
    assert isinstance(error, e.InvalidRequestError)
    assert (error.message, error.request_id) == ("bad", "hdr")


def test_xml_envelope():
    body = (
        b"<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>r1</RequestId>"
        b"<HostId>h</HostId><Code>Throttling</Code><Message>slow down</Message></Error>"
    )
    error = error_from_response(
        HttpResponse(status=400, body=body), action="X", now=NOW
    )
    assert isinstance(error, e.ThrottlingError)
    assert (error.request_id, error.message) == ("r1", "slow down")


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        b"",
        b"{not json",
        b"[1]",
        b'{"Message": "no code"}',
        b"<Error><Code>x</Code>",
        b'<!DOCTYPE x [<!ENTITY a "b">]><Error><Code>&a;</Code></Error>',
        b"plain text",
    ],
)
def test_non_envelopes_are_response_errors(body: bytes):
    error = error_from_response(
        HttpResponse(status=502, body=body), action="X", now=NOW
    )
    assert isinstance(error, e.ResponseError)
    assert error.http_status == 502
    assert error.is_retry_safe


def test_response_error_text_and_retry_safety():
    error = e.ResponseError("unreadable", http_status=400, body=b"x" * 500)
    assert not error.is_retry_safe
    assert str(error).startswith("unreadable (HTTP 400): b'xxx")
    shaped = e.ResponseError("bad shape", http_status=200, problems=("a", "b"))
    assert str(shaped) == "bad shape (HTTP 200): a; b"
    assert e.ResponseError("busy", http_status=429).is_retry_safe


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-acs-retry-after": "1500"}, 1.5),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after": "Sun, 29 Nov 2026 06:00:10 GMT"}, 10.0),
        ({"retry-after": "Sun, 29 Nov 2026 05:00:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "Sun, 29 Nov 2026 06:00:10"}, 10.0),
        ({"x-acs-retry-after": "0"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None):
    now = 1_795_932_000.0  # 2026-11-29T06:00:00Z
    assert retry_after_seconds(headers, now=now) == expected


def test_category_of_known_codes_wins_over_status():
    assert category_of("InvalidAccessKeyId.NotFound", 404) == "authentication"
    assert category_of("Weird", 200) is None


API_CLASSES: list[type[e.ApiError]] = [e.ApiError, *e.CATEGORY_CLASSES.values()]
ALL_ERRORS = [
    e.MpslsError("m"),
    e.ConfigError("m"),
    e.CredentialsError("m"),
    e.TransportError("m", is_request_sent=False),
    e.TransportTimeoutError("m", is_request_sent=True),
    e.ResponseError("m", http_status=502, body=b"b", problems=("p",), action="A"),
    *[
        cls("m", code="C", request_id="r", http_status=400, headers={"a": "b"})
        for cls in API_CLASSES
    ],
    e.WaiterError(waiter="w", reason="r", last_response=None),
    e.WorkflowError("m", step="s", failures=(ValueError("x"),)),
]


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda x: type(x).__name__)
def test_every_error_pickles_with_its_fields(error: e.MpslsError):
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy).keys() == vars(error).keys()


def test_retry_safety_and_execution_flags():
    assert e.TransportError("x", is_request_sent=False).is_unexecuted
    assert not e.TransportError("x", is_request_sent=True).is_unexecuted
    assert e.ThrottlingError("x", code="Throttling").is_unexecuted
    assert not e.ServiceError("x", code="InternalError").is_unexecuted
    assert e.ServiceError("x", code="InternalError").is_retry_safe
    assert not e.ApiError("x", code="C").is_retry_safe
    assert not e.ConfigError("x").is_unexecuted

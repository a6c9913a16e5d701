"""Every exception class pickles with all its fields, and reads well as text."""

from __future__ import annotations

import copy
import inspect
import pickle

import pytest

from aiompsls import errors as e

API_FIELDS = {
    "code": "InvalidSpaceId.NotFound",
    "request_id": "8906582E-6722-409A-A6C4-0E7863B733A5",
    "http_status": 404,
    "action": "DescribeSpaces",
    "host_id": "mpserverless.aliyuncs.com",
    "recommend": "https://api.aliyun.com/troubleshoot?q=InvalidSpaceId.NotFound",
    "retry_after": 1.5,
    "server_string_to_sign": "POST&%2F&Action%3DDescribeSpaces",
    "headers": {"date": "Sun, 29 Nov 2026 06:00:00 GMT"},
}


API_CLASSES: list[type[e.ApiError]] = [e.ApiError, *e.CATEGORY_CLASSES.values()]


def _api(cls: type[e.ApiError]) -> e.ApiError:
    return cls("The specified SpaceId does not exist.", **API_FIELDS)  # type: ignore[arg-type]


SAMPLES: list[e.MpslsError] = [
    e.MpslsError("m"),
    e.ConfigError("endpoint is empty"),
    e.CredentialsError("no credentials found"),
    e.TransportError("refused", is_request_sent=False),
    e.TransportTimeoutError("read timeout", is_request_sent=True),
    e.ResponseError(
        "unreadable",
        http_status=502,
        body=b"<html>",
        problems=("p",),
        action="ListSpace",
        request_id="r",
        retry_after=3.0,
    ),
    *[_api(cls) for cls in API_CLASSES],
    e.WaiterError(waiter="function_deployed", reason="FAILED", last_response={"a": 1}),
    e.WorkflowError("deploy failed", step="upload", failures=(ValueError("x"),)),
]


def test_the_samples_cover_every_exception_class():
    classes = {
        obj
        for obj in vars(e).values()
        if inspect.isclass(obj) and issubclass(obj, e.MpslsError)
    }
    assert {type(sample) for sample in SAMPLES} == classes


@pytest.mark.parametrize("error", SAMPLES, ids=lambda error: type(error).__name__)
@pytest.mark.parametrize("protocol", [0, pickle.HIGHEST_PROTOCOL])
def test_every_error_pickles_with_its_fields(error: e.MpslsError, protocol: int):
    clone = pickle.loads(pickle.dumps(error, protocol=protocol))  # noqa: S301 - our own bytes
    assert type(clone) is type(error)
    assert clone.args == error.args
    assert str(clone) == str(error)
    assert repr(vars(clone)) == repr(vars(error))
    assert clone.is_retry_safe is error.is_retry_safe
    assert clone.is_unexecuted is error.is_unexecuted
    assert repr(vars(copy.deepcopy(error))) == repr(vars(error))


def test_notes_survive_pickling():
    error = e.ThrottlingError("slow down", code="Throttling.User")
    error.add_note("attempt 3 of 4")
    clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert clone.__notes__ == ["attempt 3 of 4"]


@pytest.mark.parametrize("cls", API_CLASSES)
def test_api_errors_keep_every_field(cls: type[e.ApiError]):
    error = _api(cls)
    assert {name: getattr(error, name) for name in API_FIELDS} == API_FIELDS
    assert error.message == "The specified SpaceId does not exist."
    assert str(error) == (
        "InvalidSpaceId.NotFound: The specified SpaceId does not exist. "
        "(request id 8906582E-6722-409A-A6C4-0E7863B733A5)"
    )


def test_api_error_defaults_and_copied_headers():
    headers = {"date": "x"}
    error = e.ApiError("m", code="C", headers=headers)
    headers["date"] = "changed"
    assert (error.request_id, error.http_status, error.action) == ("", 0, "")
    assert (error.retry_after, error.server_string_to_sign) == (None, None)
    assert error.headers == {"date": "x"}
    assert str(error) == "C: m"
    assert str(e.ApiError("", code="C", request_id="r")) == "C (request id r)"


@pytest.mark.parametrize(
    ("error", "retry_safe", "unexecuted"),
    [
        (e.MpslsError("m"), False, False),
        (e.ConfigError("m"), False, False),
        (e.TransportError("m", is_request_sent=False), True, True),
        (e.TransportError("m", is_request_sent=True), True, False),
        (e.TransportTimeoutError("m", is_request_sent=False), True, True),
        (e.ResponseError("m", http_status=200), False, False),
        (e.ResponseError("m", http_status=429), True, True),
        (e.ResponseError("m", http_status=500), True, False),
        (e.ResponseError("m", http_status=599), True, False),
        (e.ResponseError("m", http_status=600), False, False),
        (e.ApiError("m", code="C"), False, False),
        (e.InvalidRequestError("m", code="C"), False, False),
        (e.AuthenticationError("m", code="C"), False, False),
        (e.PermissionDeniedError("m", code="C"), False, False),
        (e.NotFoundError("m", code="C"), False, False),
        (e.ConflictError("m", code="C"), False, False),
        (e.ThrottlingError("m", code="C"), True, True),
        (e.ServiceError("m", code="C"), True, False),
        (e.WaiterError(waiter="w", reason="r", last_response=None), False, False),
        (e.WorkflowError("m", step="s"), False, False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_retry_safety_and_execution_flags(
    error: e.MpslsError, retry_safe: bool, unexecuted: bool
):
    assert (error.is_retry_safe, error.is_unexecuted) == (retry_safe, unexecuted)


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (e.ConfigError("endpoint is empty"), "endpoint is empty"),
        (e.TransportError("refused", is_request_sent=False), "refused"),
        (e.ResponseError("bad shape", http_status=200), "bad shape (HTTP 200)"),
        (
            e.ResponseError("bad shape", http_status=200, problems=("a", "b")),
            "bad shape (HTTP 200): a; b",
        ),
        (
            e.ResponseError("bad", http_status=200, problems=tuple("abcdefg")),
            "bad (HTTP 200): a; b; c; d; e; and 2 more",
        ),
        (
            e.ResponseError("unreadable", http_status=502, body=b"x" * 201),
            f"unreadable (HTTP 502): body b'{'x' * 200}'... (201 bytes)",
        ),
        (
            e.ResponseError("unreadable", http_status=502, body=b"\x00<p>"),
            "unreadable (HTTP 502): body b'\\x00<p>'",
        ),
        (
            e.WaiterError(waiter="function_deployed", reason="FAILED", last_response=1),
            "wait_function_deployed: FAILED",
        ),
        (e.WorkflowError("sync failed", step="upload"), "sync failed"),
        (
            e.WorkflowError("sync failed", step="upload", failures=(OSError(),)),
            "sync failed (1 failure)",
        ),
        (
            e.WorkflowError("sync failed", step="upload", failures=[OSError()] * 3),  # type: ignore[arg-type]
            "sync failed (3 failures)",
        ),
    ],
)
def test_errors_read_as_one_line(error: e.MpslsError, text: str):
    assert str(error) == text


def test_workflow_and_waiter_fields():
    failures = [ValueError("a")]
    workflow = e.WorkflowError("m", step="deploy", failures=failures)  # type: ignore[arg-type]
    assert workflow.failures == (failures[0],)
    assert workflow.step == "deploy"
    waiter = e.WaiterError(waiter="w", reason="r", last_response={"Status": "FAILED"})
    assert (waiter.waiter, waiter.reason) == ("w", "r")
    assert waiter.last_response == {"Status": "FAILED"}


def test_category_classes_are_the_api_subclasses():
    assert set(e.CATEGORY_CLASSES) == {
        "invalid_request",
        "authentication",
        "permission",
        "not_found",
        "conflict",
        "throttling",
        "service",
    }
    assert set(e.CATEGORY_CLASSES.values()) == set(e.ApiError.__subclasses__())


def test_credentials_errors_are_config_errors():
    assert issubclass(e.CredentialsError, e.ConfigError)
    assert issubclass(e.TransportTimeoutError, e.TransportError)

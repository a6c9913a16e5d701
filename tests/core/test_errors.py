"""Error answers become the right exception, with every field the gateway sent.

Inputs are envelopes documented by Alibaba Cloud or used by its SDK test suites
(research/errors_and_oss.md §A); each case names its source.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiompsls import errors as e
from aiompsls._core.error_codes import ERROR_CATEGORIES
from aiompsls._core.errors import (
    category_of,
    error_from_response,
    redact,
    retry_after_seconds,
)
from aiompsls._core.http import HttpResponse

NOW = 1_795_932_000.0  # 2026-11-29T06:00:00Z


def _answer(status: int, body: str | bytes, **headers: str) -> HttpResponse:
    raw = body.encode() if isinstance(body, str) else body
    return HttpResponse(status=status, headers=headers, body=raw)


def _decode(response: HttpResponse, **kwargs: tuple[str, ...]) -> e.MpslsError:
    return error_from_response(response, action="ListSpace", now=NOW, **kwargs)


# --- documented envelopes ----------------------------------------------------------

# Captured live 404 (research §A.1: honwen/aliyun-ddns-cli#24), key order as sent.
INVALID_ACCESS_KEY = (
    '{"RequestId":"01A0...","Message":"Specified access key is not found.",'
    '"Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidAccessKeyId.NotFound",'
    '"HostId":"mt.cn-hangzhou.aliyuncs.com","Code":"InvalidAccessKeyId.NotFound"}'
)
# Captured live (research §A.1, cas.aliyuncs.com).
CAS_NOT_FOUND = (
    '{"RequestId":"DC7C...","HostId":"cas.aliyuncs.com","Code":"NotFound",'
    '"Message":"...","Recommend":'
    '"https://api.aliyun.com/troubleshoot?q=NotFound&product=cas&requestId=DC7C..."}'
)
# aliyun/alibaba-cloud-sdk-go sdk/errors/server_error_test.go
GO_SDK_FULL = (
    '{"RequestId":"request id","HostId":"host id","Code":"InvalidAK",'
    '"Recommend":"recommend","Message":"message"}'
)
GO_SDK_DENIED_DETAIL = (
    '{"RequestId":"request id","HostId":"host id","Code":"InvalidAK",'
    '"Recommend":"recommend","Message":"message",'
    '"AccessDeniedDetail":{"AuthAction":"ram:ListUsers","UserId":123}}'
)
GO_SDK_SIGNATURE = (
    '{"Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched '
    'with our calculation. server string to sign is:hehe"}'
)
# Live "Sample error responses" (alibabacloud.com/help/doc-detail/50285.htm).
LIVE_INTERNAL_ERROR = (
    '{\n    "Code":"InternalError",\n    "HostId":"live.aliyuncs.com",\n'
    '    "Message":"The request processing has failed due to some unknown error.",\n'
    '    "RequestId":"6EBD1AC4-C34D-4AE1-963E-B688A228BE31"\n}'
)
# ESS "Error results" XML example (alibabacloud.com/help/doc-detail/25933.htm).
ESS_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n'
    "<RequestId>8906582E-6722-409A-A6C4-0E7863B733A5</RequestId>\n"
    "<HostId>ess.aliyuncs.com</HostId>\n<Code>UnsupportedOperation</Code>\n"
    "<Message>The specified action is not supported.</Message>\n</Error>"
)
# ECS "Response results" XML example, comments and the stray space in the code as
# printed (alibabacloud.com/help/doc-detail/25932.htm).
ECS_XML = (
    '<?xml version="1.0" encoding="UTF-8"?> <!--Result root node-->\n<Error>\n'
    "<RequestId>540CFF28-407A-40B5-B6A5-74Bxxxxxxxxx</RequestId> <!--Request ID-->\n"
    "<HostId></HostId> <!--Endpoint-->\n"
    "<Code>ServiceUnavailable </Code> <!--Error code-->\n"
    "<Message>The request has failed due to a temporary failure of the server."
    "</Message> <!--Error message-->\n</Error>"
)
# "Response structure" XML example (alibabacloud.com/help/doc-detail/87970.htm).
BSS_XML = (
    "<?xml version='1.0' encoding='UTF-8'?>\n<Error>\n"
    "  <RequestId>9823FD72-9A5D-4D3F-BA2C-F8238696A81C</RequestId>\n"
    "  <HostId>business.ap-southeast-1.aliyuncs.com</HostId>\n"
    "  <Code>InvalidAction.NotFound</Code>\n"
    "  <Message>Specified api is not found, please check your url and method. "
    "</Message>\n</Error>"
)


def _java_sdk_xml(code: str, message: str) -> str:
    """``makeAcsErrorXML`` of aliyun-openapi-java-sdk's DefaultAcsClientTest."""
    return (
        "<Error><RequestId></RequestId><HostId></HostId>"
        f"<Code>{code}</Code><Message><![CDATA[{message}]]></Message>"
        "<Recommend><![CDATA[]]></Recommend></Error>"
    )


ENVELOPES = [
    pytest.param(
        404,
        INVALID_ACCESS_KEY,
        e.AuthenticationError,
        (
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
            "01A0...",
            "mt.cn-hangzhou.aliyuncs.com",
            "https://api.aliyun.com/troubleshoot?q=InvalidAccessKeyId.NotFound",
        ),
        id="captured-invalid-access-key-404",
    ),
    pytest.param(
        404,
        CAS_NOT_FOUND,
        e.NotFoundError,
        (
            "NotFound",
            "...",
            "DC7C...",
            "cas.aliyuncs.com",
            "https://api.aliyun.com/troubleshoot?q=NotFound&product=cas&requestId=DC7C...",
        ),
        id="captured-cas-not-found",
    ),
    pytest.param(
        400,
        GO_SDK_FULL,
        e.InvalidRequestError,
        ("InvalidAK", "message", "request id", "host id", "recommend"),
        id="go-sdk-full-envelope",
    ),
    pytest.param(
        400,
        GO_SDK_DENIED_DETAIL,
        e.InvalidRequestError,
        ("InvalidAK", "message", "request id", "host id", "recommend"),
        id="go-sdk-access-denied-detail",
    ),
    pytest.param(
        500,
        LIVE_INTERNAL_ERROR,
        e.ServiceError,
        (
            "InternalError",
            "The request processing has failed due to some unknown error.",
            "6EBD1AC4-C34D-4AE1-963E-B688A228BE31",
            "live.aliyuncs.com",
            "",
        ),
        id="live-doc-internal-error",
    ),
    pytest.param(
        400,
        ESS_XML,
        e.InvalidRequestError,
        (
            "UnsupportedOperation",
            "The specified action is not supported.",
            "8906582E-6722-409A-A6C4-0E7863B733A5",
            "ess.aliyuncs.com",
            "",
        ),
        id="ess-doc-xml",
    ),
    pytest.param(
        503,
        ECS_XML,
        e.ServiceError,
        (
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
            "540CFF28-407A-40B5-B6A5-74Bxxxxxxxxx",
            "",
            "",
        ),
        id="ecs-doc-xml-with-comments",
    ),
    pytest.param(
        404,
        BSS_XML,
        e.InvalidRequestError,
        (
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
            "9823FD72-9A5D-4D3F-BA2C-F8238696A81C",
            "business.ap-southeast-1.aliyuncs.com",
            "",
        ),
        id="bss-doc-xml-known-code-beats-shape",
    ),
    pytest.param(
        500,
        _java_sdk_xml("500", "ServerException"),
        e.ServiceError,
        ("500", "ServerException", "", "", ""),
        id="java-sdk-xml-cdata",
    ),
]


@pytest.mark.parametrize(("status", "body", "cls", "fields"), ENVELOPES)
def test_documented_envelopes_decode_to_their_category(
    status: int, body: str, cls: type[e.ApiError], fields: tuple[str, ...]
):
    error = _decode(_answer(status, body))
    assert type(error) is cls
    assert isinstance(error, e.ApiError)
    got = (error.code, error.message, error.request_id, error.host_id, error.recommend)
    assert got == fields
    assert (error.http_status, error.action) == (status, "ListSpace")


def test_the_captured_404_reads_like_the_vendor_wrote_it():
    error = _decode(_answer(404, INVALID_ACCESS_KEY))
    assert str(error) == (
        "InvalidAccessKeyId.NotFound: Specified access key is not found. "
        "(request id 01A0...)"
    )
    assert not error.is_retry_safe


SIGNATURE_MESSAGES = [
    pytest.param(
        400,
        GO_SDK_SIGNATURE,
        "SignatureDoesNotMatch",
        "hehe",
        id="go-sdk-json",
    ),
    pytest.param(
        400,
        json.dumps(
            {
                "Code": "IncompleteSignature",
                "Message": "The request signature does not conform to Aliyun "
                "standards. server string to sign is:Error Signature",
            }
        ),
        "IncompleteSignature",
        "Error Signature",
        id="net-sdk-incomplete-signature",
    ),
    pytest.param(
        400,
        _java_sdk_xml(
            "IncompleteSignature",
            "signature does not conform to standards. server string to sign is:"
            "GET&%2F%3DDescriat%3DXML%26",
        ),
        "IncompleteSignature",
        "GET&%2F%3DDescriat%3DXML%26",
        id="java-sdk-xml",
    ),
    pytest.param(
        400,
        _java_sdk_xml(
            "IncompleteSignature",
            "signature does not conform to standards. server sgn is:GET&%2F&x",
        ),
        "IncompleteSignature",
        None,
        id="java-sdk-xml-without-the-marker",
    ),
    pytest.param(
        400,
        json.dumps(
            {
                "Code": "SignatureDoesNotMatch",
                "Message": "Specified signature is not matched with our "
                "calculation. server string to sign is:GET&%2F&AccessKeyId%3Dtestid"
                "%26Action%3DDescribeRegions%26Format%3DXML",
            }
        ),
        "SignatureDoesNotMatch",
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML",
        id="ecs-doc-string-to-sign",
    ),
]


@pytest.mark.parametrize(("status", "body", "code", "sts"), SIGNATURE_MESSAGES)
def test_signature_errors_carry_the_server_string_to_sign(
    status: int, body: str, code: str, sts: str | None
):
    error = _decode(_answer(status, body))
    assert isinstance(error, e.AuthenticationError)
    assert error.code == code
    assert error.server_string_to_sign == sts


# (code, HTTP status, category) from the gateway table of research §A.2 and the
# MPServerless / uniCloud codes of §A.3.
GATEWAY_CODES = [
    ("MissingParameter", 400, e.InvalidRequestError),
    ("MissingParameter.CommandId", 400, e.InvalidRequestError),
    ("InvalidParameter", 400, e.InvalidRequestError),
    ("InvalidParameter.Format", 400, e.InvalidRequestError),
    ("InvalidAccessKeyId.NotFound", 404, e.AuthenticationError),
    ("InvalidAccessKeyId.Inactive", 400, e.AuthenticationError),
    ("IncompleteSignature", 400, e.AuthenticationError),
    ("SignatureDoesNotMatch", 400, e.AuthenticationError),
    ("InvalidTimeStamp.Format", 400, e.InvalidRequestError),
    ("InvalidTimeStamp.Expired", 400, e.AuthenticationError),
    ("IllegalTimestamp", 400, e.InvalidRequestError),
    ("SignatureNonceUsed", 400, e.AuthenticationError),
    ("InvalidSignatureMethod", 400, e.AuthenticationError),
    ("UnsupportedHTTPMethod", 403, e.InvalidRequestError),
    ("InvalidSecurityToken.Expired", 400, e.AuthenticationError),
    ("InvalidSecurityToken.Malformed", 400, e.AuthenticationError),
    ("InvalidSecurityToken.MismatchWithAccessKey", 400, e.AuthenticationError),
    ("InvalidAction.NotFound", 404, e.InvalidRequestError),
    ("InvalidApi.NotFound", 404, e.InvalidRequestError),
    ("InvalidVersion", 400, e.InvalidRequestError),
    ("InvalidProduct.NotFound", 404, e.NotFoundError),
    ("Throttling", 400, e.ThrottlingError),
    ("Throttling.User", 400, e.ThrottlingError),
    ("Throttling.Api", 400, e.ThrottlingError),
    ("Forbidden.RAM", 403, e.PermissionDeniedError),
    ("InternalError", 500, e.ServiceError),
    ("ServiceUnavailable", 503, e.ServiceError),
    ("AccessDenied", 400, e.PermissionDeniedError),
    ("InvalidSpaceId.NotFound", 404, e.NotFoundError),
    ("InvalidSpace.Deleted", 404, e.NotFoundError),
    ("InvalidSpace.NotInService", 404, e.NotFoundError),
    ("SignatureNotMatch", 403, e.AuthenticationError),
    ("Throttling.Api.Concurrency", 400, e.ThrottlingError),
    ("RequestTimeout", 400, e.InvalidRequestError),
]


@pytest.mark.parametrize(("code", "status", "cls"), GATEWAY_CODES)
def test_gateway_codes_map_to_their_category(
    code: str, status: int, cls: type[e.ApiError]
):
    body = json.dumps({"Code": code, "Message": "m", "RequestId": "r"})
    error = _decode(_answer(status, body))
    assert type(error) is cls
    assert isinstance(error, e.ApiError)
    assert error.code == code


# Codes unknown to the catalogue: the shape of the code, then the status decides.
SHAPES = [
    ("Function.NotFound", 400, "not_found"),
    ("SpaceNotExist", 400, "not_found"),
    ("FunctionNotExists", 200, "not_found"),
    ("Throttling.Quota", 400, "throttling"),
    ("Function.AlreadyExists", 400, "conflict"),
    ("SpaceAlreadyExist", 500, "conflict"),
    ("Name.Duplicate", 400, "conflict"),
    ("OperationConflict", 400, "conflict"),
    ("Forbidden.Space", 400, "permission"),
    ("AccessDeniedDetail", 400, "permission"),
    ("InvalidAccessKeyId", 403, "authentication"),
    ("MissingSecurityToken.Foo", 400, "authentication"),
    ("InvalidSignature.Foo", 404, "authentication"),
    ("InvalidSpaceId", 400, "invalid_request"),
    ("MissingSpaceId", 418, "invalid_request"),
    ("InvalidSpace.Deleted", 404, "not_found"),
    ("InvalidSpace.Busy", 409, "conflict"),
    ("Invalid.Gateway", 502, "service"),
    ("SomethingNew", 400, "invalid_request"),
    ("SomethingNew", 401, "authentication"),
    ("SomethingNew", 403, "permission"),
    ("SomethingNew", 404, "not_found"),
    ("SomethingNew", 409, "conflict"),
    ("SomethingNew", 429, "throttling"),
    ("SomethingNew", 500, "service"),
    ("SomethingNew", 599, "service"),
    ("SomethingNew", 418, None),
    ("SomethingNew", 600, None),
    ("Weird", 200, None),
]


@pytest.mark.parametrize(("code", "status", "category"), SHAPES)
def test_unknown_codes_fall_back_to_shape_then_status(
    code: str, status: int, category: str | None
):
    assert code not in ERROR_CATEGORIES
    assert category_of(code, status) == category


def test_known_codes_win_over_shape_and_status():
    assert category_of("InvalidAccessKeyId.NotFound", 404) == "authentication"
    assert category_of("InvalidAction.NotFound", 404) == "invalid_request"
    assert category_of("Throttling", 503) == "throttling"


def test_an_unmapped_status_and_code_is_a_plain_api_error():
    error = _decode(_answer(418, '{"Code": "Teapot", "Message": "short and stout"}'))
    assert type(error) is e.ApiError
    assert str(error) == "Teapot: short and stout"


def test_every_catalogued_category_has_a_class():
    assert set(ERROR_CATEGORIES.values()) <= set(e.CATEGORY_CLASSES)


# --- envelope variants -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            '{"requestId": "r-lower", "code": "InvalidParameter", "message": "bad"}',
            ("InvalidParameter", "bad", "r-lower"),
            id="tea-openapi-lower-case-keys",
        ),
        pytest.param(
            '{"Code": 500, "Message": "numeric code"}',
            ("500", "numeric code", "hdr"),
            id="numeric-code-kept-as-text",
        ),
        pytest.param(
            '{"Code": "InvalidParameter", "Message": null, "RequestId": true}',
            ("InvalidParameter", "", "hdr"),
            id="null-and-bool-fields-ignored",
        ),
        pytest.param(
            '\ufeff  {"Code": " InvalidParameter ", "Message": " padded "}\n',
            ("InvalidParameter", "padded", "hdr"),
            id="bom-and-whitespace",
        ),
        pytest.param(
            '{"Code": "InvalidParameter", "RequestId": ""}',
            ("InvalidParameter", "", "hdr"),
            id="empty-request-id-falls-back-to-header",
        ),
    ],
)
def test_envelope_variants(body: str, expected: tuple[str, str, str]):
    response = _answer(400, body, **{"x-acs-request-id": "hdr"})
    error = _decode(response)
    assert isinstance(error, e.ApiError)
    assert (error.code, error.message, error.request_id) == expected


def test_an_error_without_a_message_reads_as_its_code():
    error = _decode(_answer(400, '{"Code": "Other"}'))  # Go SDK server_error_test
    assert isinstance(error, e.InvalidRequestError)
    assert str(error) == "Other"
    assert error.server_string_to_sign is None


def test_headers_and_retry_after_travel_with_the_error():
    response = _answer(
        400,
        '{"Code": "Throttling.User", "Message": "Request was denied due to user '
        'flow control."}',
        **{"x-acs-retry-after": "2500", "Date": "Sun, 29 Nov 2026 06:00:00 GMT"},
    )
    error = _decode(response)
    assert isinstance(error, e.ThrottlingError)
    assert error.retry_after == 2.5
    assert error.headers["date"] == "Sun, 29 Nov 2026 06:00:00 GMT"
    assert error.is_retry_safe
    assert error.is_unexecuted


# --- answers that are not envelopes ------------------------------------------------

NOT_ENVELOPES = [
    pytest.param(
        b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 "
        b"Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
        "the body is not well-formed XML",
        id="nginx-html-502",
    ),
    pytest.param(
        b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        "the XML root is <html>, not <Error>",
        id="xhtml-502",
    ),
    pytest.param(b"", "the body is empty", id="empty"),
    pytest.param(b" \r\n", "the body is empty", id="blank"),
    pytest.param(b"{not json", "the body is not valid JSON", id="broken-json"),
    pytest.param(
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "the body is not valid JSON",
        id="json-nested-beyond-recursion",
    ),
    pytest.param(b"[1]", "the body is neither a JSON object nor XML", id="array"),
    pytest.param(
        b"Bad Gateway", "the body is neither a JSON object nor XML", id="text"
    ),
    pytest.param(
        b'{"Message": "no code", "RequestId": "r-1"}',
        "the error envelope has no Code",
        id="json-without-code",
    ),
    pytest.param(
        b'{"Code": "", "Message": "empty code"}',
        "the error envelope has no Code",
        id="json-empty-code",
    ),
    pytest.param(
        b"<Error><Message>m</Message></Error>",
        "the error envelope has no Code",
        id="xml-without-code",
    ),
    pytest.param(b"<Error><Code>x</Code>", "the body is not well-formed XML", id="cut"),
    pytest.param(
        b'<!DOCTYPE x [<!ENTITY a "b">]><Error><Code>&a;</Code></Error>',
        "XML with a DOCTYPE is refused",
        id="entity-declaration",
    ),
    pytest.param(
        b'<?xml version="1.0"?><!doctype lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;">]><Error><Code>&lol2;</Code></Error>',
        "XML with a DOCTYPE is refused",
        id="billion-laughs-lower-case",
    ),
    pytest.param(
        b"\xff\xfe<\x00E\x00",
        "the body is neither a JSON object nor XML",
        id="not-utf-8",
    ),
]


@pytest.mark.parametrize(("body", "problem"), NOT_ENVELOPES)
def test_answers_without_an_envelope_are_response_errors(body: bytes, problem: str):
    error = _decode(_answer(502, body))
    assert isinstance(error, e.ResponseError)
    assert (error.http_status, error.action, error.body) == (502, "ListSpace", body)
    assert error.problems == (problem,)
    assert error.is_retry_safe


@pytest.mark.parametrize(
    ("status", "retry_safe", "unexecuted"),
    [(502, True, False), (503, True, False), (429, True, True), (400, False, False)],
)
def test_unreadable_answers_are_retry_safe_only_for_5xx_and_429(
    status: int, retry_safe: bool, unexecuted: bool
):
    error = _decode(_answer(status, "<html>busy</html>", **{"retry-after": "7"}))
    assert isinstance(error, e.ResponseError)
    assert (error.is_retry_safe, error.is_unexecuted) == (retry_safe, unexecuted)
    assert error.retry_after == 7.0


def test_an_unreadable_answer_keeps_the_request_id_header():
    response = _answer(502, "Bad Gateway", **{"X-Acs-Request-Id": "9E1A"})
    error = _decode(response)
    assert isinstance(error, e.ResponseError)
    assert error.request_id == "9E1A"
    assert str(error) == (
        "the ListSpace error response cannot be read (HTTP 502, request id 9E1A): "
        "the body is neither a JSON object nor XML; body b'Bad Gateway'"
    )


@given(
    status=st.integers(100, 999),
    body=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.builds(
            lambda code, tail: f"<Error><Code>{code}</Code>{tail}".encode(),
            st.text(max_size=30),
            st.text(max_size=30),
        ),
        st.builds(
            lambda doc: json.dumps(doc).encode(),
            st.dictionaries(
                st.sampled_from(["Code", "code", "Message", "RequestId", "HostId"]),
                st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            ),
        ),
    ),
    headers=st.dictionaries(
        st.sampled_from(["retry-after", "x-acs-retry-after", "x-acs-request-id"]),
        st.text(max_size=40),
    ),
)
def test_any_answer_becomes_an_error_and_never_crashes(
    status: int, body: bytes, headers: dict[str, str]
):
    error = error_from_response(
        HttpResponse(status=status, headers=headers, body=body),
        action="ListSpace",
        now=NOW,
    )
    assert isinstance(error, e.ApiError | e.ResponseError)
    assert str(error)


# --- Retry-After ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-acs-retry-after": "1500"}, 1.5),
        ({"x-acs-retry-after": " 20 "}, 0.02),
        ({"x-acs-retry-after": "1500", "retry-after": "9"}, 1.5),
        ({"x-acs-retry-after": "0", "retry-after": "9"}, 9.0),
        ({"x-acs-retry-after": "-5", "retry-after": "9"}, 9.0),
        ({"x-acs-retry-after": "²"}, None),
        ({"x-acs-retry-after": "9" * 400}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after": "120"}, 120.0),
        # RFC 9110 §10.2.3 HTTP-date forms, relative to NOW.
        ({"retry-after": "Sun, 29 Nov 2026 06:00:10 GMT"}, 10.0),
        ({"retry-after": "Sun, 29 Nov 2026 05:00:00 GMT"}, 0.0),
        ({"retry-after": "Sun, 29 Nov 2026 06:00:10"}, 10.0),
        ({"retry-after": "Sun, 29 Nov 2026 14:00:10 +0800"}, 10.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "1e3"}, None),
        ({"retry-after": "²"}, None),
        ({"retry-after": "١٢"}, None),
        ({"retry-after": "9" * 400}, None),
        ({"retry-after": "Sun, 29 Nov 99999 06:00:10 GMT"}, None),
        ({"retry-after": ""}, None),
        ({}, None),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None):
    assert retry_after_seconds(headers, now=NOW) == expected


@given(
    st.dictionaries(
        st.sampled_from(["retry-after", "x-acs-retry-after"]), st.text(max_size=60)
    )
)
def test_retry_after_is_none_or_a_finite_pause(headers: dict[str, str]):
    value = retry_after_seconds(headers, now=NOW)
    assert value is None or (math.isfinite(value) and value >= 0)


# --- secrets --------------------------------------------------------------------

SECRET = "Sekr3t+Value/With=Chars"
TOKEN = "CAIS token/with==padding&more"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"raw {SECRET} end", "raw *** end"),
        ("once Sekr3t%2BValue%2FWith%3DChars end", "once *** end"),
        ("twice Sekr3t%252BValue%252FWith%253DChars end", "twice *** end"),
        ("plus CAIS+token%2Fwith%3D%3Dpadding%26more end", "plus *** end"),
        (
            "SecurityToken%3DCAIS%2520token%252Fwith%253D%253Dpadding%2526more%26",
            "SecurityToken%3D***%26",
        ),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_redact_masks_every_encoding(text: str, expected: str):
    assert redact(text, (SECRET, TOKEN)) == expected


def test_redact_ignores_empty_secrets():
    assert redact("abc", ("", SECRET)) == "abc"


def test_secrets_echoed_by_the_gateway_are_masked_everywhere():
    sts = "POST&%2F&AccessKeyId%3Dk%26SecurityToken%3D" + (
        "CAIS%2520token%252Fwith%253D%253Dpadding%2526more"
    )
    body = json.dumps(
        {
            "Code": "SignatureDoesNotMatch",
            "Message": "Specified signature is not matched with our calculation. "
            f"server string to sign is:{sts}",
            "RequestId": f"echo {SECRET}",
        }
    ).replace("/", "\\/")  # a JSON writer that escapes solidus hides the raw form
    error = _decode(_answer(400, body), secrets=(SECRET, TOKEN))
    assert isinstance(error, e.AuthenticationError)
    assert (
        error.server_string_to_sign == "POST&%2F&AccessKeyId%3Dk%26SecurityToken%3D***"
    )
    assert error.request_id == "echo ***"
    assert TOKEN not in error.message


def test_secrets_in_an_unreadable_body_are_masked():
    error = _decode(_answer(502, f"<p>{SECRET}</p>"), secrets=(SECRET,))
    assert isinstance(error, e.ResponseError)
    assert error.body == b"<p>***</p>"

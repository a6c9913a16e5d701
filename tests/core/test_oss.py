"""Tests for aiompsls._core.oss: vendor vectors, presigned URL verification, error XML.

Golden values live in tests/core/vectors/oss_v1_signatures.json; each vector names its
vendor source (OSS documentation or an OSS SDK test suite).
"""

from __future__ import annotations

import json
import pathlib
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs
import pytest

from aiompsls._core.oss import (
    Denial,
    OssKey,
    SignedRequest,
    canonical_headers,
    canonical_resource,
    error_xml,
    hmac_sha1,
    iso_time,
    presign_params,
    presigned_url,
    string_to_sign,
    verify_presigned,
)

VECTORS = json.loads(
    (pathlib.Path(__file__).parent / "vectors" / "oss_v1_signatures.json").read_text(
        encoding="utf-8"
    )
)


def _cases(group: str, *keys: str) -> list[Any]:
    chosen = [v for v in VECTORS[group] if all(key in v for key in keys)]
    return [pytest.param(v, id=v["id"]) for v in chosen]


def _key(vector: dict[str, Any]) -> OssKey:
    return OssKey(
        access_key_id=vector.get("access_key_id", "ak"),
        access_key_secret=vector["access_key_secret"],
        security_token=vector.get("security_token"),
    )


def _string_to_sign(vector: dict[str, Any], date: str) -> str:
    return string_to_sign(
        method=vector["method"],
        bucket=vector["bucket"],
        key=vector["key"],
        date=date,
        headers=vector["headers"],
        params=vector["params"],
    )


# --- the string to sign and the signature ------------------------------------------


@pytest.mark.parametrize("vector", _cases("header_vectors", "string_to_sign"))
def test_the_string_to_sign_matches_the_vendor(vector):
    assert _string_to_sign(vector, vector["date"]) == vector["string_to_sign"]


@pytest.mark.parametrize("vector", _cases("header_vectors"))
def test_header_signatures_match_the_vendor(vector):
    text = _string_to_sign(vector, vector["date"])
    assert hmac_sha1(vector["access_key_secret"], text) == vector["signature"]


@pytest.mark.parametrize("vector", _cases("query_vectors"))
def test_presigned_urls_carry_the_vendor_signature(vector):
    query = presign_params(
        _key(vector),
        method=vector["method"],
        bucket=vector["bucket"],
        object_key=vector["key"],
        expires=vector["expires"],
        headers=vector["headers"],
        params=vector["params"],
    )
    assert query["Signature"] == vector["signature"]
    assert query["Expires"] == str(vector["expires"])
    assert query["OSSAccessKeyId"] == vector["access_key_id"]
    assert query.get("security-token") == vector.get("security_token")


@pytest.mark.parametrize("vector", _cases("query_vectors", "url"))
def test_a_presigned_url_has_the_vendor_query(vector):
    query = presign_params(
        _key(vector),
        method="GET",
        bucket=vector["bucket"],
        object_key=vector["key"],
        expires=vector["expires"],
        params=vector["params"],
    )
    url = presigned_url("http://h/k", query)
    expected = urlsplit(vector["url"]).query
    assert sorted(parse_qsl(urlsplit(url).query)) == sorted(parse_qsl(expected))
    # Everything but unreserved characters is percent-encoded, as in the vendor URL.
    assert "Signature=" + vector["url"].split("Signature=")[1].split("&")[0] in url


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, ""),
        ({"Content-Type": "a", "X-Other": "b"}, ""),
        (
            {"X-OSS-Meta-B": " 2 ", "x-oss-meta-a": "1", "x-oss-date": "d"},
            "x-oss-date:d\nx-oss-meta-a:1\nx-oss-meta-b:2\n",
        ),
    ],
)
def test_oss_headers_are_lower_cased_trimmed_and_sorted(headers, expected):
    assert canonical_headers(headers) == expected


@pytest.mark.parametrize(
    ("bucket", "key", "params", "expected"),
    [
        ("", "", {}, "/"),
        ("b", "", {}, "/b/"),
        ("b", "dir/a b+c.txt", {"x": "1"}, "/b/dir/a b+c.txt"),
        (
            "b",
            "k",
            {"security-token": "t/+=", "response-content-type": "a/b", "acl": ""},
            "/b/k?acl&response-content-type=a/b&security-token=t/+=",
        ),
    ],
)
def test_the_resource_is_the_decoded_key_and_sorted_subresources(
    bucket, key, params, expected
):
    assert canonical_resource(bucket, key, params) == expected


# --- verification --------------------------------------------------------------------

GO_VECTOR = next(
    v for v in VECTORS["query_vectors"] if "url" in v and "security_token" in v
)


def _vendor_request(**changes: Any) -> SignedRequest:
    """The vendor's signed URL (key%2B123, STS) as a server receives it."""
    url = urlsplit(GO_VECTOR["url"])
    request = SignedRequest(
        method="GET",
        bucket="bucket",
        key=unquote(url.path[1:]),
        params=dict(parse_qsl(url.query, keep_blank_values=True)),
        headers={},
    )
    return attrs.evolve(request, **changes)


KEYS = {
    "ak": _key(GO_VECTOR),
    "plain": OssKey(access_key_id="plain", access_key_secret="s"),
}
EXPIRES = GO_VECTOR["expires"]


def _params(**changes: str | None) -> dict[str, str]:
    params = dict(_vendor_request().params)
    for name, value in changes.items():
        name = name.replace("_", "-")
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return params


def test_the_vendors_url_verifies_until_it_expires():
    assert verify_presigned(_vendor_request(), keys=KEYS, now=EXPIRES) is None


def _deny(request: SignedRequest, now: int = EXPIRES) -> Denial:
    denial = verify_presigned(request, keys=KEYS, now=now)
    assert denial is not None
    return denial


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (
            {"OSSAccessKeyId": None, "Expires": None, "Signature": None},
            "AccessDenied",
            "You have no right to access this object because of bucket acl.",
        ),
        ({"Signature": None}, "AccessDenied", "Missing Signature in the signed URL."),
        (
            {"Expires": "soon"},
            "AccessDenied",
            "Invalid Expires: 'soon' is not a Unix time.",
        ),
        (
            {"OSSAccessKeyId": "nobody"},
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        ),
        (
            {"security_token": None},
            "InvalidSecurityToken",
            "The security token you provided is invalid.",
        ),
        (
            {"security_token": "other"},
            "InvalidSecurityToken",
            "The security token you provided is invalid.",
        ),
    ],
)
def test_a_url_without_usable_credentials_is_denied(params, code, message):
    denial = _deny(_vendor_request(params=_params(**params)))
    assert (denial.status, denial.code, denial.message) == (403, code, message)


def test_an_expired_url_is_denied_before_its_signature_is_checked():
    request = _vendor_request(params=_params(Signature="forged"))
    denial = _deny(request, now=EXPIRES + 1)
    assert (denial.status, denial.code, denial.message) == (
        403,
        "AccessDenied",
        "Request has expired.",
    )
    assert dict(denial.details) == {
        "Expires": "2023-11-12T16:56:44.000Z",
        "ServerTime": "2023-11-12T16:56:45.000Z",
    }


@pytest.mark.parametrize(
    "change",
    [
        {"method": "PUT"},
        {"key": "key+124"},
        {"headers": {"content-type": "text/plain"}},
        {"headers": {"x-oss-meta-a": "1"}},
        {"params": _params(versionId="other")},
    ],
    ids=["method", "key", "content-type", "oss-header", "subresource"],
)
def test_anything_signed_that_changes_breaks_the_signature(change):
    request = _vendor_request(**change)
    denial = _deny(request)
    assert (denial.status, denial.code) == (403, "SignatureDoesNotMatch")
    details = dict(denial.details)
    text = string_to_sign(
        method=request.method,
        bucket="bucket",
        key=request.key,
        date=str(EXPIRES),
        headers=request.headers,
        params=request.params,
    )
    assert details["StringToSign"] == text
    assert bytes.fromhex(details["StringToSignBytes"]) == text.encode()
    assert details["SignatureProvided"] == GO_VECTOR["signature"]
    assert details["OSSAccessKeyId"] == "ak"


def test_parameters_that_are_not_subresources_are_not_signed():
    assert (
        verify_presigned(_vendor_request(params=_params(x_other="1")), keys=KEYS, now=0)
        is None
    )


# --- error XML -----------------------------------------------------------------------


def test_the_error_document_is_oss_error_xml():
    denial = Denial(
        status=403,
        code="AccessDenied",
        message="Request has expired.",
        details=(("Expires", iso_time(0)), ("StringToSign", "GET\n<&>")),
        ec="0002-00000069",
    )
    body = error_xml(denial, request_id="5C3D9175B6FC201293AD****", host_id="h")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Error>')
    root = ET.fromstring(body)  # noqa: S314 - our own output
    assert [(child.tag, child.text) for child in root] == [
        ("Code", "AccessDenied"),
        ("Message", "Request has expired."),
        ("RequestId", "5C3D9175B6FC201293AD****"),
        ("HostId", "h"),
        ("Expires", "1970-01-01T00:00:00.000Z"),
        ("StringToSign", "GET\n<&>"),
        ("EC", "0002-00000069"),
    ]

"""Turn an action and its parameters into a signed HTTP request, and a response back.

Imports: stdlib, attrs, cattrs and the rest of ``_core``. Two signing styles exist:

* v1 (``SignatureVersion=1.0``, HMAC-SHA1; the reference's section 4): the common
  parameters travel in the query, the business parameters in the form body (as the
  official SDK sends them), and the signature covers both.
* ACS3-HMAC-SHA256 (what the official SDK 2.0.0 sends by default): ``x-acs-*`` headers
  and an ``Authorization`` header over the canonical request.

Timestamp and nonce are arguments: a fresh pair is drawn by the caller on every attempt.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, TypeVar

import attrs
import cattrs

from aiompsls._core import signing
from aiompsls._core.errors import error_from_response
from aiompsls._core.http import HttpRequest, HttpResponse
from aiompsls._core.wire import make_converter
from aiompsls.errors import ResponseError

API_VERSION = "2019-06-15"
FORM = "application/x-www-form-urlencoded"
ResponseT = TypeVar("ResponseT")
SignatureStyle = Literal["v1", "acs3"]


@attrs.frozen(kw_only=True)
class SigningKey:
    """The material a request is signed with; the secret and token never print."""

    access_key_id: str
    access_key_secret: str = attrs.field(repr=False)
    security_token: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class Target:
    """Where requests go: ``base_url`` ends with ``/``; ``host`` is the Host header."""

    base_url: str
    host: str


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC to the second, as the reference requires: 2013-01-10T12:00:00Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@attrs.frozen(kw_only=True)
class _Attempt:
    """Everything one signed attempt is built from."""

    action: str
    params: Mapping[str, str]
    key: SigningKey
    target: Target
    method: str
    timestamp: str
    nonce: str
    user_agent: str


def build_request(
    *,
    action: str,
    params: Mapping[str, str],
    key: SigningKey,
    target: Target,
    style: SignatureStyle = "v1",
    method: Literal["POST", "GET"] = "POST",
    timestamp: datetime,
    nonce: str,
    user_agent: str,
) -> HttpRequest:
    """A complete signed request for one attempt of ``action``."""
    attempt = _Attempt(
        action=action,
        params=params,
        key=key,
        target=target,
        method=method,
        timestamp=format_timestamp(timestamp),
        nonce=nonce,
        user_agent=user_agent,
    )
    return _build_acs3(attempt) if style == "acs3" else _build_v1(attempt)


def _encode(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{signing.percent_encode(k)}={signing.percent_encode(v)}"
        for k, v in params.items()
    )


def _pair(name: str, value: str) -> str:
    return f"{signing.percent_encode(name)}={signing.percent_encode(value)}"


@functools.lru_cache(maxsize=512)
def _fixed_pairs(action: str, key_id: str, token: str | None) -> dict[str, str]:
    """The encoded common parameters that do not change between attempts."""
    common = {
        "Action": action,
        "Version": API_VERSION,
        "Format": "JSON",
        "AccessKeyId": key_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
    }
    if token:
        common["SecurityToken"] = token
    return {name: _pair(name, value) for name, value in common.items()}


def _build_v1(attempt: _Attempt) -> HttpRequest:
    key, method = attempt.key, attempt.method
    # Every name and value is encoded once and reused for the signature and the wire.
    query = dict(_fixed_pairs(attempt.action, key.access_key_id, key.security_token))
    query["SignatureNonce"] = _pair("SignatureNonce", attempt.nonce)
    query["Timestamp"] = _pair("Timestamp", attempt.timestamp)
    business = {name: _pair(name, value) for name, value in attempt.params.items()}
    # The official SDK sends the common parameters in the query and the business
    # parameters in the form body; the signature covers both (official_sdk.md §2).
    body = {} if method == "GET" else business
    if method == "GET":
        query = {**business, **query}
    every = {**body, **query}
    canonical = "&".join(every[name] for name in sorted(every))
    to_sign = signing.v1_string_to_sign_from_query(method, canonical)
    signature = signing.v1_signature(key.access_key_secret, to_sign)
    headers = {
        "host": attempt.target.host,
        "user-agent": attempt.user_agent,
        "accept": "application/json",
    }
    if method == "POST":
        headers["content-type"] = FORM
    query_string = "&".join(query.values())
    return HttpRequest(
        method=method,
        url=f"{attempt.target.base_url}?{query_string}"
        f"&Signature={signing.percent_encode(signature)}",
        headers=headers,
        body="&".join(body.values()).encode(),
    )


def _build_acs3(attempt: _Attempt) -> HttpRequest:
    key, method = attempt.key, attempt.method
    query = dict(attempt.params) if method == "GET" else {}
    body = b"" if method == "GET" else _encode(attempt.params).encode()
    headers = {
        "host": attempt.target.host,
        "x-acs-action": attempt.action,
        "x-acs-version": API_VERSION,
        "x-acs-date": attempt.timestamp,
        "x-acs-signature-nonce": attempt.nonce,
        "x-acs-content-sha256": signing.sha256_hex(body),
        "accept": "application/json",
    }
    if method == "POST":
        headers["content-type"] = FORM
    if key.security_token:
        headers["x-acs-security-token"] = key.security_token
    signed = sorted(headers)
    canonical = signing.acs3_canonical_request(
        method=method,
        path="/",
        query=query,
        headers=headers,
        signed_headers=signed,
        payload_hash=headers["x-acs-content-sha256"],
    )
    signature = signing.acs3_signature(
        key.access_key_secret, signing.acs3_string_to_sign(canonical)
    )
    headers["authorization"] = signing.acs3_authorization(
        access_key_id=key.access_key_id, signed_headers=signed, signature=signature
    )
    headers["user-agent"] = attempt.user_agent
    url = attempt.target.base_url + (f"?{_encode(query)}" if query else "")
    return HttpRequest(method=method, url=url, headers=headers, body=body)


def decode_response(
    response: HttpResponse,
    *,
    action: str,
    response_type: type[ResponseT],
    converter: cattrs.Converter,
    now: float,
    secrets: tuple[str, ...] = (),
) -> ResponseT:
    """The typed response of a 2xx answer; otherwise raise the matching error.

    Raises:
        ApiError: the service answered with an error envelope.
        ResponseError: the answer cannot be read (not JSON, or not the documented
            shape).
    """
    if not 200 <= response.status < 300:
        raise error_from_response(response, action=action, now=now, secrets=secrets)
    data = _json_object(response, action)
    try:
        return converter.structure(data, response_type)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        raise ResponseError(
            message=f"the {action} response does not match the documented shape",
            http_status=response.status,
            body=response.body,
            problems=tuple(explain(data, response_type) or [repr(exc)]),
            action=action,
        ) from exc


def _json_object(response: HttpResponse, action: str) -> dict[str, Any]:
    try:
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ResponseError(
            message=f"the {action} response is not JSON",
            http_status=response.status,
            body=response.body,
            action=action,
        ) from exc
    if not isinstance(data, dict):
        raise ResponseError(
            message=f"the {action} response is not a JSON object",
            http_status=response.status,
            body=response.body,
            action=action,
        )
    return data


@functools.cache
def _explainer() -> cattrs.Converter:
    return make_converter(detailed=True)


def explain(data: object, response_type: type[object]) -> list[str]:
    """Why ``data`` does not structure as ``response_type``, one line per problem.

    The client decodes with a fast converter that gives no paths; this re-runs the
    lenient one with cattrs' detailed validation to say what did not match.
    """
    try:
        _explainer().structure(data, response_type)
    except cattrs.BaseValidationError as exc:
        return cattrs.transform_error(exc)
    except (ValueError, TypeError, KeyError) as exc:
        return [repr(exc)]
    return []


__all__ = [
    "API_VERSION",
    "SigningKey",
    "Target",
    "build_request",
    "decode_response",
    "format_timestamp",
]

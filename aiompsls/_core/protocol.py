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
from collections.abc import Callable, Mapping
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
    """The material a request is signed with; the secret and token never print.

    Attributes:
        access_key_id: The AccessKey id.
        access_key_secret: The AccessKey secret.
        security_token: The STS token, if any.
        v1_signer: :func:`signing.v1_signature` with this secret, its HMAC key
            prepared once rather than on every request.
    """

    access_key_id: str
    access_key_secret: str = attrs.field(repr=False)
    security_token: str | None = attrs.field(default=None, repr=False)
    v1_signer: Callable[[str], str] = attrs.field(
        init=False,
        repr=False,
        eq=False,
        default=attrs.Factory(
            lambda key: signing.v1_signer(key.access_key_secret), takes_self=True
        ),
    )


@attrs.frozen(kw_only=True)
class Target:
    """Where requests go: ``base_url`` ends with ``/``; ``host`` is the Host header."""

    base_url: str
    host: str


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC to the second, as the reference requires: 2013-01-10T12:00:00Z."""
    # Field by field: half the cost of strftime, and always four digits of year.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"
    )


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
    build = _build_acs3 if style == "acs3" else _build_v1
    return build(
        action=action,
        params=params,
        key=key,
        target=target,
        method=method,
        timestamp=format_timestamp(timestamp),
        nonce=nonce,
        user_agent=user_agent,
    )


def _encode(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{signing.percent_encode(k)}={signing.percent_encode(v)}"
        for k, v in params.items()
    )


def _pair(name: str, value: str) -> str:
    return f"{signing.percent_encode(name)}={signing.percent_encode(value)}"


@functools.lru_cache(maxsize=512)
def _fixed_pairs(
    action: str, key_id: str, token: str | None
) -> tuple[dict[str, str], str]:
    """The encoded common parameters that do not change between attempts.

    Returns them by name, and joined as the start of a POST request's query.
    """
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
    pairs = {name: _pair(name, value) for name, value in common.items()}
    return pairs, "&".join(pairs.values())


def _build_v1(
    *,
    action: str,
    params: Mapping[str, str],
    key: SigningKey,
    target: Target,
    method: str,
    timestamp: str,
    nonce: str,
    user_agent: str,
) -> HttpRequest:
    # Every name and value is encoded once and reused for the signature and the wire.
    fixed, fixed_query = _fixed_pairs(action, key.access_key_id, key.security_token)
    nonce_pair = "SignatureNonce=" + signing.percent_encode(nonce)
    time_pair = "Timestamp=" + signing.percent_encode_timestamp(timestamp)
    business = {name: _pair(name, value) for name, value in params.items()}
    # A common parameter wins over a business one of the same name.
    every = {
        **business,
        **fixed,
        "SignatureNonce": nonce_pair,
        "Timestamp": time_pair,
    }
    canonical = "&".join([every[name] for name in sorted(every)])
    to_sign = signing.v1_string_to_sign_from_query(method, canonical)
    signature = signing.percent_encode_base64(key.v1_signer(to_sign))
    # The official SDK sends the common parameters in the query and the business
    # parameters in the form body; the signature covers both (official_sdk.md §2).
    if method == "GET":
        query, body = "&".join(every.values()), b""
    else:
        query = f"{fixed_query}&{nonce_pair}&{time_pair}"
        body = "&".join(business.values()).encode()
    return HttpRequest(
        method=method,
        url=f"{target.base_url}?{query}&Signature={signature}",
        headers=_v1_headers(target.host, user_agent, method),
        body=body,
    )


def _v1_headers(host: str, user_agent: str, method: str) -> dict[str, str]:
    headers = {"host": host, "user-agent": user_agent, "accept": "application/json"}
    if method == "POST":
        headers["content-type"] = FORM
    return headers


def _build_acs3(
    *,
    action: str,
    params: Mapping[str, str],
    key: SigningKey,
    target: Target,
    method: str,
    timestamp: str,
    nonce: str,
    user_agent: str,
) -> HttpRequest:
    query = dict(params) if method == "GET" else {}
    body = b"" if method == "GET" else _encode(params).encode()
    headers = {
        "host": target.host,
        "x-acs-action": action,
        "x-acs-version": API_VERSION,
        "x-acs-date": timestamp,
        "x-acs-signature-nonce": nonce,
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
    headers["user-agent"] = user_agent
    url = target.base_url + (f"?{_encode(query)}" if query else "")
    return HttpRequest(method=method, url=url, headers=headers, body=body)


def decode_response(
    response: HttpResponse,
    *,
    action: str,
    response_type: type[ResponseT],
    converter: cattrs.Converter,
    now: Callable[[], float],
    secrets: tuple[str, ...] = (),
) -> ResponseT:
    """The typed response of a 2xx answer; otherwise raise the matching error.

    ``now`` returns the current time (epoch seconds); it is called only for an
    error answer, whose ``Retry-After`` may be an HTTP date.

    Raises:
        ApiError: the service answered with an error envelope.
        ResponseError: the answer cannot be read (not JSON, or not the documented
            shape).
    """
    if not 200 <= response.status < 300:
        raise error_from_response(response, action=action, now=now(), secrets=secrets)
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
        data = _loads(response.body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
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


_DECODE: Callable[[str], Any] = json.JSONDecoder().decode


def _loads(body: bytes) -> Any:
    """``json.loads(body)``, with less work for the usual UTF-8 body.

    ``json.loads`` sniffs a bytes body's encoding (RFC 4627's UTF-16/32, a BOM)
    before decoding; the API answers in UTF-8. A body that is not plain UTF-8 JSON
    is read again by ``json.loads``, which gives its value or its error.
    """
    try:
        return _DECODE(body.decode())
    except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
        return json.loads(body)


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

"""OSS V1 signatures: the string-to-sign, presigned URLs, their verification, error XML.

Pure functions over strings and mappings; the current time is an argument. Sources:
research/errors_and_oss.md §C.1 and §C.3 (the OSS "Add signatures to a URL" and "Add
signatures to headers" documents, oss2 ``ProviderAuth``, alibabacloud-oss-v2
``SignerV1``). A verification answers with a :class:`Denial`, the OSS error to send,
or None. Imports: stdlib and attrs only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

import attrs

__all__ = [
    "SUBRESOURCES",
    "Denial",
    "OssKey",
    "SignedRequest",
    "bad_token",
    "canonical_headers",
    "canonical_resource",
    "check_signature",
    "error_xml",
    "hmac_sha1",
    "iso_time",
    "presign_params",
    "presigned_url",
    "string_to_sign",
    "unknown_key",
    "verify_presigned",
]

_SUBRESOURCE_NAMES = (
    "response-content-type response-content-language response-cache-control logging "
    "response-content-encoding acl uploadId uploads partNumber group link delete "
    "website location objectInfo objectMeta response-expires "
    "response-content-disposition cors lifecycle restore qos referer stat bucketInfo "
    "append position security-token live comp status vod startTime endTime "
    "x-oss-process symlink callback callback-var tagging encryption versions "
    "versioning versionId policy requestPayment x-oss-traffic-limit qosInfo "
    "asyncFetch x-oss-request-payer sequential inventory inventoryId "
    "continuation-token worm wormId wormExtend replication replicationLocation "
    "replicationProgress transferAcceleration cname metaQuery x-oss-ac-source-ip "
    "x-oss-ac-subnet-mask x-oss-ac-vpc-id x-oss-ac-forward-allow resourceGroup style "
    "styleName x-oss-async-process regionList x-oss-write-get-object-response "
    "bucketArchiveDirectRead httpsConfig redundancyTransition "
    "x-oss-target-redundancy-type x-oss-redundancy-transition-taskid accessPoint "
    "accessPointPolicy publicAccessBlock x-oss-access-point-name requesterQosInfo "
    "qosRequester resourcePoolInfo resourcePool resourcePoolBuckets"
)
#: The query parameters that belong to the signed resource (oss2 2.19.1
#: ``ProviderAuth._subresource_key_set``); any other parameter is not signed.
SUBRESOURCES = frozenset(_SUBRESOURCE_NAMES.split())
_AUTH_PARAMS = ("OSSAccessKeyId", "Expires", "Signature")
_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)


@attrs.frozen(kw_only=True)
class OssKey:
    """An OSS access key; an STS key also has its security token.

    Attributes:
        access_key_id: The AccessKey id (``OSSAccessKeyId``).
        access_key_secret: Its secret. Never shown in a repr.
        security_token: The STS token requests with this key must carry, if any.
    """

    access_key_id: str
    access_key_secret: str = attrs.field(repr=False)
    security_token: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class Denial:
    """An OSS error answer: HTTP status, code, message and extra elements.

    Attributes:
        status: The HTTP status (403, 400, 404, ...).
        code: The OSS error code, e.g. ``SignatureDoesNotMatch``.
        message: The OSS error message.
        details: Extra ``<Name>value</Name>`` elements, in order.
        ec: The OSS ``EC`` detail code, where one is documented.
    """

    status: int
    code: str
    message: str
    details: tuple[tuple[str, str], ...] = ()
    ec: str = ""


@attrs.frozen(kw_only=True)
class SignedRequest:
    """What query-string verification looks at in a request to an object.

    Attributes:
        method: The HTTP method, upper case.
        bucket: The bucket name.
        key: The object key, percent-decoded.
        params: The query parameters, decoded; the first value of a repeated name.
        headers: The request headers with lower-case names.
    """

    method: str
    bucket: str
    key: str
    params: Mapping[str, str]
    headers: Mapping[str, str]


def hmac_sha1(secret: str, text: str) -> str:
    """``base64(HMAC-SHA1(secret, text))``: the V1 and the PostObject signature."""
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def canonical_headers(headers: Mapping[str, str]) -> str:
    """The ``x-oss-*`` headers as ``name:value`` lines, lower-cased and sorted."""
    pairs = sorted(
        (name.lower(), value.strip())
        for name, value in headers.items()
        if name.lower().startswith("x-oss-")
    )
    return "".join(f"{name}:{value}\n" for name, value in pairs)


def canonical_resource(bucket: str, key: str, params: Mapping[str, str]) -> str:
    """``/bucket/key`` (``/`` without a bucket) and the sorted signed subresources.

    A subresource with an empty value is written bare (``?acl``); values are the
    decoded ones, not URL-encoded.
    """
    path = f"/{bucket}/{key}" if bucket else "/"
    chosen = sorted((k, v) for k, v in params.items() if k in SUBRESOURCES)
    if not chosen:
        return path
    return path + "?" + "&".join(f"{k}={v}" if v else k for k, v in chosen)


def string_to_sign(
    *,
    method: str,
    bucket: str,
    key: str,
    date: str,
    headers: Mapping[str, str],
    params: Mapping[str, str],
) -> str:
    """The V1 string-to-sign.

    VERB, Content-MD5, Content-Type and the date, one per line, then the canonical
    ``x-oss-*`` header lines and the canonical resource. ``date`` is ``Expires``
    for a presigned URL, else the ``x-oss-date`` or ``Date`` header.

    Args:
        method: The HTTP method.
        bucket: The bucket ("" for a service-level request).
        key: The decoded object key ("" for a bucket-level request).
        date: The Expires value or the date header, verbatim.
        headers: The request headers (any case).
        params: The decoded query parameters.
    """
    lower = {name.lower(): value for name, value in headers.items()}
    return "\n".join(
        (
            method,
            lower.get("content-md5", ""),
            lower.get("content-type", ""),
            date,
            canonical_headers(lower) + canonical_resource(bucket, key, params),
        )
    )


def presign_params(
    key: OssKey,
    *,
    method: str,
    bucket: str,
    object_key: str,
    expires: int,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The query of a presigned URL: ``params``, the token, key id, Expires, Signature.

    Args:
        key: The signing key; an STS key adds ``security-token`` (signed).
        method: The HTTP method the URL allows.
        bucket: The bucket.
        object_key: The object key (not encoded).
        expires: The expiry, Unix seconds.
        headers: Headers the request must send as signed (Content-Type, x-oss-*).
        params: Extra query parameters (subresources such as response-* are signed).
    """
    query = dict(params or {})
    if key.security_token:
        query["security-token"] = key.security_token
    text = string_to_sign(
        method=method,
        bucket=bucket,
        key=object_key,
        date=str(expires),
        headers=headers or {},
        params=query,
    )
    query["OSSAccessKeyId"] = key.access_key_id
    query["Expires"] = str(expires)
    query["Signature"] = hmac_sha1(key.access_key_secret, text)
    return query


def presigned_url(object_url: str, query: Mapping[str, str]) -> str:
    """``object_url`` with ``query`` percent-encoded (only ``-_.~`` left literal)."""
    return object_url + "?" + urlencode(query, quote_via=quote, safe="")


def iso_time(seconds: int) -> str:
    """Unix seconds as OSS writes times in errors: ``2012-12-25T09:47:52.000Z``."""
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def verify_presigned(
    request: SignedRequest, *, keys: Mapping[str, OssKey], now: int
) -> Denial | None:
    """Check a presigned request as OSS does: parameters, expiry, key, token, signature.

    Args:
        request: The request as seen by the server.
        keys: The known keys by id.
        now: The server time, Unix seconds.

    Returns:
        None when the request is authorized, else the error to answer with.
    """
    params = request.params
    missing = [name for name in _AUTH_PARAMS if not params.get(name)]
    if missing:
        return _missing_auth(missing)
    expires = params["Expires"]
    if not expires.isdigit():
        return Denial(
            status=403,
            code="AccessDenied",
            message=f"Invalid Expires: {expires!r} is not a Unix time.",
            ec="0002-00000070",
        )
    if now > int(expires):
        return _expired(int(expires), now)
    found = keys.get(params["OSSAccessKeyId"])
    if found is None:
        return unknown_key(params["OSSAccessKeyId"])
    if found.security_token and params.get("security-token") != found.security_token:
        return bad_token()
    return _check_signature(request, found)


def _missing_auth(missing: list[str]) -> Denial:
    if len(missing) == len(_AUTH_PARAMS):
        message = "You have no right to access this object because of bucket acl."
    else:
        message = f"Missing {', '.join(missing)} in the signed URL."
    return Denial(status=403, code="AccessDenied", message=message)


def _expired(expires: int, now: int) -> Denial:
    return Denial(
        status=403,
        code="AccessDenied",
        message="Request has expired.",
        details=(("Expires", iso_time(expires)), ("ServerTime", iso_time(now))),
        ec="0002-00000069",
    )


def unknown_key(access_key_id: str) -> Denial:
    """403 ``InvalidAccessKeyId``: the key id is not known."""
    return Denial(
        status=403,
        code="InvalidAccessKeyId",
        message="The OSS Access Key Id you provided does not exist in our records.",
        details=(("OSSAccessKeyId", access_key_id),),
    )


def bad_token() -> Denial:
    """403 ``InvalidSecurityToken``: an STS key without its token, or a wrong one."""
    return Denial(
        status=403,
        code="InvalidSecurityToken",
        message="The security token you provided is invalid.",
        ec="0002-00000006",
    )


def _check_signature(request: SignedRequest, key: OssKey) -> Denial | None:
    text = string_to_sign(
        method=request.method,
        bucket=request.bucket,
        key=request.key,
        date=request.params["Expires"],
        headers=request.headers,
        params=request.params,
    )
    provided = request.params["Signature"]
    return check_signature(key, text, provided)


def check_signature(key: OssKey, text: str, provided: str) -> Denial | None:
    """None if ``provided`` signs ``text`` with ``key``, else SignatureDoesNotMatch.

    The answer carries the key id, the provided signature and the server's string
    to sign (as text and as space-separated hex bytes), as OSS's does.
    """
    expected = hmac_sha1(key.access_key_secret, text)
    if hmac.compare_digest(expected.encode(), provided.encode()):
        return None
    return Denial(
        status=403,
        code="SignatureDoesNotMatch",
        message=_SIGNATURE_MISMATCH,
        details=(
            ("OSSAccessKeyId", key.access_key_id),
            ("SignatureProvided", provided),
            ("StringToSign", text),
            ("StringToSignBytes", text.encode().hex(" ")),
        ),
        ec="0002-00000040",
    )


def error_xml(denial: Denial, *, request_id: str, host_id: str) -> bytes:
    """The OSS error document of ``denial``: Code, Message, RequestId, HostId, ..."""
    elements = [
        ("Code", denial.code),
        ("Message", denial.message),
        ("RequestId", request_id),
        ("HostId", host_id),
        *denial.details,
    ]
    if denial.ec:
        elements.append(("EC", denial.ec))
    body = "".join(f"  <{name}>{escape(value)}</{name}>\n" for name, value in elements)
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n{body}</Error>\n'
    return text.encode()

"""Request signing for the Alibaba Cloud POP gateway: RPC signature v1 and ACS3.

Pure functions shared by the client (signing) and the emulator (verifying). Sources:
DESIGN.md §4; research/errors_and_oss.md §0 and §D (v1, HMAC-SHA1 over the canonical
query); research/official_sdk.md §3 and §5 (ACS3-HMAC-SHA256, the official SDK's
default); the Alibaba Cloud "Request syntax and signature method V3" document; and
``alibabacloud_tea_openapi.utils`` (``get_rpcsignature``, ``get_authorization``).
Imports: stdlib and attrs only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote

import attrs

#: The only ACS3 algorithm the gateway documents (V3 signature document, step 2).
ACS3_HMAC_SHA256 = "ACS3-HMAC-SHA256"

_AUTH_FIELDS = ("Credential", "SignedHeaders", "Signature")
_UNRESERVED = re.compile(r"[A-Za-z0-9\-_.~]*")
_ASCII_ESCAPES = {
    code: f"%{code:02X}" for code in range(128) if not _UNRESERVED.fullmatch(chr(code))
}


def percent_encode(value: str) -> str:
    """Percent-encode ``value`` the way every Alibaba Cloud signature does.

    RFC 3986 over UTF-8: only ``A-Za-z0-9-_.~`` stay literal; every other byte
    becomes upper-case ``%XX`` (space ``%20``, ``*`` ``%2A``, ``/`` ``%2F``).
    This is the seed document's ``percentEncode`` (URLEncoder with ``+``,
    ``*`` and ``%7E`` fixed up) and the SDK's ``quote(v, safe='~')``.

    Args:
        value: Text to encode.

    Returns:
        The encoded text.
    """
    if _UNRESERVED.fullmatch(value):  # most names, ids and nonces: nothing to do
        return value
    if value.isascii():  # the same mapping as quote(), without its per-byte loop
        return value.translate(_ASCII_ESCAPES)
    return quote(value, safe="-_.~")


def percent_encode_timestamp(value: str) -> str:
    """:func:`percent_encode` of a ``2013-01-10T12:00:00Z`` timestamp, but cheaper.

    Such text holds digits, ``-``, ``T`` and ``Z``, which stay literal, and ``:``,
    which becomes ``%3A``: one replacement gives the same result.

    Args:
        value: A timestamp as ``protocol.format_timestamp`` writes it.

    Returns:
        The encoded text.
    """
    return value.replace(":", "%3A")


def percent_encode_base64(value: str) -> str:
    """:func:`percent_encode` of standard base64 text (a v1 signature), but cheaper.

    Base64 holds letters and digits, which stay literal, and ``+``, ``/`` and ``=``,
    which become ``%2B``, ``%2F`` and ``%3D``: three replacements give the same
    result.

    Args:
        value: Standard base64 text, e.g. the result of :func:`v1_signature`.

    Returns:
        The encoded text.
    """
    return value.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def canonical_query(params: Mapping[str, str]) -> str:
    """Build the canonicalized query string: sorted, encoded ``k=v`` joined by ``&``.

    Keys are sorted on their raw (unencoded) form, as every vendor SDK does
    (aliyunsdkcore, the Go SDK's ``url.Values``, the Java ``TreeMap``); Python's
    code-point order is the UTF-8 byte order. Empty values stay as ``k=``
    (the Python SDKs sign ``SignatureType=``). Keys are encoded too, as the V3
    document says; the tea-openapi ACS3 code leaves keys raw, which only differs
    for keys outside the unreserved set, and no MPServerless parameter has one.

    Args:
        params: Parameter names and values.

    Returns:
        The canonical query, ``""`` for no parameters.
    """
    return "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params)
    )


def v1_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """Build the v1 string-to-sign ``METHOD&%2F&percentEncode(canonical query)``.

    ``params`` holds every parameter of the request, query and form body
    together (official_sdk.md §5); ``Signature`` itself is left out. The method
    is used as given (the gateway compares the request's own method).

    Args:
        method: The HTTP method, e.g. ``GET`` or ``POST``.
        params: All request parameters.

    Returns:
        The string-to-sign.
    """
    signed = {key: value for key, value in params.items() if key != "Signature"}
    return v1_string_to_sign_from_query(method, canonical_query(signed))


def v1_string_to_sign_from_query(method: str, canonical: str) -> str:
    """The v1 string-to-sign of an already canonicalized query string."""
    # A canonical query holds only unreserved characters, "%", "=" and "&", so
    # encoding it again is three replacements (the same result as percent_encode).
    encoded = canonical.replace("%", "%25").replace("=", "%3D").replace("&", "%26")
    return f"{method}&%2F&{encoded}"


def v1_signature(access_key_secret: str, string_to_sign: str) -> str:
    """Sign a v1 string-to-sign: ``base64(HMAC-SHA1(secret + "&", string))``.

    Args:
        access_key_secret: The AccessKey secret (the ``&`` is appended here).
        string_to_sign: The result of :func:`v1_string_to_sign`.

    Returns:
        The base64 signature, not URL-encoded.
    """
    key = f"{access_key_secret}&".encode()
    digest = hmac.digest(key, string_to_sign.encode(), "sha1")
    return base64.b64encode(digest).decode("ascii")


def v1_signer(access_key_secret: str) -> Callable[[str], str]:
    """:func:`v1_signature` for one secret, with its HMAC key prepared once.

    HMAC first digests its key; the returned function copies that keyed state
    instead of redoing it for every string, and gives the same signatures.

    Args:
        access_key_secret: The AccessKey secret (the ``&`` is appended here).

    Returns:
        A function from a string-to-sign to its base64 signature.
    """
    keyed = hmac.new(f"{access_key_secret}&".encode(), digestmod=hashlib.sha1)

    def sign(string_to_sign: str) -> str:
        mac = keyed.copy()
        mac.update(string_to_sign.encode())
        return base64.b64encode(mac.digest()).decode("ascii")

    return sign


def sign_v1_params(
    params: Mapping[str, str], *, method: str, access_key_secret: str
) -> str:
    """Compute the v1 ``Signature`` value of a request's parameters.

    Args:
        params: All request parameters (a ``Signature`` entry is ignored).
        method: The HTTP method.
        access_key_secret: The AccessKey secret.

    Returns:
        The base64 signature.
    """
    return v1_signature(access_key_secret, v1_string_to_sign(method, params))


def sha256_hex(data: bytes) -> str:
    """Return the lower-case hex SHA-256 of ``data`` (``x-acs-content-sha256``).

    Args:
        data: Bytes to hash, e.g. the request body.

    Returns:
        64 lower-case hex digits.
    """
    return hashlib.sha256(data).hexdigest()


def _signed_names(signed_headers: Sequence[str]) -> list[str]:
    """Lower-case, de-duplicate and sort header names (V3 document, SignedHeaders)."""
    return sorted({name.lower() for name in signed_headers})


def _canonical_headers(headers: Mapping[str, str], names: list[str]) -> str:
    r"""Build ``name:value\n`` lines for the signed header ``names``.

    Values are stripped. Keys that differ only in case are one header whose
    values are sorted and joined by ``,`` (tea-openapi ``get_canonicalized_headers``;
    the openapi-util ``x-acs-test``/``x-acs-TEST`` vector). A signed header missing
    from ``headers`` contributes ``name:`` so the signature simply fails to match.
    """
    grouped: dict[str, list[str]] = {}
    for key, value in headers.items():
        grouped.setdefault(key.lower(), []).append(value.strip())
    return "".join(
        f"{name}:{','.join(sorted(grouped.get(name, [])))}\n" for name in names
    )


def acs3_canonical_request(
    *,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    payload_hash: str,
) -> str:
    r"""Build the ACS3 canonical request (official_sdk.md §3, V3 document step 1).

    ``METHOD\nPATH\nQUERY\nHEADERS\nSIGNED\nPAYLOAD_HASH`` where HEADERS ends
    with its own newline. ``method`` and ``path`` are used verbatim: pass ``"/"``
    for RPC (the SDK turns an empty pathname into ``"/"`` before this point).

    Args:
        method: The HTTP method.
        path: The canonical URI, ``"/"`` for RPC APIs.
        query: The URL query parameters (not the form body).
        headers: The request headers; names in any case.
        signed_headers: Names of the headers covered by the signature.
        payload_hash: Hex SHA-256 of the body (see :func:`sha256_hex`).

    Returns:
        The canonical request text.
    """
    names = _signed_names(signed_headers)
    return "\n".join(
        (
            method,
            path,
            canonical_query(query),
            _canonical_headers(headers, names),
            ";".join(names),
            payload_hash,
        )
    )


def acs3_string_to_sign(canonical_request: str) -> str:
    r"""Build ``ACS3-HMAC-SHA256\n`` + hex SHA-256 of the canonical request.

    Args:
        canonical_request: The result of :func:`acs3_canonical_request`.

    Returns:
        The string-to-sign.
    """
    return f"{ACS3_HMAC_SHA256}\n{sha256_hex(canonical_request.encode())}"


def acs3_signature(access_key_secret: str, string_to_sign: str) -> str:
    """Sign an ACS3 string-to-sign: hex ``HMAC-SHA256(secret, string)``.

    Unlike v1, the key is the secret itself, without a trailing ``&``.

    Args:
        access_key_secret: The AccessKey secret.
        string_to_sign: The result of :func:`acs3_string_to_sign`.

    Returns:
        64 lower-case hex digits.
    """
    key = access_key_secret.encode()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def acs3_authorization(
    *, access_key_id: str, signed_headers: Sequence[str], signature: str
) -> str:
    """Format the ``Authorization`` header value.

    ``ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>``, with
    the header names normalised exactly as in :func:`acs3_canonical_request`.

    Args:
        access_key_id: The AccessKey id.
        signed_headers: Names of the signed headers.
        signature: The result of :func:`acs3_signature`.

    Returns:
        The header value.
    """
    names = ";".join(_signed_names(signed_headers))
    return (
        f"{ACS3_HMAC_SHA256} Credential={access_key_id},"
        f"SignedHeaders={names},Signature={signature}"
    )


@attrs.frozen(kw_only=True)
class Acs3Authorization:
    """The parts of an ACS3 ``Authorization`` header.

    Attributes:
        algorithm: E.g. ``ACS3-HMAC-SHA256``; the verifier decides which it accepts.
        credential: The AccessKey id.
        signed_headers: Header names as listed in the header, in their order.
        signature: The signature as sent.
    """

    algorithm: str
    credential: str
    signed_headers: tuple[str, ...]
    signature: str


def _auth_fields(text: str) -> dict[str, str]:
    """Split ``Credential=..,SignedHeaders=..,Signature=..`` into a dict."""
    fields: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep or key not in _AUTH_FIELDS:
            raise ValueError(f"unexpected Authorization component {part.strip()!r}")
        if key in fields:
            raise ValueError(f"duplicate Authorization component {key!r}")
        if not value.strip():
            raise ValueError(f"empty Authorization component {key!r}")
        fields[key] = value.strip()
    missing = [key for key in _AUTH_FIELDS if key not in fields]
    if missing:
        raise ValueError(f"Authorization lacks {', '.join(missing)}")
    return fields


def parse_acs3_authorization(header: str) -> Acs3Authorization:
    """Parse an ACS3 ``Authorization`` header value.

    Args:
        header: E.g. ``ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=ab``.

    Returns:
        The parsed parts.

    Raises:
        ValueError: The value is not a well-formed ACS3 authorization (the
            emulator answers ``IncompleteSignature``).
    """
    algorithm, _, rest = header.strip().partition(" ")
    if not algorithm.startswith("ACS3-"):
        raise ValueError(f"not an ACS3 Authorization header: {header!r}")
    if not rest.strip():
        raise ValueError("Authorization lacks Credential, SignedHeaders, Signature")
    fields = _auth_fields(rest)
    names = tuple(name.strip() for name in fields["SignedHeaders"].split(";"))
    if not all(names):
        raise ValueError(f"empty name in SignedHeaders {fields['SignedHeaders']!r}")
    return Acs3Authorization(
        algorithm=algorithm,
        credential=fields["Credential"],
        signed_headers=names,
        signature=fields["Signature"],
    )

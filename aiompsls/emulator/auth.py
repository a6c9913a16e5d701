"""Strict verification of signed requests: RPC signature v1 and ACS3-HMAC-SHA256.

Pure functions over a :class:`~aiompsls.emulator.calls.SignedCall` and a
:class:`NonceStore`; the clock is an argument. Errors are the gateway's
(research/errors_and_oss.md §A.2), raised as ``EmulatedError``. A nonce is remembered
only once its signature verified, so a forged request cannot burn a client's nonce.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from aiompsls._core import signing
from aiompsls.emulator._registry import EmulatedError
from aiompsls.emulator.calls import KeyPair, SignedCall, Verified
from aiompsls.emulator.gateway import (
    MAX_CLOCK_SKEW,
    gateway_error,
    missing_parameter,
    signature_mismatch,
)

__all__ = [
    "ACS3_REQUIRED_HEADERS",
    "V1_REQUIRED_PARAMS",
    "NonceStore",
    "parse_timestamp",
    "verify",
    "verify_acs3",
    "verify_v1",
]

#: Common parameters a v1 request must carry, in the order they are checked.
V1_REQUIRED_PARAMS = (
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "Timestamp",
    "Version",
    "Action",
)
#: Headers an ACS3 request must carry and sign (``x-acs-security-token`` too, if sent).
ACS3_REQUIRED_HEADERS = (
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
)
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z"
)
_STS_HEADER = "x-acs-security-token"


class NonceStore:
    """Remembers used signature nonces until their request could no longer be replayed.

    Bounded: beyond ``max_entries`` the oldest nonces are forgotten first.
    """

    def __init__(self, *, ttl: timedelta = MAX_CLOCK_SKEW, max_entries: int = 100_000):
        if max_entries < 1:
            raise ValueError("max_entries must be positive")
        self.ttl = ttl
        self.max_entries = max_entries
        self._until: dict[str, datetime] = {}

    def __len__(self) -> int:
        return len(self._until)

    def used(self, nonce: str, now: datetime) -> bool:
        """Whether ``nonce`` was accepted before and is still remembered at ``now``."""
        self._expire(now)
        until = self._until.get(nonce)
        return until is not None and until > now

    def remember(
        self, nonce: str, now: datetime, *, signed_at: datetime | None = None
    ) -> None:
        """Record ``nonce`` for ``ttl`` after ``now`` (or after ``signed_at`` if later).

        A request stays acceptable until its own timestamp is ``ttl`` old, so a
        future-dated request's nonce is kept that much longer.
        """
        self._expire(now)
        start = max(now, signed_at) if signed_at is not None else now
        self._until.pop(nonce, None)
        self._until[nonce] = start + self.ttl
        while len(self._until) > self.max_entries:
            del self._until[next(iter(self._until))]

    def _expire(self, now: datetime) -> None:
        while self._until:
            nonce, until = next(iter(self._until.items()))
            if until > now:
                return
            del self._until[nonce]


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 UTC timestamp such as ``2019-06-15T12:00:00Z``.

    Raises:
        EmulatedError: ``InvalidTimeStamp.Format``.
    """
    if not _TIMESTAMP.fullmatch(text):
        raise gateway_error("InvalidTimeStamp.Format")
    try:
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    except ValueError:
        raise gateway_error("InvalidTimeStamp.Format") from None


def _check_time(text: str, now: datetime) -> datetime:
    moment = parse_timestamp(text)
    if abs(now - moment) > MAX_CLOCK_SKEW:
        raise gateway_error("InvalidTimeStamp.Expired")
    return moment


def _key_pair(keys: Mapping[str, KeyPair], access_key_id: str) -> KeyPair:
    key = keys.get(access_key_id)
    if key is None:
        raise gateway_error("InvalidAccessKeyId.NotFound")
    return key


def _check_nonce(nonces: NonceStore, nonce: str, now: datetime) -> None:
    if nonces.used(nonce, now):
        raise gateway_error("SignatureNonceUsed")


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def _check_token(key: KeyPair, token: str | None) -> None:
    token = token or None
    if key.security_token is None and token is None:
        return
    if key.security_token is not None and not token:
        raise gateway_error("MissingSecurityToken")
    if token != key.security_token:
        raise gateway_error("InvalidSecurityToken.MismatchWithAccessKey")


def verify(
    call: SignedCall,
    *,
    keys: Mapping[str, KeyPair],
    nonces: NonceStore,
    now: datetime,
) -> Verified:
    """Verify ``call`` as ACS3 when it has an ACS3 ``Authorization`` header, else v1.

    Args:
        call: The request.
        keys: The accepted AccessKeys by id.
        nonces: The nonce memory (updated on success).
        now: The server's current time (aware UTC).

    Returns:
        The verified request's action, version and parameters.

    Raises:
        EmulatedError: The gateway error that rejects the request.
    """
    if call.is_acs3:
        return verify_acs3(call, keys=keys, nonces=nonces, now=now)
    return verify_v1(call, keys=keys, nonces=nonces, now=now)


def verify_v1(
    call: SignedCall,
    *,
    keys: Mapping[str, KeyPair],
    nonces: NonceStore,
    now: datetime,
) -> Verified:
    """Verify an RPC v1 (HMAC-SHA1) request; the checks run in the gateway's order.

    Missing common parameters (``MissingParameter``), ``SignatureMethod``,
    ``Timestamp`` format and window, ``AccessKeyId``, nonce reuse, the signature
    over every parameter but ``Signature``, then the security token.

    Args:
        call: The request.
        keys: The accepted AccessKeys by id.
        nonces: The nonce memory (updated on success).
        now: The server's current time (aware UTC).

    Returns:
        The verified request.

    Raises:
        EmulatedError: The gateway error that rejects the request.
    """
    params = call.params
    for name in V1_REQUIRED_PARAMS:
        if not params.get(name):
            raise missing_parameter(name)
    if params["SignatureMethod"] != "HMAC-SHA1":
        raise gateway_error("InvalidSignatureMethod")
    signed_at = _check_time(params["Timestamp"], now)
    key = _key_pair(keys, params["AccessKeyId"])
    _check_nonce(nonces, params["SignatureNonce"], now)
    string_to_sign = signing.v1_string_to_sign(call.method, params)
    expected = signing.v1_signature(key.access_key_secret, string_to_sign)
    if not _same(expected, params["Signature"]):
        raise signature_mismatch(string_to_sign)
    nonces.remember(params["SignatureNonce"], now, signed_at=signed_at)
    _check_token(key, params.get("SecurityToken"))
    return Verified(
        style="v1",
        access_key_id=key.access_key_id,
        action=params["Action"],
        version=params["Version"],
        params=params,
    )


def _authorization(header: str) -> signing.Acs3Authorization:
    try:
        auth = signing.parse_acs3_authorization(header)
    except ValueError as exc:
        raise gateway_error("IncompleteSignature", detail=str(exc)) from None
    if auth.algorithm != signing.ACS3_HMAC_SHA256:
        raise gateway_error("InvalidSignatureMethod")
    return auth


def _check_signed_headers(call: SignedCall, auth: signing.Acs3Authorization) -> None:
    signed = {name.lower() for name in auth.signed_headers}
    for name in signed:
        if name not in call.headers:
            raise gateway_error(
                "IncompleteSignature", detail=f"The signed header {name} is absent."
            )
    must_sign = [*ACS3_REQUIRED_HEADERS]
    if _STS_HEADER in call.headers:
        must_sign.append(_STS_HEADER)
    for name in must_sign:
        if name not in signed:
            raise gateway_error(
                "IncompleteSignature", detail=f"The header {name} must be signed."
            )


def _acs3_string_to_sign(call: SignedCall, auth: signing.Acs3Authorization) -> str:
    canonical = signing.acs3_canonical_request(
        method=call.method,
        path=call.path,
        query=call.query,
        headers=call.headers,
        signed_headers=auth.signed_headers,
        payload_hash=call.headers["x-acs-content-sha256"],
    )
    return signing.acs3_string_to_sign(canonical)


def verify_acs3(
    call: SignedCall,
    *,
    keys: Mapping[str, KeyPair],
    nonces: NonceStore,
    now: datetime,
) -> Verified:
    """Verify an ACS3-HMAC-SHA256 request (official_sdk.md §3).

    The ``Authorization`` header (``IncompleteSignature`` when malformed), the
    required ``x-acs-*`` headers, the credential, ``x-acs-date`` format and
    window, nonce reuse, the signed header list, ``x-acs-content-sha256`` against
    the body, the signature itself, then the security token.

    Args:
        call: The request.
        keys: The accepted AccessKeys by id.
        nonces: The nonce memory (updated on success).
        now: The server's current time (aware UTC).

    Returns:
        The verified request; action and version come from ``x-acs-*`` headers.

    Raises:
        EmulatedError: The gateway error that rejects the request.
    """
    auth = _authorization(call.headers["authorization"])
    headers = call.headers
    for name in ACS3_REQUIRED_HEADERS:
        if not headers.get(name):
            raise missing_parameter(name)
    key = _key_pair(keys, auth.credential)
    signed_at = _check_time(headers["x-acs-date"], now)
    _check_nonce(nonces, headers["x-acs-signature-nonce"], now)
    _check_signed_headers(call, auth)
    _check_payload(call)
    string_to_sign = _acs3_string_to_sign(call, auth)
    expected = signing.acs3_signature(key.access_key_secret, string_to_sign)
    if not _same(expected, auth.signature):
        raise signature_mismatch(string_to_sign)
    nonces.remember(headers["x-acs-signature-nonce"], now, signed_at=signed_at)
    _check_token(key, headers.get(_STS_HEADER))
    return Verified(
        style="acs3",
        access_key_id=key.access_key_id,
        action=headers["x-acs-action"],
        version=headers["x-acs-version"],
        params=call.params,
    )


def _check_payload(call: SignedCall) -> None:
    if not _same(signing.sha256_hex(call.body), call.headers["x-acs-content-sha256"]):
        raise EmulatedError(
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation. The "
            "x-acs-content-sha256 header is not the SHA-256 of the request body.",
            status=400,
        )

"""OSS PostObject: policy documents, their signature and their evaluation (sans-I/O).

A policy is base64 of UTF-8 JSON with ``expiration`` and ``conditions``; its
signature is ``base64(HMAC-SHA1(secret, policy_base64))``. Sources:
research/errors_and_oss.md §C.2 (the OSS PostObject document and "PostObject common
errors"). Checks answer with a :class:`~aiompsls._core.oss.Denial` or None; the time
is an argument. Imports: stdlib, attrs and :mod:`._core.oss` only.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from aiompsls._core.oss import Denial, OssKey, bad_token, check_signature, unknown_key

__all__ = [
    "Condition",
    "PostPolicy",
    "authorize_post",
    "check_fields",
    "check_length",
    "encode_policy",
    "length_range",
    "parse_policy",
    "too_large",
]

_AUTH_FIELDS = ("ossaccesskeyid", "policy", "signature")
_FIELD_OPS = frozenset({"eq", "starts-with", "in", "not-in"})
_LENGTH = "content-length-range"
_POLICY_FAILED = "Invalid according to Policy: "


@attrs.frozen(kw_only=True)
class Condition:
    """One policy condition.

    Attributes:
        op: ``eq``, ``starts-with``, ``in``, ``not-in`` or ``content-length-range``.
        field: The form field it constrains, lower case without ``$`` ("" for a
            length range); ``bucket`` is the request's bucket.
        values: The operand(s): one for eq / starts-with, the list for in / not-in.
        low: The smallest size a length range allows.
        high: The largest size a length range allows.
        text: The condition as the failure message quotes it.
    """

    op: str
    field: str = ""
    values: tuple[str, ...] = ()
    low: int = 0
    high: int = 0
    text: str


@attrs.frozen(kw_only=True)
class PostPolicy:
    """A decoded policy: when it expires (aware UTC) and its conditions."""

    expiration: datetime
    conditions: tuple[Condition, ...]


def encode_policy(expiration: datetime, conditions: Sequence[object]) -> str:
    """The base64 policy text of a document (expiration written with milliseconds)."""
    moment = expiration.astimezone(UTC)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    document = {"expiration": stamp, "conditions": list(conditions)}
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(text.encode()).decode()


def _invalid(message: str) -> Denial:
    return Denial(status=400, code="InvalidPolicyDocument", message=message)


def parse_policy(encoded: str) -> PostPolicy | Denial:
    """Decode and check a base64 policy; ``InvalidPolicyDocument`` (400) if bad."""
    try:
        document = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError) as exc:
        return _invalid(f"Invalid Policy: Invalid JSON: {exc}")
    if not isinstance(document, dict):
        return _invalid("Invalid Policy: Invalid JSON: the policy is not an object.")
    expiration = _expiration(document.get("expiration"))
    if expiration is None:
        value = document.get("expiration")
        return _invalid(f"Invalid Policy: Invalid 'expiration' value: {value!r}")
    raw = document.get("conditions")
    if not isinstance(raw, list):
        return _invalid("Invalid Policy: 'conditions' must be a list.")
    conditions: list[Condition] = []
    for item in raw:
        parsed = _condition(item)
        if isinstance(parsed, Denial):
            return parsed
        conditions.append(parsed)
    return PostPolicy(expiration=expiration, conditions=tuple(conditions))


def _expiration(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _quote(parts: Sequence[object]) -> str:
    return json.dumps(list(parts), ensure_ascii=False)


def _condition(item: object) -> Condition | Denial:
    if isinstance(item, dict):
        return _simple(item)
    if isinstance(item, list) and item and isinstance(item[0], str):
        op = item[0].lower()
        if op == _LENGTH:
            return _length(item)
        if op in _FIELD_OPS:
            return _field_condition(op, item)
    return _invalid(f"Invalid Policy: Invalid Condition: {_quote([item])[1:-1]}")


def _simple(item: Mapping[str, Any]) -> Condition | Denial:
    if len(item) != 1:
        return _invalid(
            "Invalid Simple-Condition: Simple-Conditions must have exactly one "
            "property specified."
        )
    ((name, value),) = item.items()
    if not isinstance(value, str):
        return _invalid(
            f"Invalid Simple-Condition: value of {name!r} must be a string."
        )
    return Condition(
        op="eq",
        field=name.lower(),
        values=(value,),
        text=_quote(["eq", f"${name}", value]),
    )


def _field_condition(op: str, item: list[Any]) -> Condition | Denial:
    if len(item) != 3 or not isinstance(item[1], str) or not item[1].startswith("$"):
        return _invalid(f"Invalid Policy: Invalid {op} condition: {_quote(item)}")
    operand = item[2]
    if op in ("in", "not-in"):
        ok = isinstance(operand, list) and all(isinstance(v, str) for v in operand)
        values = tuple(operand) if ok else ()
    else:
        ok = isinstance(operand, str)
        values = (operand,) if ok else ()
    if not ok:
        return _invalid(f"Invalid Policy: Invalid {op} condition: {_quote(item)}")
    return Condition(op=op, field=item[1][1:].lower(), values=values, text=_quote(item))


def _length(item: list[Any]) -> Condition | Denial:
    bounds = item[1:]
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in bounds)
    if len(bounds) != 2 or not whole or not 0 <= bounds[0] <= bounds[1]:
        return _invalid(f"Invalid Policy: Invalid content-length-range: {_quote(item)}")
    return Condition(op=_LENGTH, low=bounds[0], high=bounds[1], text=_quote(item))


def authorize_post(
    fields: Mapping[str, str], keys: Mapping[str, OssKey]
) -> Denial | None:
    """Check a PostObject's credentials: all three fields, the key, token, signature.

    Args:
        fields: The form fields by lower-case name.
        keys: The known keys by id.

    Returns:
        None when authorized; ``InvalidArgument`` (400) when only some of
        OSSAccessKeyId / policy / Signature are present, ``AccessDenied`` (403)
        when none is (the emulator's buckets are not public-read-write),
        ``InvalidAccessKeyId``, ``InvalidSecurityToken`` or
        ``SignatureDoesNotMatch`` (403).
    """
    present = [name for name in _AUTH_FIELDS if fields.get(name)]
    if not present:
        return Denial(
            status=403,
            code="AccessDenied",
            message="You have no right to access this bucket because of bucket acl.",
        )
    if len(present) != len(_AUTH_FIELDS):
        return Denial(
            status=400,
            code="InvalidArgument",
            message="Form fields OSSAccessKeyId, policy and Signature must be "
            "specified together.",
        )
    key = keys.get(fields["ossaccesskeyid"])
    if key is None:
        return unknown_key(fields["ossaccesskeyid"])
    if key.security_token and fields.get("x-oss-security-token") != key.security_token:
        return bad_token()
    return check_signature(key, fields["policy"], fields["signature"])


def check_fields(
    policy: PostPolicy, fields: Mapping[str, str], *, bucket: str, now: datetime
) -> Denial | None:
    """Check expiry and every field condition (not the length range).

    Args:
        policy: The decoded policy.
        fields: The form fields by lower-case name, before ``${filename}`` expansion.
        bucket: The bucket the form was posted to (the ``bucket`` condition).
        now: The server time (aware).

    Returns:
        None if the form satisfies the policy, else ``AccessDenied`` (403) with
        "Invalid according to Policy: Policy expired." or "...: Policy Condition
        failed: <condition>".
    """
    if now > policy.expiration:
        return _policy_denied("Policy expired.")
    for condition in policy.conditions:
        if condition.op == _LENGTH:
            continue
        value = (
            bucket if condition.field == "bucket" else fields.get(condition.field, "")
        )
        if not _holds(condition, value):
            return _policy_denied(f"Policy Condition failed: {condition.text}")
    return None


def _holds(condition: Condition, value: str) -> bool:
    if condition.op == "eq":
        return value == condition.values[0]
    if condition.op == "starts-with":
        return value.startswith(condition.values[0])
    if condition.op == "in":
        return value in condition.values
    return value not in condition.values


def _policy_denied(reason: str) -> Denial:
    return Denial(status=403, code="AccessDenied", message=_POLICY_FAILED + reason)


def length_range(policy: PostPolicy) -> tuple[int, int] | None:
    """The sizes every content-length-range allows (their intersection), if any."""
    ranges = [(c.low, c.high) for c in policy.conditions if c.op == _LENGTH]
    if not ranges:
        return None
    return max(low for low, _ in ranges), min(high for _, high in ranges)


def check_length(policy: PostPolicy, size: int) -> Denial | None:
    """``EntityTooLarge`` / ``EntityTooSmall`` (400) when ``size`` is out of range."""
    bounds = length_range(policy)
    if bounds is None:
        return None
    low, high = bounds
    if size > high:
        return too_large(size, high)
    if size < low:
        return Denial(
            status=400,
            code="EntityTooSmall",
            message="Your proposed upload is smaller than the minimum allowed size.",
            details=(("ProposedSize", str(size)), ("MinSizeAllowed", str(low))),
            ec="0006-00000004",
        )
    return None


def too_large(size: int, limit: int) -> Denial:
    """400 ``EntityTooLarge``: ``size`` bytes (at least) where ``limit`` is allowed."""
    return Denial(
        status=400,
        code="EntityTooLarge",
        message="Your proposed upload exceeds the maximum allowed size.",
        details=(("ProposedSize", str(size)), ("MaxSizeAllowed", str(limit))),
        ec="0006-00000003",
    )

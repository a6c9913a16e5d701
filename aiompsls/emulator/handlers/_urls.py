"""The OSS URLs and PostObject material the emulator hands out.

Everything lives under ``<base_url>/_oss/<bucket>/<key>``. Presigned URLs carry
``OSSAccessKeyId``, ``Expires`` and ``Signature`` computed as OSS V1 query-string
signatures (research/errors_and_oss.md §C.1) with the state's OSS secret; PostObject
policies are base64 JSON signed as in §C.2, so the OSS side can verify both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import quote, urlencode

import attrs

from aiompsls.emulator._registry import Context
from aiompsls.emulator.handlers._common import iso_ms, now_ms, state_of

FUNCTION_BUCKET = "mps-emulator-faas"
FILE_BUCKET = "mps-emulator-files"
SHARE_BUCKET = "mps-emulator-share"
STATIC_BUCKET = "mps-emulator-static"
URL_TTL = 3600


def bucket_url(ctx: Context, bucket: str) -> str:
    """The emulator's address of an OSS bucket."""
    return f"{ctx.base_url.rstrip('/')}/_oss/{bucket}"


def object_url(ctx: Context, bucket: str, key: str) -> str:
    """The unsigned address of an object."""
    return f"{bucket_url(ctx, bucket)}/{quote(key, safe='/')}"


def _sign(ctx: Context, text: str) -> str:
    secret = state_of(ctx).oss_access_key_secret.encode()
    digest = hmac.new(secret, text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def presigned_url(
    ctx: Context,
    bucket: str,
    key: str,
    *,
    method: str = "GET",
    content_type: str = "",
    ttl: int = URL_TTL,
) -> str:
    """An OSS V1 presigned URL for ``method`` on the object, valid for ``ttl`` s."""
    expires = now_ms(ctx) // 1000 + ttl
    string_to_sign = f"{method}\n\n{content_type}\n{expires}\n/{bucket}/{key}"
    query = urlencode(
        {
            "OSSAccessKeyId": state_of(ctx).oss_access_key_id,
            "Expires": str(expires),
            "Signature": _sign(ctx, string_to_sign),
        }
    )
    return f"{object_url(ctx, bucket, key)}?{query}"


@attrs.frozen(kw_only=True)
class PostPolicy:
    """PostObject material: the base64 policy, its signature and expiry (epoch s)."""

    policy: str
    signature: str
    access_key_id: str
    expires: int


def post_policy(
    ctx: Context,
    bucket: str,
    key: str,
    *,
    max_size: int,
    prefix: bool = False,
    ttl: int = URL_TTL,
) -> PostPolicy:
    """A policy for uploads up to ``max_size`` bytes to ``key`` (or under it)."""
    expires_ms = now_ms(ctx) + ttl * 1000
    key_rule: object = ["starts-with", "$key", key] if prefix else {"key": key}
    document = {
        "expiration": iso_ms(expires_ms),
        "conditions": [
            ["content-length-range", 0, max_size],
            {"bucket": bucket},
            key_rule,
        ],
    }
    text = json.dumps(document, separators=(",", ":"))
    policy = base64.b64encode(text.encode()).decode()
    return PostPolicy(
        policy=policy,
        signature=_sign(ctx, policy),
        access_key_id=state_of(ctx).oss_access_key_id,
        expires=expires_ms // 1000,
    )

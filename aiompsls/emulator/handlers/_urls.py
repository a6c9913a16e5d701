"""The OSS URLs and PostObject material the emulator hands out.

Everything lives under ``<base_url>/_oss/<bucket>/<key>`` (:mod:`..buckets`, served by
:mod:`..oss_routes`). Presigned URLs are OSS V1 query-string signatures and PostObject
policies base64 JSON signed with HMAC-SHA1, both from :mod:`aiompsls._core.oss` with
the state's OSS keys, so the OSS side verifies them with the same code.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import attrs

from aiompsls._core import oss
from aiompsls._core.oss_policy import encode_policy
from aiompsls.emulator._registry import Context
from aiompsls.emulator.buckets import (
    FILE_BUCKET,
    FUNCTION_BUCKET,
    SHARE_BUCKET,
    STATIC_BUCKET,
)
from aiompsls.emulator.handlers._common import now_ms, state_of

__all__ = [
    "FILE_BUCKET",
    "FUNCTION_BUCKET",
    "SHARE_BUCKET",
    "STATIC_BUCKET",
    "URL_TTL",
    "PostUpload",
    "bucket_url",
    "object_url",
    "post_policy",
    "presigned_url",
]

URL_TTL = 3600


def bucket_url(ctx: Context, bucket: str) -> str:
    """The emulator's address of an OSS bucket."""
    return f"{ctx.base_url.rstrip('/')}/_oss/{bucket}"


def object_url(ctx: Context, bucket: str, key: str) -> str:
    """The unsigned address of an object."""
    return f"{bucket_url(ctx, bucket)}/{quote(key, safe='/')}"


def presigned_url(
    ctx: Context,
    bucket: str,
    key: str,
    *,
    method: str = "GET",
    content_type: str = "",
    ttl: int = URL_TTL,
) -> str:
    """An OSS V1 presigned URL for ``method`` on the object, valid for ``ttl`` s.

    A PUT signed with ``content_type`` must send exactly that ``Content-Type``.
    """
    headers = {"Content-Type": content_type} if content_type else {}
    query = oss.presign_params(
        state_of(ctx).oss_key(),
        method=method,
        bucket=bucket,
        object_key=key,
        expires=now_ms(ctx) // 1000 + ttl,
        headers=headers,
    )
    return oss.presigned_url(object_url(ctx, bucket, key), query)


@attrs.frozen(kw_only=True)
class PostUpload:
    """PostObject material: the base64 policy, its signature, the key and expiry.

    Attributes:
        policy: The base64 policy document.
        signature: Its signature.
        access_key_id: The ``OSSAccessKeyId`` to post.
        security_token: The ``x-oss-security-token`` to post (STS keys only).
        expires: When the policy expires, epoch seconds.
    """

    policy: str
    signature: str
    access_key_id: str
    security_token: str | None = attrs.field(default=None, repr=False)
    expires: int


def post_policy(
    ctx: Context,
    bucket: str,
    key: str,
    *,
    max_size: int,
    prefix: bool = False,
    ttl: int = URL_TTL,
    sts: bool = False,
) -> PostUpload:
    """A policy for uploads up to ``max_size`` bytes to ``key`` (or under it).

    Args:
        ctx: The call's context.
        bucket: The bucket the form posts to.
        key: The object key, or the key prefix when ``prefix``.
        max_size: The content-length-range maximum.
        prefix: Allow any key starting with ``key``.
        ttl: Seconds until the policy expires.
        sts: Sign with the state's STS key (the material then has a token).
    """
    state = state_of(ctx)
    signer = state.oss_sts_key() if sts else state.oss_key()
    key_rule: object = ["starts-with", "$key", key] if prefix else {"key": key}
    expiration = ctx.now + timedelta(seconds=ttl)
    policy = encode_policy(
        expiration,
        [["content-length-range", 0, max_size], {"bucket": bucket}, key_rule],
    )
    return PostUpload(
        policy=policy,
        signature=oss.hmac_sha1(signer.access_key_secret, policy),
        access_key_id=signer.access_key_id,
        security_token=signer.security_token,
        expires=now_ms(ctx) // 1000 + ttl,
    )

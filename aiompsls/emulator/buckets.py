"""The OSS buckets the emulator serves: names, anonymous reads and object size limits.

Every bucket lives under ``<base_url>/_oss/<bucket>`` on the emulator's own address.
Objects are private (reads need a presigned URL) except in the file storage bucket,
whose objects are public-read as the service's file URLs are.
"""

from __future__ import annotations

from typing import Final

import attrs

__all__ = [
    "BUCKETS",
    "FILE_BUCKET",
    "FUNCTION_BUCKET",
    "PUT_MAX_BYTES",
    "SHARE_BUCKET",
    "STATIC_BUCKET",
    "Bucket",
    "function_prefix",
    "space_prefixes",
]

FUNCTION_BUCKET: Final = "mps-emulator-faas"
FILE_BUCKET: Final = "mps-emulator-files"
SHARE_BUCKET: Final = "mps-emulator-share"
STATIC_BUCKET: Final = "mps-emulator-static"
#: The largest object one PutObject / PostObject may create: 5 GB (OSS PutObject and
#: PostObject documents, "the object cannot exceed 5 GB").
PUT_MAX_BYTES: Final = 5 * 1024**3


@attrs.frozen(kw_only=True)
class Bucket:
    """An emulated bucket.

    Attributes:
        name: The bucket name.
        public_read: Whether GET and HEAD work without a signature.
        max_object_size: The largest object an upload may create, in bytes.
    """

    name: str
    public_read: bool = False
    max_object_size: int = PUT_MAX_BYTES


#: The emulator's buckets by name.
BUCKETS: Final = {
    bucket.name: bucket
    for bucket in (
        Bucket(name=FUNCTION_BUCKET),
        Bucket(name=FILE_BUCKET, public_read=True),
        Bucket(name=SHARE_BUCKET),
        Bucket(name=STATIC_BUCKET),
    )
}


def function_prefix(space_id: str, function_name: str) -> tuple[str, str]:
    """The bucket and key prefix of a function's deployment packages."""
    return FUNCTION_BUCKET, f"{space_id}/{function_name}/"


def space_prefixes(space_id: str) -> tuple[tuple[str, str], ...]:
    """Every (bucket, key prefix) holding a space's objects.

    Function packages, stored files and hosting files are keyed ``<SpaceId>/...``;
    database import and export files ``mongo/<import|export>/<SpaceId>/...``.
    """
    return (
        (FUNCTION_BUCKET, f"{space_id}/"),
        (FILE_BUCKET, f"{space_id}/"),
        (STATIC_BUCKET, f"{space_id}/"),
        (SHARE_BUCKET, f"mongo/import/{space_id}/"),
        (SHARE_BUCKET, f"mongo/export/{space_id}/"),
    )

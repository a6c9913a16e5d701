"""Function code packages: where a deployment's upload is, and whether it can deploy.

A deployment's package is the object its ``UploadSignedUrl`` PUT stored in the
function bucket. DeployFunction accepts it when it exists, is at most
:data:`PACKAGE_MAX_BYTES` and passes the runtime's package check
(:func:`~.runtime.inspect_package`: a readable zip, safe entry names, and the entry
file, ``index.js`` or ``package.json``'s ``main``). :func:`package_path` is the seam
the runtime reads a deployed package through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from aiompsls.emulator.buckets import FUNCTION_BUCKET
from aiompsls.emulator.objects import ObjectStore
from aiompsls.emulator.records import DeploymentRecord
from aiompsls.emulator.runtime import PackageError, PackageLimits, inspect_package

__all__ = ["PACKAGE_LIMITS", "PACKAGE_MAX_BYTES", "check_package", "package_path"]

#: The largest code package a deployment takes: 10 MiB. DCloud's uniCloud guide,
#: whose Alibaba Cloud flavour is this service, says "单个云函数大小限制为10M（包含
#: node_modules）" (dcloudio/unidocs-zh docs/uniCloud/cf-functions.md); the emulator
#: applies it to the uploaded zip.
PACKAGE_MAX_BYTES: Final = 10 * 1024 * 1024
#: The package limits DeployFunction checks.
PACKAGE_LIMITS: Final = PackageLimits(max_archive_bytes=PACKAGE_MAX_BYTES)


def package_path(objects: ObjectStore, deployment: DeploymentRecord) -> Path | None:
    """The file holding a deployment's uploaded package, or None before the upload.

    The file is read-only and never rewritten in place: a new upload to the same
    key replaces it with another file, so open it once and read from the handle.
    """
    return objects.path(FUNCTION_BUCKET, deployment.object_key)


def check_package(objects: ObjectStore, deployment: DeploymentRecord) -> str | None:
    """Why the deployment's package cannot be deployed, or None if it can."""
    path = package_path(objects, deployment)
    if path is None:
        return "No code package was uploaded to the deployment's UploadSignedUrl."
    try:
        inspect_package(path, PACKAGE_LIMITS)
    except PackageError as exc:
        return str(exc)
    return None

"""Deployment packages: the zip's safety checks, its extraction and the entry file.

A package is a zip holding the function's code: ``index.js`` at its root, or the file
``package.json`` names in ``main`` (a zip of the function's folder, with that one
folder at its root, is accepted too). Absolute names, ``..`` parts, symbolic links,
too many entries and too many unpacked bytes are refused with :class:`PackageError`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

import attrs

__all__ = [
    "PackageError",
    "PackageLimits",
    "entry_name",
    "extract_package",
    "inspect_package",
]

MIB = 1024 * 1024
ENTRY_DEFAULT = "index.js"
MANIFEST = "package.json"
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 1024 * 1024


class PackageError(Exception):
    """The package cannot be run; the message says why (it ends up in answers)."""


@attrs.frozen(kw_only=True)
class PackageLimits:
    """What a package may hold (emulator assumptions; the reference states none).

    Attributes:
        max_archive_bytes: The largest zip accepted.
        max_unpacked_bytes: The most bytes its files may unpack to, all together.
        max_entries: The most entries (files and folders) it may hold.
    """

    max_archive_bytes: int = 50 * MIB
    max_unpacked_bytes: int = 250 * MIB
    max_entries: int = 10_000


def _check_name(name: str) -> PurePosixPath:
    """The entry's relative path; PackageError for names that escape the folder."""
    if not name or "\x00" in name:
        raise PackageError("The package holds an entry with an empty or invalid name.")
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise PackageError(f"The package entry {name!r} has an absolute path.")
    parts = re.split(r"[\\/]", name)
    if ".." in parts:
        raise PackageError(f"The package entry {name!r} points outside the package.")
    return PurePosixPath(*[part for part in parts if part not in ("", ".")])


def _check_entries(infos: list[zipfile.ZipInfo], limits: PackageLimits) -> None:
    if len(infos) > limits.max_entries:
        raise PackageError(f"The package holds more than {limits.max_entries} entries.")
    declared = 0
    for info in infos:
        _check_name(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageError(
                f"The package entry {info.filename!r} is a symbolic link."
            )
        declared += info.file_size
    if declared > limits.max_unpacked_bytes:
        raise PackageError(
            f"The package unpacks to more than {limits.max_unpacked_bytes} bytes."
        )


_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError)


@contextmanager
def _reading(archive: Path, limits: PackageLimits) -> Iterator[zipfile.ZipFile]:
    """The open zip; a damaged or unreadable one becomes a PackageError."""
    try:
        size = archive.stat().st_size
    except OSError as exc:
        raise PackageError(f"The package cannot be read: {exc.strerror}.") from None
    if size > limits.max_archive_bytes:
        raise PackageError(
            f"The package is larger than {limits.max_archive_bytes} bytes."
        )
    try:
        with zipfile.ZipFile(archive) as zipped:
            yield zipped
    except _DAMAGED:
        raise PackageError("The package is not a readable zip file.") from None


def _code_prefix(names: Iterable[PurePosixPath]) -> PurePosixPath:
    """The folder holding the code: the root, or the zip's only top-level folder."""
    paths = [name for name in names if name.parts]
    roots = {name.parts[0] for name in paths}
    at_root = {str(name) for name in paths if len(name.parts) == 1}
    if at_root & {ENTRY_DEFAULT, MANIFEST} or len(roots) != 1:
        return PurePosixPath()
    (only,) = roots
    if only in at_root:  # a single file, not a folder
        return PurePosixPath()
    return PurePosixPath(only)


def entry_name(main: object) -> PurePosixPath:
    """The entry file's path within the code folder, from ``package.json``'s main."""
    if main is None:
        return PurePosixPath(ENTRY_DEFAULT)
    if not isinstance(main, str) or not main.strip():
        raise PackageError("The package.json field 'main' must name a file.")
    return _check_name(main.strip())


def _main_of(manifest: bytes | None) -> object:
    if manifest is None:
        return None
    try:
        parsed = json.loads(manifest)
    except (ValueError, RecursionError):
        raise PackageError(
            "The package.json of the package is not valid JSON."
        ) from None
    return parsed.get("main") if isinstance(parsed, dict) else None


def _candidates(entry: PurePosixPath) -> list[PurePosixPath]:
    """The files Node.js would try for ``require`` of the entry, in order."""
    return [entry, entry.with_name(entry.name + ".js"), entry / ENTRY_DEFAULT]


def inspect_package(
    archive: Path, limits: PackageLimits | None = None
) -> PurePosixPath:
    """Check a package without unpacking it; its entry file's path inside the zip.

    Raises:
        PackageError: Not a zip, too large, unsafe entries, or no entry file.
    """
    limits = limits or PackageLimits()
    with _reading(archive, limits) as zipped:
        infos = zipped.infolist()
        _check_entries(infos, limits)
        files = {_check_name(i.filename): i for i in infos if not i.is_dir()}
        prefix = _code_prefix(files)
        manifest = files.get(prefix / MANIFEST)
        main = _main_of(zipped.read(manifest) if manifest else None)
    for candidate in _candidates(entry_name(main)):
        if prefix / candidate in files:
            return prefix / candidate
    raise PackageError(f"The package has no entry file {entry_name(main)}.")


def _copy(source: IO[bytes], target: Path, budget: int) -> int:
    """Copy one member, counting real bytes (headers can lie); bytes left after."""
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            budget -= len(chunk)
            if budget < 0:
                raise PackageError("The package unpacks to more bytes than allowed.")
            out.write(chunk)
    return budget


def _unpack(zipped: zipfile.ZipFile, dest: Path, limits: PackageLimits) -> None:
    budget = limits.max_unpacked_bytes
    root = dest.resolve()
    for info in zipped.infolist():
        target = root.joinpath(*_check_name(info.filename).parts)
        if not target.resolve().is_relative_to(root):
            raise PackageError(f"The package entry {info.filename!r} escapes it.")
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipped.open(info) as source:
            budget = _copy(source, target, budget)


def extract_package(
    archive: Path, dest: Path, limits: PackageLimits | None = None
) -> Path:
    """Unpack a checked package into ``dest`` (which must not exist yet), atomically.

    The files land in a temporary sibling folder first and are renamed into place,
    so a half-unpacked package is never seen at ``dest``.

    Returns:
        The entry file's path under ``dest``.

    Raises:
        PackageError: The package is unsafe, too large or has no entry file.
    """
    limits = limits or PackageLimits()
    entry = inspect_package(archive, limits)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=dest.parent))
    try:
        with _reading(archive, limits) as zipped:
            _unpack(zipped, staging, limits)
        os.replace(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest.joinpath(*entry.parts)

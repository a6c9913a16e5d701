"""The emulator's object store: OSS objects as files under a root folder.

Each object is a data file plus a small JSON metadata file (key, size, ETag, content
type, modification time) under ``<root>/<bucket>/<hh>/<sha256(key)>``; an in-memory
index, rebuilt from the metadata files when a store opens an existing root, answers
lookups and sorted listings. Writes go to a temporary file and become visible in one
rename of the metadata file, so a failed or abandoned upload leaves nothing behind.
Uploads stream through :class:`~.uploads.PendingObject` (1 MiB batches written and
hashed in a worker thread); nothing ever holds a whole object in memory.
Data files are never rewritten in place (a new version gets a new file), so a reader
holding an open handle keeps reading consistent content. Index changes happen on the
event loop's thread only.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import attrs

from aiompsls.emulator.uploads import PendingObject, Spool

__all__ = ["ObjectInfo", "ObjectStore", "ObjectStoreError"]

_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")


class ObjectStoreError(Exception):
    """An existing object folder holds a metadata file that cannot be read."""


@attrs.frozen(kw_only=True)
class ObjectInfo:
    """What the store knows of an object.

    Attributes:
        bucket: The bucket.
        key: The object key.
        size: The size in bytes.
        etag: The quoted upper-case hex MD5 of the content (``"D41D8CD9..."``).
        content_type: The content type it was stored with.
        modified_ms: When it was written, epoch milliseconds.
    """

    bucket: str
    key: str
    size: int
    etag: str
    content_type: str
    modified_ms: int

    @property
    def content_md5(self) -> str:
        """The base64 MD5 digest, as a ``Content-MD5`` header writes it."""
        return base64.b64encode(bytes.fromhex(self.etag.strip('"'))).decode()


@attrs.define
class _Entry:
    info: ObjectInfo
    data: str  # the data file's name, beside the metadata file


class ObjectStore:
    """Objects on disk under ``root``; a temporary folder when ``root`` is None.

    A temporary folder is made on first use and removed by :meth:`close`, when the
    store is garbage-collected, or at interpreter exit. A given ``root`` is kept,
    and its objects are loaded when the store opens.

    Args:
        root: The folder to keep objects in (created if missing).
    """

    def __init__(self, root: Path | str | None = None) -> None:
        self._given = Path(root) if root is not None else None
        self._temp: Path | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._entries: dict[str, dict[str, _Entry]] = {}
        self._keys: dict[str, list[str]] = {}
        if self._given is not None:
            self._load(self._given)

    def __repr__(self) -> str:
        return f"<ObjectStore root={str(self._given or self._temp)!r}>"

    @property
    def root(self) -> Path:
        """The folder objects live in (a temporary one is made on first use)."""
        if self._given is not None:
            return self._given
        if self._temp is None:
            self._temp = Path(tempfile.mkdtemp(prefix="aiompsls-objects-"))
            self._finalizer = weakref.finalize(
                self, shutil.rmtree, self._temp, ignore_errors=True
            )
        return self._temp

    def close(self) -> None:
        """Forget every object; a temporary root is removed (made again if needed)."""
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer, self._temp = None, None
        self._entries.clear()
        self._keys.clear()

    def clear(self) -> None:
        """Delete every object."""
        if self._given is None:
            self.close()
            return
        for child in self._given.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
        self._entries.clear()
        self._keys.clear()

    def temp_path(self) -> Path:
        """A fresh path for a temporary file inside the root (same file system)."""
        folder = self.root / ".tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / uuid.uuid4().hex

    def begin(
        self, bucket: str, key: str, *, limit: int | None = None
    ) -> PendingObject:
        """Start an upload of ``key``; at most ``limit`` bytes if a limit is given."""
        _check_bucket(bucket)
        return PendingObject(self, bucket, key, limit)

    def put_chunks(
        self,
        bucket: str,
        key: str,
        chunks: Iterable[bytes],
        *,
        content_type: str,
        modified_ms: int,
    ) -> ObjectInfo:
        """Store an object from ``chunks`` synchronously (small objects, seeding)."""
        _check_bucket(bucket)
        spool = Spool(self.temp_path())
        size = 0
        try:
            for chunk in chunks:
                spool.write(chunk)
                size += len(chunk)
            spool.close()
        except BaseException:
            spool.discard()
            raise
        etag = f'"{spool.md5.hexdigest().upper()}"'
        return self.install(
            spool.path,
            bucket=bucket,
            key=key,
            size=size,
            etag=etag,
            content_type=content_type,
            modified_ms=modified_ms,
        )

    def put_bytes(
        self, bucket: str, key: str, data: bytes, *, content_type: str, modified_ms: int
    ) -> ObjectInfo:
        """Store ``data`` as an object synchronously (small objects, seeding)."""
        return self.put_chunks(
            bucket, key, [data], content_type=content_type, modified_ms=modified_ms
        )

    def install(self, data_file: Path, **fields: Any) -> ObjectInfo:
        """Make a finished data file the content of an object (an atomic replace).

        Args:
            data_file: A file inside the root (it is moved into place).
            **fields: The :class:`ObjectInfo` fields.
        """
        info = ObjectInfo(**fields)
        folder, name = self._location(info.bucket, info.key)
        folder.mkdir(parents=True, exist_ok=True)
        data = f"{name}.{uuid.uuid4().hex}"
        os.replace(data_file, folder / data)
        self._write_meta(folder / f"{name}.json", info, data)
        self._index(info, data)
        return info

    def stat(self, bucket: str, key: str) -> ObjectInfo | None:
        """The object's info, or None when there is no such object."""
        entry = self._entries.get(bucket, {}).get(key)
        return entry.info if entry else None

    def path(self, bucket: str, key: str) -> Path | None:
        """The object's data file (read-only; replaced, not rewritten, by a new put)."""
        entry = self._entries.get(bucket, {}).get(key)
        if entry is None:
            return None
        return self._location(bucket, key)[0] / entry.data

    def open(self, bucket: str, key: str) -> tuple[ObjectInfo, IO[bytes]] | None:
        """The object's info and its content opened for reading, or None."""
        entry = self._entries.get(bucket, {}).get(key)
        if entry is None:
            return None
        folder = self._location(bucket, key)[0]
        return entry.info, (folder / entry.data).open("rb")

    def list_objects(
        self,
        bucket: str,
        *,
        prefix: str = "",
        marker: str = "",
        limit: int | None = None,
    ) -> list[ObjectInfo]:
        """Objects with keys starting with ``prefix``, after ``marker``, in order.

        Args:
            bucket: The bucket.
            prefix: Only keys with this prefix.
            marker: Only keys greater than this one.
            limit: At most this many objects (all if None).
        """
        keys = self._keys.get(bucket, [])
        index = bisect.bisect_left(keys, prefix)
        if marker:
            index = max(index, bisect.bisect_right(keys, marker))
        found: list[ObjectInfo] = []
        entries = self._entries[bucket] if keys else {}
        while index < len(keys) and (limit is None or len(found) < limit):
            if not keys[index].startswith(prefix):
                break
            found.append(entries[keys[index]].info)
            index += 1
        return found

    def delete(self, bucket: str, key: str) -> bool:
        """Delete an object; False if there was none."""
        entry = self._entries.get(bucket, {}).pop(key, None)
        if entry is None:
            return False
        keys = self._keys[bucket]
        del keys[bisect.bisect_left(keys, key)]
        folder, name = self._location(bucket, key)
        (folder / f"{name}.json").unlink(missing_ok=True)
        (folder / entry.data).unlink(missing_ok=True)
        return True

    def delete_prefix(self, bucket: str, prefix: str) -> int:
        """Delete every object whose key starts with ``prefix``; how many there were."""
        doomed = [info.key for info in self.list_objects(bucket, prefix=prefix)]
        for key in doomed:
            self.delete(bucket, key)
        return len(doomed)

    def copy(
        self, bucket: str, key: str, to_bucket: str, to_key: str, *, modified_ms: int
    ) -> ObjectInfo:
        """Copy an object (a hard link where possible); KeyError if it is missing."""
        source = self.path(bucket, key)
        info = self.stat(bucket, key)
        if source is None or info is None:
            raise KeyError(f"{bucket}/{key}")
        temp = self.temp_path()
        try:
            os.link(source, temp)
        except OSError:
            shutil.copyfile(source, temp)
        fields = attrs.asdict(info) | {
            "bucket": to_bucket,
            "key": to_key,
            "modified_ms": modified_ms,
        }
        return self.install(temp, **fields)

    def move(
        self, bucket: str, key: str, to_bucket: str, to_key: str, *, modified_ms: int
    ) -> ObjectInfo:
        """Move an object to a new key; KeyError if it is missing."""
        moved = self.copy(bucket, key, to_bucket, to_key, modified_ms=modified_ms)
        if (bucket, key) != (to_bucket, to_key):
            self.delete(bucket, key)
        return moved

    def _location(self, bucket: str, key: str) -> tuple[Path, str]:
        _check_bucket(bucket)
        name = hashlib.sha256(key.encode()).hexdigest()
        return self.root / bucket / name[:2], name

    def _write_meta(self, path: Path, info: ObjectInfo, data: str) -> None:
        record = attrs.asdict(info) | {"data": data}
        temp = self.temp_path()
        temp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(temp, path)

    def _index(self, info: ObjectInfo, data: str) -> None:
        entries = self._entries.setdefault(info.bucket, {})
        old = entries.get(info.key)
        entries[info.key] = _Entry(info=info, data=data)
        if old is None:
            bisect.insort(self._keys.setdefault(info.bucket, []), info.key)
        elif old.data != data:
            folder = self._location(info.bucket, info.key)[0]
            (folder / old.data).unlink(missing_ok=True)

    def _load(self, root: Path) -> None:
        """Index the objects under ``root``; drop leftovers of unfinished writes."""
        root.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(root / ".tmp", ignore_errors=True)
        used: set[Path] = set()
        for meta in root.glob("*/*/*.json"):
            entry = _read_meta(meta)
            self._entries.setdefault(entry.info.bucket, {})[entry.info.key] = entry
            used.add(meta.parent / entry.data)
        for bucket, entries in self._entries.items():
            self._keys[bucket] = sorted(entries)
        for data_file in root.glob("*/*/*.*"):
            if data_file.suffix != ".json" and data_file not in used:
                data_file.unlink()


def _read_meta(meta: Path) -> _Entry:
    """The entry a metadata file describes; ObjectStoreError naming it if unreadable."""
    try:
        record = json.loads(meta.read_text(encoding="utf-8"))
        entry = _Entry(data=record.pop("data"), info=ObjectInfo(**record))
        if Path(entry.data).name != entry.data or entry.data.endswith(".json"):
            raise ValueError(f"bad data file name {entry.data!r}")
        return entry
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        message = f"{meta}: not an object metadata file ({exc!r})"
        raise ObjectStoreError(message) from None


def _check_bucket(bucket: str) -> None:
    if not _BUCKET.fullmatch(bucket):
        raise ValueError(f"not a bucket name: {bucket!r}")

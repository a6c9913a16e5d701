"""Streaming writes into the object store: the upload in progress and its spool file.

A :class:`PendingObject` gathers incoming chunks into 1 MiB batches and hands each to
a worker thread that writes it to a temporary file and updates the running MD5; the
event loop never waits on the disk and no object is ever held whole in memory.
:func:`iter_file` is the reading side: an open file read in chunks, each in a worker.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

import anyio

if TYPE_CHECKING:
    from aiompsls.emulator.objects import ObjectInfo, ObjectStore

__all__ = [
    "CHUNK_SIZE",
    "FLUSH_SIZE",
    "ObjectTooLargeError",
    "PendingObject",
    "Spool",
    "iter_file",
]

#: How many bytes a streamed read hands out at a time.
CHUNK_SIZE = 256 * 1024
#: How many bytes an upload gathers before a worker thread writes them.
FLUSH_SIZE = 1024 * 1024


class ObjectTooLargeError(Exception):
    """An upload went past its size limit; nothing was stored."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the upload exceeds {limit} bytes")
        self.size = size
        self.limit = limit


class Spool:
    """A temporary file being written, with the running MD5 (used in a worker)."""

    def __init__(self, path: Path) -> None:
        """Spool into ``path`` (created on the first write)."""
        self.path = path
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.file: IO[bytes] | None = None

    def write(self, data: bytes) -> None:
        """Append ``data`` (opening the file on first use) and update the MD5."""
        if self.file is None:
            self.file = self.path.open("wb")
        self.file.write(data)
        self.md5.update(data)

    def close(self) -> None:
        """Finish the file (an empty one if nothing was written)."""
        if self.file is None:
            self.path.touch()
        else:
            self.file.close()

    def discard(self) -> None:
        """Close and delete the file."""
        if self.file is not None:
            self.file.close()
        self.path.unlink(missing_ok=True)


class PendingObject:
    """An object being uploaded: nothing is visible until :meth:`commit`.

    Use it as an async context manager; leaving the block without a commit (an
    error, a cancellation) discards what was written.
    """

    def __init__(self, store: ObjectStore, bucket: str, key: str, limit: int | None):
        self._store = store
        self.bucket = bucket
        self.key = key
        self.limit = limit
        self.size = 0
        self._spool = Spool(store.temp_path())
        self._buffer = bytearray()
        self._done = False

    async def __aenter__(self) -> PendingObject:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.abort()

    async def write(self, chunk: bytes) -> None:
        """Add ``chunk``; ObjectTooLargeError (and nothing stored) past the limit."""
        self.size += len(chunk)
        if self.limit is not None and self.size > self.limit:
            await self.abort()
            raise ObjectTooLargeError(self.size, self.limit)
        self._buffer += chunk
        if len(self._buffer) >= FLUSH_SIZE:
            await self._flush()

    async def _flush(self) -> None:
        if not self._buffer:
            return
        data, self._buffer = bytes(self._buffer), bytearray()
        await anyio.to_thread.run_sync(self._spool.write, data)

    async def md5_hex(self) -> str:
        """The upper-case hex MD5 of everything written (flushes the batch)."""
        await self._flush()
        return self._spool.md5.hexdigest().upper()

    async def commit(self, *, content_type: str, modified_ms: int) -> ObjectInfo:
        """Make the object visible, replacing any object with its key."""
        digest = await self.md5_hex()
        await anyio.to_thread.run_sync(self._spool.close)
        self._done = True
        return self._store.install(
            self._spool.path,
            bucket=self.bucket,
            key=self.key,
            size=self.size,
            etag=f'"{digest}"',
            content_type=content_type,
            modified_ms=modified_ms,
        )

    async def abort(self) -> None:
        """Discard the upload (nothing happens after a commit).

        The file is closed and deleted on the loop's thread (both are quick), so
        this also works in a cancelled scope.
        """
        if not self._done:
            self._done = True
            self._buffer.clear()
            self._spool.discard()


async def iter_file(
    handle: IO[bytes], size: int = CHUNK_SIZE, *, limit: int | None = None
) -> AsyncIterator[bytes]:
    """Read an open file in ``size`` chunks, each read in a worker thread.

    Args:
        handle: The file, read from its current position.
        size: The most bytes one chunk holds.
        limit: Stop after this many bytes (the end of the file if None).
    """
    left = limit
    while left is None or left > 0:
        want = size if left is None else min(size, left)
        chunk = await anyio.to_thread.run_sync(handle.read, want)
        if not chunk:
            return
        if left is not None:
            left -= len(chunk)
        yield chunk

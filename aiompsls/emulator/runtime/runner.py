"""The emulator's function runtime: deployed packages run under Node.js.

One process per invocation; nothing is kept between invocations except each
deployment's unpacked package (unpacked once, on its first run, into a cache folder
of the runtime's own).
Invocations of one function run at most ``InstanceConcurrency`` at a time (one
emulated instance), all invocations at most ``max_processes`` at a time.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import tempfile
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import attrs

from aiompsls.emulator.runtime.collect import Limits
from aiompsls.emulator.runtime.model import Invocation, Outcome
from aiompsls.emulator.runtime.package import (
    PackageError,
    PackageLimits,
    extract_package,
)
from aiompsls.emulator.runtime.process import HarnessRun, run_harness

__all__ = ["FunctionRuntime", "NodeUnavailableError"]


class NodeUnavailableError(Exception):
    """``node`` is not installed (not on PATH) or cannot be started."""


def _find_node() -> str | None:
    return shutil.which("node")


def _unpack_fresh(package: Path, folder: Path, limits: PackageLimits) -> Path:
    """Unpack into ``folder``, replacing what an earlier runtime left there."""
    shutil.rmtree(folder, ignore_errors=True)
    return extract_package(package, folder, limits)


@attrs.define(kw_only=True, eq=False)
class FunctionRuntime:
    """Runs deployed functions under Node.js.

    Attributes:
        node: The ``node`` executable; found on PATH by default, None when absent
            (every invocation then raises :class:`NodeUnavailableError`).
        cache_dir: Where unpacked packages go; a private temporary folder
            (removed by :meth:`close`) when None.
        max_processes: The most Node.js processes running at once.
        startup_timeout_s: How long loading a function's module may take.
        package_limits: What a package may hold.
    """

    node: str | None = attrs.Factory(_find_node)
    cache_dir: Path | None = None
    max_processes: int = 16
    startup_timeout_s: float = 10.0
    package_limits: PackageLimits = attrs.Factory(PackageLimits)
    _entries: dict[str, Path] = attrs.field(init=False, factory=dict)
    _locks: dict[str, asyncio.Lock] = attrs.field(init=False, factory=dict)
    _instances: dict[tuple[str, str], tuple[int, asyncio.Semaphore]] = attrs.field(
        init=False, factory=dict
    )
    _slots: asyncio.Semaphore | None = attrs.field(init=False, default=None)
    _cleanup: Callable[[], object] | None = attrs.field(init=False, default=None)

    @property
    def available(self) -> bool:
        """Whether a ``node`` executable is known."""
        return self.node is not None

    async def invoke(self, invocation: Invocation) -> Outcome:
        """Run one invocation to its end.

        Raises:
            NodeUnavailableError: No ``node`` to run it with.
            PackageError: The package is missing, unsafe or has no entry file.
        """
        node = self._require_node()
        entry = await self.prepare(invocation.package, invocation.package_key)
        run = HarnessRun(
            node=node,
            entry=entry,
            code_dir=entry.parent,
            event=invocation.event,
            context={
                "requestId": invocation.request_id,
                "functionName": invocation.function_name,
                "spaceId": invocation.space_id,
            },
            limits=Limits(
                timeout_s=invocation.timeout_s,
                memory_mb=invocation.memory_mb,
                startup_timeout_s=self.startup_timeout_s,
            ),
        )
        async with self._instance(invocation), self._process_slot():
            try:
                return await run_harness(run)
            except OSError as exc:
                raise NodeUnavailableError(
                    f"node could not be started: {exc}"
                ) from None

    def _require_node(self) -> str:
        if self.node is None:
            raise NodeUnavailableError("node is not installed (not found on PATH).")
        return self.node

    async def prepare(self, package: Path, key: str) -> Path:
        """The entry file of a package, unpacking it on first use.

        The package is unpacked once per ``key`` and content version (size and
        modification time), in a worker thread.

        Raises:
            PackageError: The package is missing, unsafe or has no entry file.
        """
        try:
            info = await asyncio.to_thread(package.stat)
        except OSError:
            raise PackageError("The deployment's package is missing.") from None
        version = f"{key}\x00{info.st_size}\x00{info.st_mtime_ns}"
        lock = self._locks.setdefault(version, asyncio.Lock())
        async with lock:
            if version not in self._entries:
                folder = (
                    self._cache_root() / hashlib.sha256(version.encode()).hexdigest()
                )
                self._entries[version] = await asyncio.to_thread(
                    _unpack_fresh, package, folder, self.package_limits
                )
        return self._entries[version]

    def _cache_root(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        folder = Path(tempfile.mkdtemp(prefix="aiompsls-functions-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, folder, True)
        self.cache_dir = folder
        return folder

    @asynccontextmanager
    async def _instance(self, invocation: Invocation) -> AsyncIterator[None]:
        key = (invocation.space_id, invocation.function_name)
        size = max(1, invocation.concurrency)
        current = self._instances.get(key)
        if current is None or current[0] != size:
            current = (size, asyncio.Semaphore(size))
            self._instances[key] = current
        async with current[1]:
            yield

    @asynccontextmanager
    async def _process_slot(self) -> AsyncIterator[None]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_processes)
        async with self._slots:
            yield

    def forget(self, package_key: str) -> None:
        """Drop the unpacked copies of ``package_key``, or of every key under it.

        ``space/deployment`` names one deployment's package; ``space/`` ends with
        ``/`` and names all of a space's. A function that runs again is unpacked anew.
        """
        exact = package_key if package_key.endswith("/") else package_key + "\x00"
        for version in [v for v in self._entries if v.startswith(exact)]:
            del self._entries[version]
            self._locks.pop(version, None)
            if self.cache_dir is not None:
                digest = hashlib.sha256(version.encode()).hexdigest()
                shutil.rmtree(self.cache_dir / digest, ignore_errors=True)

    def close(self) -> None:
        """Remove the private cache folder and forget every unpacked package."""
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None
            self.cache_dir = None
        self._entries.clear()
        self._locks.clear()

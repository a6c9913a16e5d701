"""Stream a large object through the emulator's OSS side and watch its memory.

Starts ``python -m aiompsls.emulator serve --memory`` in its own process, asks the
API for a file storage upload URL, PUTs ``--size`` bytes to it (chunked, never held
whole), registers the file, GETs it back and checks the MD5 against the ETag. Meanwhile
the emulator's resident set size (``VmRSS`` in ``/proc/<pid>/status``, Linux only) is
sampled; the figure reported is the peak minus the size before the upload.

    python benchmarks/bench_oss_stream.py [--size-mib 1024] [--check]

``--check`` exits 1 when the growth reaches 64 MB (the issue's bound).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp

import aiompsls

CHUNK = 1024 * 1024
LIMIT_MB = 64.0


def rss_mb(pid: int) -> float:
    """The process's resident set size in MB (2**20 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS line")


class Sampler:
    """Samples a process's RSS every few milliseconds and keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss_mb(pid)

    async def run(self) -> None:
        """Sample until cancelled."""
        while True:
            self.peak = max(self.peak, rss_mb(self.pid))
            await asyncio.sleep(0.02)


async def body(size: int, digest: Any) -> AsyncIterator[bytes]:
    """``size`` bytes of a repeating pattern, one MiB at a time, hashed on the way."""
    block = bytes(range(256)) * (CHUNK // 256)
    sent = 0
    while sent < size:
        chunk = block[: min(CHUNK, size - sent)]
        digest.update(chunk)
        sent += len(chunk)
        yield chunk


async def transfer(announced: dict[str, str], size: int) -> dict[str, float]:
    """Upload and download ``size`` bytes; the speeds in MiB/s."""
    creds = aiompsls.Credentials(
        access_key_id=announced["access_key_id"],
        access_key_secret=announced["access_key_secret"],
    )
    config = aiompsls.ClientConfig(endpoint=announced["endpoint"])
    async with (
        aiompsls.Client(creds, config=config) as client,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as http,
    ):
        space = (await client.create_space(name="bench", desc="oss stream")).space_id
        upload = await client.describe_file_upload_signed_url(
            space_id=space,
            content_type="application/octet-stream",
            filename="big",
            size=size,
        )
        sent = hashlib.md5(usedforsecurity=False)
        started = time.perf_counter()
        headers = {"Content-Type": "application/octet-stream"}
        async with http.put(
            upload.sign_url, data=body(size, sent), headers=headers
        ) as put:
            assert put.status == 200, await put.text()
            etag = put.headers["ETag"]
        uploaded = time.perf_counter()
        await client.register_file(space_id=space, id=upload.id)
        (item,) = (await client.list_file(space_id=space)).data_list
        assert item.url is not None
        received = hashlib.md5(usedforsecurity=False)
        async with http.get(item.url) as got:
            async for chunk in got.content.iter_chunked(CHUNK):
                received.update(chunk)
        downloaded = time.perf_counter()
    assert etag == f'"{sent.hexdigest().upper()}"', "the ETag is not the MD5"
    assert received.digest() == sent.digest(), "the download differs"
    mib = size / CHUNK
    return {
        "upload_mib_s": mib / (uploaded - started),
        "download_mib_s": mib / (downloaded - uploaded),
    }


async def measure(pid: int, announced: dict[str, str], size: int) -> dict[str, float]:
    """Transfer ``size`` bytes through the emulator ``pid`` while sampling its RSS."""
    before = rss_mb(pid)
    sampler = Sampler(pid)
    watching = asyncio.create_task(sampler.run())
    try:
        speeds = await transfer(announced, size)
    finally:
        watching.cancel()
    return {
        "size_mib": size / CHUNK,
        "rss_before_mb": before,
        "rss_peak_mb": sampler.peak,
        "rss_growth_mb": sampler.peak - before,
        **speeds,
    }


def run(size: int) -> dict[str, float]:
    """Start an emulator process, measure, stop it."""
    command = [sys.executable, "-m", "aiompsls.emulator", "serve", "--port", "0"]
    command.append("--memory")  # objects in a temporary folder, removed at exit
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        announced = json.loads(process.stdout.readline())
        return asyncio.run(measure(process.pid, announced, size))
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="object size")
    parser.add_argument("--check", action="store_true", help=f"fail at {LIMIT_MB} MB")
    args = parser.parse_args(argv)
    figures = run(args.size_mib * CHUNK)
    print(json.dumps({k: round(v, 1) for k, v in figures.items()}, indent=2))
    if args.check and figures["rss_growth_mb"] >= LIMIT_MB:
        print(f"RSS grew by {figures['rss_growth_mb']:.1f} MB (limit {LIMIT_MB})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""ListSpace against a local emulator: aiompsls, the official SDK and bare aiohttp.

Each client makes ``--calls`` ListSpace calls sequentially and at ``--concurrency``,
over HTTP and over HTTPS, against one emulator per scheme running in its own process,
in ``--rounds`` rounds (the clients take turns, in a rotating order). Per phase it
reports wall-clock calls/s, client-process CPU time per call and failed calls, then
the ratios (within each round; the median over the rounds) and the acceptance targets
of issue 2. See README.md.

Run: ``python benchmarks/bench_list_space.py [--calls N] [--concurrency N] ...``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
from _drivers import Driver, official_sdk_problem, open_driver, seed_spaces
from _report import (
    AIOMPSLS,
    BARE,
    OFFICIAL,
    PhaseResult,
    check_targets,
    phase_table,
    ratios,
    target_table,
)
from _servers import Server, emulator_process

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "list_space.json"
MIN_WARMUP = 8


@attrs.define
class Tally:
    """Failures seen while driving calls."""

    failed: int = 0
    errors: Counter[str] = attrs.field(factory=Counter)
    first_error: str | None = None

    def record(self, exc: Exception) -> None:
        """Count one failed call."""
        self.failed += 1
        self.errors[type(exc).__name__] += 1
        if self.first_error is None:
            self.first_error = repr(exc)[:500]


async def drive(driver: Driver, calls: int, concurrency: int) -> Tally:
    """Make ``calls`` calls on ``concurrency`` workers; count failures, never raise."""
    tally = Tally()
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            try:
                await driver.call()
            except Exception as exc:  # a measurement: count it and go on
                tally.record(exc)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, calls))))
    return tally


async def run_phase(
    driver: Driver, scheme: str, calls: int, concurrency: int, round_no: int
) -> PhaseResult:
    """Warm up, then time ``calls`` calls (wall clock and process CPU)."""
    warmup = max(MIN_WARMUP, concurrency)
    driver.prepare(warmup + calls)
    await drive(driver, warmup, concurrency)
    gc.collect()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    tally = await drive(driver, calls, concurrency)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return PhaseResult(
        client=driver.name,
        scheme=scheme,
        concurrency=concurrency,
        calls=calls,
        failed=tally.failed,
        wall_s=wall,
        cpu_s=cpu,
        errors=dict(tally.errors),
        first_error=tally.first_error,
        round=round_no,
    )


def calls_for(client: str, scheme: str, args: argparse.Namespace) -> int:
    """The calls per phase: the official SDK over HTTPS is capped (it is slow)."""
    if client == OFFICIAL and scheme == "https":
        return int(min(args.calls, args.official_https_calls))
    return int(args.calls)


async def run_scheme(
    server: Server, clients: Sequence[str], args: argparse.Namespace
) -> list[PhaseResult]:
    """Every phase of every client against one emulator."""
    await seed_spaces(server, args.spaces)
    results: list[PhaseResult] = []
    for round_no in range(1, args.rounds + 1):
        turn = (round_no - 1) % len(clients)
        for client in [*clients[turn:], *clients[:turn]]:
            results += await _client_phases(server, client, round_no, args)
    return results


async def _client_phases(
    server: Server, client: str, round_no: int, args: argparse.Namespace
) -> list[PhaseResult]:
    """One client's sequential and concurrent phases of one round."""
    calls = calls_for(client, server.scheme, args)
    results = []
    async with open_driver(client, server) as driver:
        for concurrency in (1, args.concurrency):
            result = await run_phase(
                driver, server.scheme, calls, concurrency, round_no
            )
            print(_progress(result), flush=True)
            results.append(result)
    return results


def _progress(r: PhaseResult) -> str:
    return (
        f"  round {r.round} {r.scheme:5} {r.mode:10} {r.client:13}"
        f" {r.calls_per_s:9.1f} calls/s"
        f" {r.cpu_us_per_call:9.1f} µs CPU/call  failed {r.failed}"
        + (f"  first error: {r.first_error}" if r.first_error else "")
    )


def choose_clients(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """The clients to run and notes about the ones left out."""
    if args.skip_official:
        return [AIOMPSLS, BARE], ["official SDK skipped (--skip-official)"]
    problem = official_sdk_problem()
    if problem is not None:
        note = f"official SDK not importable ({problem}); skipped"
        return [AIOMPSLS, BARE], [note]
    return [AIOMPSLS, OFFICIAL, BARE], []


def notes_for(args: argparse.Namespace, clients: Sequence[str]) -> list[str]:
    """How to read the figures."""
    notes = [
        "CPU/call = time.process_time() of the client process over the timed"
        " calls; the emulator runs in another process and is not counted.",
        "calls/s counts failed calls too; CPU/call divides by all calls.",
        f"each phase ran in {args.rounds} rounds, the clients taking turns; the"
        " table pools the rounds, a ratio is the median of the ratios within"
        " each round.",
        f"each phase starts with max({MIN_WARMUP}, concurrency) untimed warm-up"
        " calls at the phase's concurrency.",
    ]
    capped = calls_for(OFFICIAL, "https", args)
    if OFFICIAL in clients and capped < args.calls and args.only != "http":
        notes.append(
            f"the official SDK's HTTPS phases make {capped} calls, not"
            f" {args.calls} (--official-https-calls): it builds a TLS context per"
            " call. Rates are per call, so the ratios stay comparable."
        )
    return notes


def environment() -> dict[str, Any]:
    """Versions and machine facts stored beside the figures."""

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "versions": {
            dist: version(dist)
            for dist in (
                "aiompsls",
                "aiohttp",
                "alibabacloud-mpserverless20190615",
                "alibabacloud-tea-openapi",
                "darabonba-core",
            )
        },
    }


def report(
    results: Sequence[PhaseResult], args: argparse.Namespace, notes: list[str]
) -> dict[str, Any]:
    """Print the table, notes and targets; return everything as a JSON document."""
    checks = check_targets(results, args.concurrency)
    print()
    print("\n".join(phase_table(results)))
    print("\n".join(f"note: {n}" for n in notes))
    print()
    print(f"targets (issue 2, at concurrency {args.concurrency}):")
    print("\n".join(target_table(checks)))
    phases = sorted({(r.scheme, r.concurrency) for r in results})
    return {
        "environment": environment(),
        "options": {k: v for k, v in vars(args).items() if k != "out"},
        "notes": notes,
        "results": [r.as_json() for r in results],
        "ratios": [attrs.asdict(ratios(results, s, c)) for s, c in phases],
        "targets": [attrs.asdict(c) for c in checks],
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=2000, help="calls per phase")
    p.add_argument("--concurrency", type=int, default=64, help="concurrent phase")
    p.add_argument(
        "--rounds", type=int, default=5, help="rounds of every phase (default 5)"
    )
    p.add_argument("--only", choices=("http", "https"), help="run one scheme only")
    p.add_argument("--skip-official", action="store_true", help="leave the SDK out")
    p.add_argument(
        "--official-https-calls",
        type=int,
        default=200,
        help="cap of the official SDK's calls per HTTPS phase (default 200)",
    )
    p.add_argument("--spaces", type=int, default=3, help="spaces ListSpace returns")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    p.add_argument(
        "--check", action="store_true", help="exit 1 when a target is missed"
    )
    args = p.parse_args(argv)
    for name in ("calls", "concurrency", "rounds", "official_https_calls"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every phase, print and save the figures; see ``--check``."""
    args = parse_args(argv)
    clients, notes = choose_clients(args)
    schemes = [args.only] if args.only else ["http", "https"]
    results: list[PhaseResult] = []
    with tempfile.TemporaryDirectory(prefix="bench-list-space-") as tmp:
        for scheme in schemes:
            with emulator_process(scheme, Path(tmp)) as server:
                print(f"{scheme}: emulator at {server.endpoint}", flush=True)
                results += asyncio.run(run_scheme(server, clients, args))
    document = report(results, args, notes + notes_for(args, clients))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2, default=str) + "\n")
    print(f"\nsaved {args.out}")
    failed = any(c["status"] == "FAIL" for c in document["targets"])
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())

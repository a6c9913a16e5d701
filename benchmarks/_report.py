"""Figures of the ListSpace benchmark: one result per phase, ratios, targets, table.

Pure functions over :class:`PhaseResult`; nothing here measures or does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import attrs

AIOMPSLS = "aiompsls"
OFFICIAL = "official"
BARE = "bare-aiohttp"
CLIENTS = (AIOMPSLS, OFFICIAL, BARE)

Status = Literal["PASS", "FAIL", "SKIP"]


@attrs.frozen(kw_only=True)
class PhaseResult:
    """What one client did in one measured phase.

    Attributes:
        client: ``aiompsls``, ``official`` or ``bare-aiohttp``.
        scheme: ``http`` or ``https``.
        concurrency: Calls in flight at once (1 is the sequential phase).
        calls: Calls made in the timed region, failed ones included.
        failed: Calls that raised.
        wall_s: Wall-clock seconds of the timed region.
        cpu_s: ``time.process_time()`` seconds the client process spent in it.
        errors: Exception type name -> count.
        first_error: The first exception, as ``repr``.
    """

    client: str
    scheme: str
    concurrency: int
    calls: int
    failed: int
    wall_s: float
    cpu_s: float
    errors: dict[str, int] = attrs.field(factory=dict)
    first_error: str | None = None

    @property
    def mode(self) -> str:
        """``sequential`` or ``c<N>``."""
        return "sequential" if self.concurrency == 1 else f"c{self.concurrency}"

    @property
    def calls_per_s(self) -> float:
        """Calls (failed ones included) per wall-clock second."""
        return self.calls / self.wall_s if self.wall_s else 0.0

    @property
    def ok_per_s(self) -> float:
        """Successful calls per wall-clock second."""
        return (self.calls - self.failed) / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_us_per_call(self) -> float:
        """Client-process CPU microseconds per call (failed ones included)."""
        return self.cpu_s / self.calls * 1e6 if self.calls else 0.0

    def as_json(self) -> dict[str, Any]:
        """The stored fields plus the derived rates."""
        return {
            **attrs.asdict(self),
            "mode": self.mode,
            "calls_per_s": self.calls_per_s,
            "ok_per_s": self.ok_per_s,
            "cpu_us_per_call": self.cpu_us_per_call,
        }


@attrs.frozen(kw_only=True)
class Ratios:
    """aiompsls against the others in one (scheme, concurrency) phase; None if absent.

    Attributes:
        cpu_vs_official: aiompsls CPU/call ÷ official SDK CPU/call.
        cpu_vs_bare: aiompsls CPU/call ÷ bare aiohttp CPU/call.
        rate_vs_official: aiompsls calls/s ÷ official SDK calls/s.
    """

    scheme: str
    concurrency: int
    cpu_vs_official: float | None
    cpu_vs_bare: float | None
    rate_vs_official: float | None


@attrs.frozen(kw_only=True)
class TargetCheck:
    """One acceptance target of the issue and whether it held."""

    name: str
    value: float | None
    limit: str
    status: Status


def _find(
    results: Iterable[PhaseResult], client: str, scheme: str, concurrency: int
) -> PhaseResult | None:
    for r in results:
        if (r.client, r.scheme, r.concurrency) == (client, scheme, concurrency):
            return r
    return None


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def ratios(results: Sequence[PhaseResult], scheme: str, concurrency: int) -> Ratios:
    """The aiompsls ratios of one phase (None where a client did not run)."""
    ours = _find(results, AIOMPSLS, scheme, concurrency)
    official = _find(results, OFFICIAL, scheme, concurrency)
    bare = _find(results, BARE, scheme, concurrency)

    def cpu(r: PhaseResult | None) -> float | None:
        return r.cpu_us_per_call if r else None

    def rate(r: PhaseResult | None) -> float | None:
        return r.calls_per_s if r else None

    return Ratios(
        scheme=scheme,
        concurrency=concurrency,
        cpu_vs_official=_div(cpu(ours), cpu(official)),
        cpu_vs_bare=_div(cpu(ours), cpu(bare)),
        rate_vs_official=_div(rate(ours), rate(official)),
    )


def _check(name: str, value: float | None, limit: str, ok: bool) -> TargetCheck:
    if value is None:
        return TargetCheck(name=name, value=None, limit=limit, status="SKIP")
    return TargetCheck(
        name=name, value=value, limit=limit, status="PASS" if ok else "FAIL"
    )


def check_targets(
    results: Sequence[PhaseResult], concurrency: int
) -> list[TargetCheck]:
    """The issue's acceptance targets, evaluated at ``concurrency``."""
    http = ratios(results, "http", concurrency)
    https = ratios(results, "https", concurrency)
    ours_https = _find(results, AIOMPSLS, "https", concurrency)
    c = f"c{concurrency}"
    checks = [
        _check(
            f"http {c}: aiompsls CPU/call ÷ official",
            http.cpu_vs_official,
            "<= 0.40",
            http.cpu_vs_official is not None and http.cpu_vs_official <= 0.4,
        ),
        _check(
            f"http {c}: aiompsls CPU/call ÷ bare aiohttp",
            http.cpu_vs_bare,
            "<= 1.30",
            http.cpu_vs_bare is not None and http.cpu_vs_bare <= 1.3,
        ),
        _check(
            f"https {c}: aiompsls calls/s ÷ official",
            https.rate_vs_official,
            ">= 10",
            https.rate_vs_official is not None and https.rate_vs_official >= 10,
        ),
    ]
    failed = None if ours_https is None else float(ours_https.failed)
    checks.append(
        _check(f"https {c}: aiompsls failed calls", failed, "== 0", failed == 0)
    )
    return checks


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def phase_table(results: Sequence[PhaseResult]) -> list[str]:
    """One line per phase, grouped by scheme and concurrency, then the ratios."""
    head = (
        f"{'scheme':6} {'mode':10} {'client':13} {'calls':>6} {'failed':>6}"
        f" {'wall s':>8} {'calls/s':>9} {'CPU µs/call':>12}"
    )
    lines = [head, "-" * len(head)]
    for scheme, concurrency in _phases(results):
        for client in CLIENTS:
            r = _find(results, client, scheme, concurrency)
            if r is not None:
                lines.append(
                    f"{scheme:6} {r.mode:10} {client:13} {r.calls:>6} {r.failed:>6}"
                    f" {r.wall_s:>8.3f} {r.calls_per_s:>9.1f}"
                    f" {r.cpu_us_per_call:>12.1f}"
                )
        q = ratios(results, scheme, concurrency)
        lines.append(
            f"{'':6} {'':10} ratios: CPU/call aiompsls÷official"
            f" {_fmt(q.cpu_vs_official, '.3f')}, aiompsls÷bare"
            f" {_fmt(q.cpu_vs_bare, '.3f')}; calls/s aiompsls÷official"
            f" {_fmt(q.rate_vs_official, '.1f')}"
        )
        lines.append("")
    return lines


def target_table(checks: Sequence[TargetCheck]) -> list[str]:
    """One line per target: status, name, measured value and limit."""
    return [
        f"{c.status:4}  {c.name:42} {_fmt(c.value, '.3f'):>9}  (target {c.limit})"
        for c in checks
    ]


def _phases(results: Iterable[PhaseResult]) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    for r in results:
        if (r.scheme, r.concurrency) not in seen:
            seen.append((r.scheme, r.concurrency))
    return seen

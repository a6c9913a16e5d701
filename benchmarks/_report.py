"""Figures of the ListSpace benchmark: one result per phase, ratios, targets, table.

A run repeats every phase in rounds. The table pools each client's rounds (sums of
calls, time and failures); a ratio is computed within each round, where both clients
met the same machine conditions, and reported as the median over the rounds.
Pure functions over :class:`PhaseResult`; nothing here measures or does I/O.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
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
        round: Which round of the run it belongs to (from 1; 0 for pooled rounds).
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
    round: int = 1

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

    Each value is the median over the rounds of the ratio within a round.

    Attributes:
        cpu_vs_official: aiompsls CPU/call ÷ official SDK CPU/call.
        cpu_vs_bare: aiompsls CPU/call ÷ bare aiohttp CPU/call.
        rate_vs_official: aiompsls calls/s ÷ official SDK calls/s.
        cpu_vs_bare_rounds: ``cpu_vs_bare`` of each round, in round order.
    """

    scheme: str
    concurrency: int
    cpu_vs_official: float | None
    cpu_vs_bare: float | None
    rate_vs_official: float | None
    cpu_vs_bare_rounds: tuple[float, ...] = ()


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
    """The client's rounds of one phase pooled into one result; None if it never ran."""
    found = [
        r
        for r in results
        if (r.client, r.scheme, r.concurrency) == (client, scheme, concurrency)
    ]
    if not found:
        return None
    errors: dict[str, int] = {}
    for r in found:
        for name, count in r.errors.items():
            errors[name] = errors.get(name, 0) + count
    return PhaseResult(
        client=client,
        scheme=scheme,
        concurrency=concurrency,
        calls=sum(r.calls for r in found),
        failed=sum(r.failed for r in found),
        wall_s=sum(r.wall_s for r in found),
        cpu_s=sum(r.cpu_s for r in found),
        errors=errors,
        first_error=next((r.first_error for r in found if r.first_error), None),
        round=found[0].round if len(found) == 1 else 0,
    )


def _per_round(
    results: Sequence[PhaseResult],
    scheme: str,
    concurrency: int,
    ratio: Callable[[PhaseResult, PhaseResult], float],
    ours: str,
    theirs: str,
) -> list[float]:
    """``ratio(ours, theirs)`` in each round where both clients ran the phase."""
    values = []
    for number in sorted({r.round for r in results}):
        in_round = [r for r in results if r.round == number]
        a = _find(in_round, ours, scheme, concurrency)
        b = _find(in_round, theirs, scheme, concurrency)
        if a is not None and b is not None:
            values.append(ratio(a, b))
    return values


def _cpu_ratio(a: PhaseResult, b: PhaseResult) -> float:
    return a.cpu_us_per_call / b.cpu_us_per_call if b.cpu_us_per_call else 0.0


def _rate_ratio(a: PhaseResult, b: PhaseResult) -> float:
    return a.calls_per_s / b.calls_per_s if b.calls_per_s else 0.0


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def ratios(results: Sequence[PhaseResult], scheme: str, concurrency: int) -> Ratios:
    """The aiompsls ratios of one phase (None where a client did not run)."""

    def per_round(
        ratio: Callable[[PhaseResult, PhaseResult], float], theirs: str
    ) -> list[float]:
        return _per_round(results, scheme, concurrency, ratio, AIOMPSLS, theirs)

    vs_bare = per_round(_cpu_ratio, BARE)
    return Ratios(
        scheme=scheme,
        concurrency=concurrency,
        cpu_vs_official=_median(per_round(_cpu_ratio, OFFICIAL)),
        cpu_vs_bare=_median(vs_bare),
        rate_vs_official=_median(per_round(_rate_ratio, OFFICIAL)),
        cpu_vs_bare_rounds=tuple(vs_bare),
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
        if len(q.cpu_vs_bare_rounds) > 1:
            each = " ".join(f"{v:.3f}" for v in q.cpu_vs_bare_rounds)
            lines.append(f"{'':6} {'':10} aiompsls÷bare CPU/call by round: {each}")
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

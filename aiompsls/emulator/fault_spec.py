"""Fault plans as text: the compact ``--faults`` grammar and the admin endpoint's JSON.

The grammar (``aiompsls emulator serve --faults SPEC`` and the environment variable
``AIOMPSLS_EMULATOR_FAULTS``) is a comma-separated list of items; blanks around items
are ignored and an empty spec means no faults::

    item     = [Action "."] setting "=" value
    setting  = throttle | unavailable | internal | reset_before | reset_after
             | latency | seed
    rate     = a number from 0 to 1, or a percentage: 0.05, 5%
    latency  = duration [("±" | "+-") duration]     20ms±10ms, 1s+-250ms
    duration = number ("ms" | "s")
    seed     = an integer (for the whole plan only; 0 by default)

A setting without an action applies to every call; ``Action.setting`` (a wire action
name, e.g. ``ListSpace.throttle=0.5``) overrides it for that action. Each setting is
given once per scope, and the rates of a scope add up to at most 1. Example::

    seed=7,throttle=0.1,unavailable=0.05,internal=0.02,reset_before=0.01,
    reset_after=0.01,latency=20ms±10ms,ListSpace.throttle=0.5

The JSON form has the same settings, latency in milliseconds, per-action settings
under ``actions``; every key is optional::

    {"seed": 7, "throttle": 0.1, "latency_ms": 20, "jitter_ms": 10,
     "actions": {"ListSpace": {"throttle": 0.5}}}
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from aiompsls._core.operations import OPERATIONS
from aiompsls.emulator.faults import (
    FAULT_KINDS,
    FaultPlan,
    FaultSettings,
    FaultSpecError,
    Latency,
)

__all__ = ["format_faults", "parse_faults", "plan_from_json", "plan_to_json"]

_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)", re.ASCII)
_JITTER_SEPARATORS: Final = ("±", "+-")
_JSON_SETTINGS: Final = frozenset({*FAULT_KINDS, "latency_ms", "jitter_ms"})


def parse_faults(spec: str) -> FaultPlan:
    """Read a fault spec in the ``--faults`` grammar (see the module docstring).

    Args:
        spec: The spec text.

    Returns:
        The plan.

    Raises:
        FaultSpecError: The spec is invalid; the message quotes the bad item.
    """
    scopes: dict[str, dict[str, Any]] = {}  # "" is the scope of every call
    if spec.strip():
        for item in spec.split(","):
            _add(scopes, item.strip())
    top = scopes.pop("", {})
    seed = top.pop("seed", 0)
    actions = {name: FaultSettings(**values) for name, values in scopes.items()}
    return FaultPlan(seed=seed, default=FaultSettings(**top), actions=actions)


def _add(scopes: dict[str, dict[str, Any]], item: str) -> None:
    try:
        scope, key, value = _parse_item(item)
    except FaultSpecError as exc:
        raise FaultSpecError(f"fault spec item {item!r}: {exc}") from None
    values = scopes.setdefault(scope, {})
    if key in values:
        where = f" for {scope}" if scope else ""
        raise FaultSpecError(f"fault spec item {item!r}: {key} is set twice{where}")
    values[key] = value


def _parse_item(item: str) -> tuple[str, str, Any]:
    if not item:
        raise FaultSpecError("an empty item (a stray comma?)")
    name, equals, text = item.partition("=")
    if not equals:
        raise FaultSpecError("expected SETTING=VALUE or Action.SETTING=VALUE")
    scope, dot, key = name.strip().rpartition(".")
    if dot and not scope:
        raise FaultSpecError("the action name before the dot is missing")
    reader = _READERS.get(key)
    if reader is None:
        raise FaultSpecError(f"unknown setting {key!r}; one of {', '.join(_READERS)}")
    if scope and key == "seed":
        raise FaultSpecError("the seed belongs to the whole plan, not to one action")
    if scope and scope not in OPERATIONS:
        raise FaultSpecError(f"unknown action {scope!r}")
    return scope, key, reader(text.strip())


def _read_number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultSpecError(f"{what} must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise FaultSpecError(f"{what} must be a finite number, got {text!r}")
    return value


def _read_rate(text: str) -> float:
    percent = text.endswith("%")
    number = _read_number(text.removesuffix("%").strip(), "a rate")
    value = number / 100 if percent else number
    if not 0.0 <= value <= 1.0:
        raise FaultSpecError(
            f"a rate must be from 0 to 1 (or 0% to 100%), got {text!r}"
        )
    return value


def _read_duration(text: str) -> float:
    match = _DURATION.fullmatch(text)
    if match is None:
        raise FaultSpecError(
            f"a duration is a number with the unit ms or s (20ms, 1.5s), got {text!r}"
        )
    number = float(match[1])
    return number / 1000 if match[2] == "ms" else number


def _read_latency(text: str) -> Latency:
    for separator in _JITTER_SEPARATORS:
        base, found, jitter = text.partition(separator)
        if found:
            return Latency(
                base=_read_duration(base.strip()), jitter=_read_duration(jitter.strip())
            )
    return Latency(base=_read_duration(text))


def _read_seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise FaultSpecError(f"the seed must be an integer, got {text!r}") from None


_READERS: Final[dict[str, Callable[[str], object]]] = {
    **dict.fromkeys(FAULT_KINDS, _read_rate),
    "latency": _read_latency,
    "seed": _read_seed,
}


def format_faults(plan: FaultPlan) -> str:
    """``plan`` in the ``--faults`` grammar; :func:`parse_faults` reads it back.

    Zero rates and no latency of the global scope are left out; an action's settings
    are all written, zeros too, since they override the global ones.
    """
    items = [f"seed={plan.seed}", *_format_scope(plan.default, "", skip_zero=True)]
    for action, settings in plan.actions.items():
        items += _format_scope(settings, f"{action}.", skip_zero=False)
    return ",".join(items)


def _format_scope(
    settings: FaultSettings, prefix: str, *, skip_zero: bool
) -> list[str]:
    items = []
    for kind in FAULT_KINDS:
        value = getattr(settings, kind)
        if value is not None and not (skip_zero and value == 0):
            items.append(f"{prefix}{kind}={_format_number(value)}")
    latency = settings.latency
    if latency is not None and not (skip_zero and latency.base == 0):
        text = _format_duration(latency.base)
        if latency.jitter:
            text += f"±{_format_duration(latency.jitter)}"
        items.append(f"{prefix}latency={text}")
    return items


def _format_number(value: float) -> str:
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _format_duration(seconds: float) -> str:
    millis = f"{seconds * 1000:g}"
    return f"{millis}ms" if float(millis) / 1000 == seconds else f"{seconds!r}s"


def plan_to_json(plan: FaultPlan) -> dict[str, Any]:
    """``plan`` in the admin endpoint's JSON form; :func:`plan_from_json` reads it."""
    actions = {name: _settings_json(s) for name, s in plan.actions.items()}
    return {"seed": plan.seed, **_settings_json(plan.default), "actions": actions}


def _settings_json(settings: FaultSettings) -> dict[str, float]:
    out: dict[str, float] = {}
    for kind in FAULT_KINDS:
        value = getattr(settings, kind)
        if value is not None:
            out[kind] = value
    if settings.latency is not None:
        out["latency_ms"] = round(settings.latency.base * 1000, 6)
        out["jitter_ms"] = round(settings.latency.jitter * 1000, 6)
    return out


def plan_from_json(data: object) -> FaultPlan:
    """Read the admin endpoint's JSON form of a plan.

    Args:
        data: The decoded JSON.

    Returns:
        The plan.

    Raises:
        FaultSpecError: ``data`` is not a valid plan; the message names the key.
    """
    top = _object(data, "the fault plan")
    _only(top, {"seed", "actions", *_JSON_SETTINGS}, "the fault plan")
    actions = _object(top.get("actions", {}), "actions")
    return FaultPlan(
        seed=top.get("seed", 0),
        default=_settings_from_json(top, "the fault plan"),
        actions={
            name: _action_settings(value, f"actions.{name}")
            for name, value in actions.items()
        },
    )


def _action_settings(value: object, where: str) -> FaultSettings:
    settings = _object(value, where)
    _only(settings, _JSON_SETTINGS, where)
    return _settings_from_json(settings, where)


def _settings_from_json(obj: Mapping[str, Any], where: str) -> FaultSettings:
    rates = {kind: obj[kind] for kind in FAULT_KINDS if obj.get(kind) is not None}
    try:
        return FaultSettings(**rates, latency=_latency_from_json(obj))
    except FaultSpecError as exc:
        raise FaultSpecError(f"{where}: {exc}") from None


def _latency_from_json(obj: Mapping[str, Any]) -> Latency | None:
    if obj.get("latency_ms") is None and obj.get("jitter_ms") is None:
        return None
    base = _json_number(obj.get("latency_ms") or 0, "latency_ms")
    jitter = _json_number(obj.get("jitter_ms") or 0, "jitter_ms")
    return Latency(base=base / 1000, jitter=jitter / 1000)


def _json_number(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultSpecError(f"{key} must be a number, got {value!r}")
    return float(value)


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FaultSpecError(f"{where} must be a JSON object, got {value!r}")
    return value


def _only(
    obj: Mapping[str, Any], allowed: set[str] | frozenset[str], where: str
) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise FaultSpecError(
            f"{where} has unknown keys {unknown}; allowed: {', '.join(sorted(allowed))}"
        )

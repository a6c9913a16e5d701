"""Fault plans: the ``--faults`` grammar, the JSON form, and seeded decisions."""

from __future__ import annotations

from collections import Counter

import attrs
import pytest

from aiompsls.emulator.fault_spec import (
    format_faults,
    parse_faults,
    plan_from_json,
    plan_to_json,
)
from aiompsls.emulator.faults import (
    FAULT_KINDS,
    FaultInjector,
    FaultPlan,
    FaultSettings,
    FaultSpecError,
    Latency,
)

#: The example of the issue: every setting once, and one per-action override.
EXAMPLE = (
    "seed=7,throttle=0.1,unavailable=0.05,internal=0.02,reset_before=0.01,"
    "reset_after=0.01,latency=20ms±10ms,ListSpace.throttle=0.5"
)


def plan(**default: object) -> FaultPlan:
    return FaultPlan(default=FaultSettings(**default))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("", FaultPlan()),
        ("   ", FaultPlan()),
        ("throttle=0.1", plan(throttle=0.1)),
        ("throttle=5%", plan(throttle=0.05)),
        (" unavailable = 1 , internal=0 ", plan(unavailable=1.0)),
        ("reset_before=0.25,reset_after=.5", plan(reset_before=0.25, reset_after=0.5)),
        ("latency=20ms", plan(latency=Latency(base=0.02))),
        ("latency=20ms±10ms", plan(latency=Latency(base=0.02, jitter=0.01))),
        ("latency=1.5s+-250ms", plan(latency=Latency(base=1.5, jitter=0.25))),
        ("seed=-3", FaultPlan(seed=-3)),
        (
            "ListSpace.throttle=0.5,throttle=0.1",
            FaultPlan(
                default=FaultSettings(throttle=0.1),
                actions={"ListSpace": FaultSettings(throttle=0.5)},
            ),
        ),
        (
            "CreateSpace.latency=1s,CreateSpace.internal=1",
            FaultPlan(
                actions={
                    "CreateSpace": FaultSettings(
                        internal=1.0, latency=Latency(base=1.0)
                    )
                }
            ),
        ),
    ],
)
def test_a_spec_reads_as_its_plan(spec, expected):
    assert parse_faults(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("throttle", "item 'throttle': expected SETTING=VALUE"),
        ("throttle=0.1,,internal=0.1", "item '': an empty item"),
        ("throttle=0.1,", "item '': an empty item"),
        ("throtle=0.1", "item 'throtle=0.1': unknown setting 'throtle'; one of"),
        ("throttle=lots", "item 'throttle=lots': a rate must be a number"),
        ("throttle=1.5", "item 'throttle=1.5': a rate must be from 0 to 1"),
        ("throttle=-1%", "item 'throttle=-1%': a rate must be from 0 to 1"),
        ("throttle=nan", "item 'throttle=nan': a rate must be a finite number"),
        ("latency=20", "item 'latency=20': a duration is a number with the unit"),
        ("latency=20ms±", "item 'latency=20ms±': a duration is a number"),
        ("latency=10ms±20ms", "item 'latency=10ms±20ms': the jitter (0.02s) may not"),
        ("seed=x", "item 'seed=x': the seed must be an integer"),
        ("ListSpace.seed=1", "item 'ListSpace.seed=1': the seed belongs to the whole"),
        ("ListSpaces.throttle=1", "item 'ListSpaces.throttle=1': unknown action"),
        (".throttle=1", "item '.throttle=1': the action name before the dot"),
        ("throttle=0.1,throttle=0.2", "item 'throttle=0.2': throttle is set twice"),
        (
            "ListSpace.internal=0.1,ListSpace.internal=0.2",
            "item 'ListSpace.internal=0.2': internal is set twice for ListSpace",
        ),
        ("throttle=0.6,internal=0.5", "the fault rates of all calls add up to 1.1"),
        (
            "throttle=0.5,ListSpace.internal=0.6",
            "the fault rates of ListSpace add up to 1.1; at most 1",
        ),
    ],
)
def test_a_bad_spec_is_rejected_naming_the_bad_part(spec, message):
    with pytest.raises(FaultSpecError) as info:
        parse_faults(spec)
    assert message in str(info.value)


def test_the_example_survives_the_text_and_json_round_trips():
    example = parse_faults(EXAMPLE)
    assert format_faults(example) == EXAMPLE
    assert parse_faults(format_faults(example)) == example
    assert plan_from_json(plan_to_json(example)) == example
    assert plan_to_json(example) == {
        "seed": 7,
        "throttle": 0.1,
        "unavailable": 0.05,
        "internal": 0.02,
        "reset_before": 0.01,
        "reset_after": 0.01,
        "latency_ms": 20.0,
        "jitter_ms": 10.0,
        "actions": {"ListSpace": {"throttle": 0.5}},
    }


def test_an_actions_zero_is_kept_since_it_overrides_the_default():
    spec = "throttle=1,ListSpace.throttle=0,ListSpace.latency=0ms"
    assert format_faults(parse_faults(spec)) == f"seed=0,{spec}"


def test_an_actions_settings_override_the_default_only_where_set():
    settings = parse_faults(EXAMPLE).settings_for("ListSpace")
    assert (settings.throttle, settings.internal) == (0.5, 0.02)
    assert settings.latency == Latency(base=0.02, jitter=0.01)
    assert parse_faults(EXAMPLE).settings_for("CreateSpace").throttle == 0.1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the fault plan must be a JSON object"),
        ({"throttel": 1}, "the fault plan has unknown keys ['throttel']"),
        ({"throttle": "0.5"}, "the fault plan: throttle must be a number"),
        ({"throttle": True}, "the fault plan: throttle must be a number"),
        ({"reset_after": float("inf")}, "reset_after must be a finite number"),
        ({"internal": 2}, "the fault plan: internal must be from 0 to 1"),
        ({"latency_ms": "20"}, "the fault plan: latency_ms must be a number"),
        ({"latency_ms": -1}, "the fault plan: base must not be negative"),
        ({"seed": 1.5}, "the seed must be an integer"),
        ({"actions": []}, "actions must be a JSON object"),
        ({"actions": {"Nope": {}}}, "unknown action 'Nope'"),
        ({"actions": {"ListSpace": 1}}, "actions.ListSpace must be a JSON object"),
        ({"actions": {"ListSpace": {"seed": 1}}}, "actions.ListSpace has unknown keys"),
        (
            {"actions": {"ListSpace": {"jitter_ms": 5}}},
            "actions.ListSpace: the jitter (0.005s) may not exceed the latency (0s)",
        ),
    ],
)
def test_bad_json_is_rejected_naming_the_key(data, message):
    with pytest.raises(FaultSpecError) as info:
        plan_from_json(data)
    assert message in str(info.value)


def test_json_keys_are_optional_and_null_means_unset():
    data = {"throttle": None, "actions": {"ListSpace": {"latency_ms": 5}}}
    assert plan_from_json(data) == FaultPlan(
        actions={"ListSpace": FaultSettings(latency=Latency(base=0.005))}
    )


def test_a_plan_is_empty_until_some_scope_injects_something():
    assert FaultPlan().is_empty
    assert parse_faults("seed=9,latency=0ms,ListSpace.throttle=0").is_empty
    assert not parse_faults("ListSpace.latency=1ms").is_empty
    assert not parse_faults("reset_after=0.01").is_empty


def decisions(faults: FaultInjector, count: int) -> list[tuple[str | None, float]]:
    return [
        (d.fault, d.delay) for d in (faults.decide("ListSpace") for _ in range(count))
    ]


def test_the_same_seed_gives_the_same_decisions():
    example = parse_faults(EXAMPLE)
    first, second = FaultInjector(example), FaultInjector(example)
    sequence = decisions(first, 500)
    assert decisions(second, 500) == sequence
    assert set(FAULT_KINDS) <= {fault for fault, _ in sequence}
    other = FaultInjector(attrs.evolve(example, seed=8))
    assert decisions(other, 500) != sequence


def test_replacing_the_plan_restarts_the_sequence_from_its_seed():
    example = parse_faults("seed=3,throttle=0.5,latency=10ms±5ms")
    faults = FaultInjector(example)
    sequence = decisions(faults, 20)
    faults.replace(example)
    assert decisions(faults, 20) == sequence


def test_rates_decide_the_share_of_each_fault():
    faults = FaultInjector(parse_faults("throttle=0.3,reset_after=0.2"))
    counts = Counter(fault for fault, _ in decisions(faults, 4000))
    assert 1050 < counts["throttle"] < 1350
    assert 650 < counts["reset_after"] < 950
    assert counts.keys() == {"throttle", "reset_after", None}
    assert faults.injected["throttle"] == counts["throttle"]


def test_a_certain_fault_always_happens_and_an_override_can_silence_it():
    faults = FaultInjector(parse_faults("internal=1,CreateSpace.internal=0"))
    assert {faults.decide("ListSpace").fault for _ in range(50)} == {"internal"}
    assert {faults.decide("CreateSpace").fault for _ in range(50)} == {None}


def test_latency_with_jitter_stays_within_its_bounds():
    faults = FaultInjector(parse_faults("latency=20ms±10ms"))
    delays = [delay for _, delay in decisions(faults, 1000)]
    assert 0.01 <= min(delays) < 0.011
    assert 0.029 < max(delays) <= 0.03
    assert all(fault is None for fault, _ in decisions(faults, 10))


def test_no_latency_means_no_delay():
    faults = FaultInjector(parse_faults("throttle=0.5"))
    assert {delay for _, delay in decisions(faults, 100)} == {0.0}

"""The lenient converter's lean path for plain data gives what the general path gives.

``make_converter(lean=False)`` is the general path alone. Data is drawn from every
response model, written to the wire by the strict converter, then bent the ways the API
bends it (nulls, other key spellings, unknown keys, numbers as strings, a lone object
for a list, missing keys, wrong types): both converters must agree on every input,
result for result and error type for error type.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiompsls import models as m
from aiompsls._core.operations import OPERATIONS
from aiompsls._core.plain import MISS, plain_structure_fn
from aiompsls._core.wire import make_converter

SAMPLES = json.loads(
    (Path(__file__).parent / "samples" / "documented_responses.json").read_text(
        encoding="utf-8"
    )
)["examples"]
STRICT = make_converter(strict=True)
RESPONSES = sorted(OPERATIONS)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
    st.sampled_from(["", "3", " 7 ", "1.5", "true", "no", "x"]),
)


def outcome(converter: Any, data: Any, response_type: type) -> str:
    """The repr of the result (types show: 1 vs 1.0 vs True), or the error type."""
    try:
        return repr(converter.structure(data, response_type))
    except Exception as exc:  # the type is what both paths must agree on
        return f"raised {type(exc).__name__}"


Draw = Callable[[st.SearchStrategy[Any]], Any]


def bend(draw: Draw, value: Any) -> Any:
    """``value`` (wire JSON) with some of its keys and values changed."""
    if isinstance(value, dict):
        return _bend_object(draw, value)
    if isinstance(value, list):
        items = [bend(draw, item) for item in value]
        if items and draw(st.booleans()):  # a lone item where a list is documented
            return items[0] if isinstance(items[0], dict) else {"Item": items[0]}
        return items
    if draw(st.integers(0, 3)) == 0:
        other = st.sampled_from([str(value), [value], {"Value": value}])
        return draw(st.one_of(SCALARS, other))
    return value


def _bend_object(draw: Draw, value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        choice = draw(st.integers(0, 7))
        if choice == 0:
            continue  # a missing key
        if choice == 1:
            key = key.lower() if draw(st.booleans()) else key[:1].lower() + key[1:]
        out[key] = None if choice == 2 else bend(draw, item)
    if draw(st.integers(0, 5)) == 0:
        out[draw(st.sampled_from(["Unknown", "requestid", "Extra"]))] = draw(SCALARS)
    return out


@pytest.mark.parametrize("detailed", [False, True], ids=["fast", "detailed"])
@settings(max_examples=150, deadline=None)
@given(st.sampled_from(RESPONSES), st.data())
def test_the_lean_path_agrees_with_the_general_path(
    detailed: bool, action: str, data: st.DataObject
):
    response_type = OPERATIONS[action].response
    instance = data.draw(st.from_type(response_type))
    bent = bend(data.draw, json.loads(json.dumps(STRICT.unstructure(instance))))
    lean = make_converter(detailed=detailed)
    general = make_converter(detailed=detailed, lean=False)
    assert outcome(lean, bent, response_type) == outcome(general, bent, response_type)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(RESPONSES), st.data())
def test_documented_shapes_take_the_lean_path(action: str, data: st.DataObject):
    response_type: type = OPERATIONS[action].response
    instance = data.draw(st.from_type(response_type))
    wire = json.loads(json.dumps(STRICT.unstructure(instance)))
    plain = plain_structure_fn(response_type)
    assert plain is not None
    result = plain(wire)
    assert result is not MISS
    general = make_converter(detailed=False, lean=False)
    assert repr(result) == repr(general.structure(wire, response_type))


@pytest.mark.parametrize("action", sorted(SAMPLES))
def test_documented_examples_decode_alike_on_both_paths(action: str):
    response_type = OPERATIONS[action].response
    lean, general = make_converter(), make_converter(lean=False)
    sample = SAMPLES[action]
    assert outcome(lean, sample, response_type) == outcome(
        general, sample, response_type
    )


@pytest.mark.parametrize(
    "data",
    [
        {"RequestId": "r", "Count": "3"},  # a number as a string
        {"RequestId": "r", "Count": True},  # a boolean where an integer is documented
        {"RequestId": "r", "requestId": "s"},  # a second spelling of a key
        {"requestid": "r"},  # the only spelling is another case
        {"RequestId": "r", "Spaces": {"SpaceId": "s"}},  # a lone object
        {"RequestId": "r", "Spaces": [{"SpaceId": 5}]},  # a number as a string
        {"RequestId": "r", "Spaces": [None]},
        {"RequestId": None},
        {"Count": 1},
        ["RequestId"],
    ],
)
def test_data_off_the_documented_shape_leaves_the_lean_path(data: Any):
    plain = plain_structure_fn(m.ListSpaceResponse)
    assert plain is not None
    assert plain(data) is MISS

"""The generated lean structure functions read plain data, and only plain data, alike
the general path.

``plain_structure_fn`` compiles one function per model class. Its documented rule is
restated here independently (:func:`is_plain`) and checked on every model class of
``aiompsls.models`` and on a few test models whose field names, defaults and nesting
could trip generated code: the function gives a model exactly for plain data, and then
the model the general (cattrs, non-lean) path gives.
"""

from __future__ import annotations

import json
import linecache
import re
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiompsls import models as m
from aiompsls._core.fields import wire_name
from aiompsls._core.plain import MISS, plain_structure_fn
from aiompsls._core.wire import make_converter
from aiompsls.models._base import Response, Shape

GENERAL = make_converter(detailed=False, lean=False)
LEAN = make_converter(detailed=False)
STRICT = make_converter(strict=True)


@attrs.frozen(kw_only=True)
class Inner(Shape):
    """A nested test model."""

    value: int


@attrs.frozen(kw_only=True)
class Tricky(Shape):
    """Field names the generated code uses itself; every kind of value and default."""

    data: str | None = None
    cls: str | None = None
    miss: int | None = attrs.field(default=None, metadata={"wire": "MISS"})
    keys: bool | None = attrs.field(default=None, metadata={"aliases": ("keys",)})
    items0: tuple[str, ...] = ()
    grid: tuple[tuple[int, ...], ...] = ()
    inner: Inner | None = None
    inners: tuple[Inner, ...] = ()
    made: tuple[float, ...] = attrs.field(factory=tuple)
    level: int = 3


def _shape(name: str, **fields: Any) -> Any:
    return attrs.make_class(name, fields, bases=(Shape,), kw_only=True, frozen=True)


FirstSame: Any = _shape("Same", a=attrs.field(type=int))
SecondSame: Any = _shape("Same", b=attrs.field(type=str))
Twins: Any = _shape(
    "Twins",
    first=attrs.field(type=FirstSame | None, default=None),
    second=attrs.field(type=SecondSame | None, default=None),
)
for _model in (Inner, Tricky):
    attrs.resolve_types(_model, globals())

MODELS: list[type] = [
    *sorted(
        (
            kind
            for kind in vars(m).values()
            if isinstance(kind, type)
            and issubclass(kind, Shape | Response)
            and attrs.has(kind)
        ),
        key=lambda kind: kind.__name__,
    ),
    Tricky,
    Twins,
]
Draw = Callable[[st.SearchStrategy[Any]], Any]
#: The other spellings models declare for a wire name (``BackupId``: ``backupId``).
ALIASES: dict[str, tuple[str, ...]] = {
    wire_name(a): a.metadata["aliases"]
    for model in MODELS
    for a in attrs.fields(typing.cast("Any", model))
    if "aliases" in a.metadata
}


def _optional(kind: Any) -> Any:
    """``T`` for ``T | None``, else ``kind``."""
    if typing.get_origin(kind) in (types.UnionType, typing.Union):
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return inner
    return kind


def is_plain(kind: Any, value: Any) -> bool:
    """The documented rule: documented names only, null or exactly the right type."""
    if attrs.has(kind):
        fields = {wire_name(a): a for a in attrs.fields(kind)}
        if type(value) is not dict or not set(value) <= set(fields):
            return False
        return all(
            is_plain(_optional(a.type), value[name])
            if value.get(name) is not None
            else a.default is not attrs.NOTHING
            for name, a in fields.items()
        )
    if typing.get_origin(kind) is tuple:
        item = typing.get_args(kind)[0]
        return type(value) is list and all(is_plain(item, v) for v in value)
    return type(value) is kind


def outcome(converter: Any, data: Any, kind: type) -> str:
    """The repr of the result (1 and 1.0 and True differ), or the error type."""
    try:
        return repr(converter.structure(data, kind))
    except Exception as exc:  # both converters must raise the same type
        return f"raised {type(exc).__name__}"


def wire_of(draw: Draw, kind: type) -> Any:
    """A random instance of ``kind`` as the documented JSON."""
    return json.loads(json.dumps(STRICT.unstructure(draw(st.from_type(kind)))))


def bend_key(draw: Draw, key: str) -> str:
    """``key`` respelt as the API sometimes spells it, or as is."""
    spellings = [key, key.lower(), key[:1].lower() + key[1:], *ALIASES.get(key, ())]
    spelt: str = draw(st.sampled_from(spellings))
    return spelt


def bend_value(draw: Draw, value: Any) -> Any:
    """``value`` with nested keys and values bent, or changed the ways the API does."""
    if isinstance(value, dict):
        return bend_object(draw, value)
    if isinstance(value, list):
        items = [bend_value(draw, item) for item in value]
        lone = items and isinstance(items[0], dict) and draw(st.booleans())
        return items[0] if lone else items
    changes = [value, value, str(value), None, [value], json.dumps(value)]
    if isinstance(value, str) and re.fullmatch("-?[0-9]{1,12}", value):
        changes.append(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        changes += [float(value), bool(value)]
    return draw(st.sampled_from(changes))


def bend_object(draw: Draw, value: dict[str, Any]) -> dict[str, Any]:
    """A JSON object with keys dropped, respelt, nulled, bent or added."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        choice = draw(st.integers(0, 6))
        if choice == 0:
            continue  # a missing key, maybe a required one
        new_key = bend_key(draw, key) if choice == 1 else key
        out[new_key] = None if choice == 2 else bend_value(draw, item)
    if draw(st.integers(0, 4)) == 0:
        out[draw(st.sampled_from(["Unknown", "requestid", "Extra"]))] = draw(JSON)
    return out


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
)


def json_values(keys: list[str]) -> st.SearchStrategy[Any]:
    """JSON values whose objects have keys from ``keys``."""
    return st.recursive(
        SCALARS,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(keys), inner, max_size=4)
        ),
        max_leaves=12,
    )


JSON = json_values(["Value", "A", "B", "Name"])


def check(kind: type, data: Any) -> None:
    """The generated function answers a model exactly for plain data, the right one."""
    plain = plain_structure_fn(kind)
    assert plain is not None
    result = plain(data)
    assert (result is not MISS) == is_plain(kind, data), data
    if result is not MISS:
        assert repr(result) == repr(GENERAL.structure(data, kind))
    assert outcome(LEAN, data, kind) == outcome(GENERAL, data, kind)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(MODELS), st.data())
def test_generated_functions_read_documented_shapes_as_drawn(
    kind: type, data: st.DataObject
):
    instance = data.draw(st.from_type(kind))
    wire = json.loads(json.dumps(STRICT.unstructure(instance)))
    plain = plain_structure_fn(kind)
    assert plain is not None
    assert repr(plain(wire)) == repr(instance)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(MODELS), st.data())
def test_generated_functions_read_exactly_plain_data_when_bent(
    kind: type, data: st.DataObject
):
    check(kind, bend_object(data.draw, wire_of(data.draw, kind)))


def _keys(kind: Any) -> list[str]:
    """The wire names of ``kind`` and of the models in it, with other spellings."""
    names = {"Unknown"}
    for a in attrs.fields(kind):
        names |= {wire_name(a), wire_name(a).lower(), *a.metadata.get("aliases", ())}
        inner = _optional(a.type)
        inner = (
            typing.get_args(inner)[0] if typing.get_origin(inner) is tuple else inner
        )
        if attrs.has(inner):
            names |= set(_keys(inner))
    return sorted(names)


ANY_JSON = {kind: json_values(_keys(kind)) for kind in MODELS}


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(MODELS), st.data())
def test_generated_functions_read_exactly_plain_data_of_any_json(
    kind: type, data: st.DataObject
):
    check(kind, data.draw(ANY_JSON[kind]))


def test_names_the_generated_code_uses_are_free_for_fields():
    data = {
        "Data": "d",
        "Cls": "c",
        "MISS": 1,
        "Keys": True,
        "Items0": ["a"],
        "Grid": [[1, 2], []],
        "Inner": {"Value": 5},
        "Inners": [{"Value": 6}],
        "Level": None,
    }
    plain = plain_structure_fn(Tricky)
    assert plain is not None
    assert plain(data) == Tricky(
        data="d",
        cls="c",
        miss=1,
        keys=True,
        items0=("a",),
        grid=((1, 2), ()),
        inner=Inner(value=5),
        inners=(Inner(value=6),),
        made=(),
        level=3,
    )


def test_nested_models_of_one_name_each_read_their_own_keys():
    plain = plain_structure_fn(Twins)
    assert plain is not None
    result = plain({"First": {"A": 1}, "Second": {"B": "x"}})
    assert result == Twins(first=FirstSame(a=1), second=SecondSame(b="x"))


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ({"Inners": [None]}, "a null item"),
        ({"Grid": [[1, "2"]]}, "a number as a string deep in a list"),
        ({"Grid": [1]}, "a number where a list is documented"),
        ({"Inner": {}}, "a nested model without its required key"),
        ({"Inner": {"Value": 1, "value": 1}}, "a nested key spelt twice"),
        ({"Made": [1]}, "an integer where a float is documented"),
        ({"Level": 1.0}, "a float where an integer is documented"),
        ({"keys": True}, "an alias"),
    ],
)
def test_data_off_the_plain_shape_is_a_miss(data: dict[str, Any], why: str):
    plain = plain_structure_fn(Tricky)
    assert plain is not None
    assert plain(data) is MISS, why


def test_generated_code_is_named_after_its_model_and_readable():
    plain = plain_structure_fn(m.ListSpaceResponse)
    assert plain is not None
    filename = plain.__code__.co_filename
    assert filename == "<aiompsls plain structure ListSpaceResponse>"
    source = "".join(linecache.getlines(filename))
    assert source.startswith("def structure(data):\n")
    assert "structure_ListSpaceSpaces(" in source
    assert "return cls(request_id=v_request_id," in source


@attrs.frozen(kw_only=True)
class Validated(Shape):
    """A validator is not run by the lean path's checks."""

    size: int = attrs.field(validator=attrs.validators.ge(0))


@attrs.frozen(kw_only=True)
class Converted(Shape):
    """A converter is not run by the lean path."""

    size: int = attrs.field(converter=int)


@attrs.frozen(kw_only=True)
class Mapped(Shape):
    """A dict field has no plain check."""

    tags: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Either(Shape):
    """A union of two types has no plain check."""

    value: int | str


@attrs.frozen(kw_only=True)
class SelfMade(Shape):
    """A default made from the instance cannot be passed to ``__init__``."""

    size: int = 0
    double: int = attrs.field(
        default=attrs.Factory(lambda self: self.size * 2, takes_self=True)
    )


@attrs.frozen(kw_only=True)
class Hidden(Shape):
    """A field outside ``__init__``."""

    size: int = attrs.field(init=False, default=0)


@attrs.frozen(kw_only=True)
class HoldsMapped(Shape):
    """A nested model without a lean path."""

    inner: Mapped | None = None


for _unreadable in (
    Validated,
    Converted,
    Mapped,
    Either,
    SelfMade,
    Hidden,
    HoldsMapped,
):
    attrs.resolve_types(_unreadable, globals())


@pytest.mark.parametrize(
    "kind", [Validated, Converted, Mapped, Either, SelfMade, Hidden, HoldsMapped]
)
def test_models_the_lean_path_cannot_build_have_no_function(kind: type):
    assert plain_structure_fn(kind) is None
    assert outcome(LEAN, {}, kind) == outcome(GENERAL, {}, kind)

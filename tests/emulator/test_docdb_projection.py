"""Projections, sort orders and the BSON type order of the document database.

Expected results follow the MongoDB Manual: "Project Fields to Return from Query"
(tutorial/project-fields-from-query-results), "cursor.sort()" and "Comparison/Sort
Order" (reference/bson-type-comparison-order).
"""

from __future__ import annotations

from typing import Any

import pytest

from aiompsls.emulator.docdb import InvalidCommandError
from aiompsls.emulator.docdb.projection import compile_projection, compile_sort
from aiompsls.emulator.docdb.values import compare

JOURNAL = {
    "_id": 1,
    "item": "journal",
    "status": "A",
    "size": {"h": 14, "w": 21, "uom": "cm"},
    "instock": [{"warehouse": "A", "qty": 5}, 7],
}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # "Return the Specified Fields and the _id Field Only"
        ({"item": 1, "status": 1}, {"_id": 1, "item": "journal", "status": "A"}),
        # "Suppress _id Field"
        ({"item": 1, "status": 1, "_id": 0}, {"item": "journal", "status": "A"}),
        ({"item": True, "_id": False}, {"item": "journal"}),
        # "Return All But the Excluded Fields"
        (
            {"status": 0, "instock": 0},
            {"_id": 1, "item": "journal", "size": {"h": 14, "w": 21, "uom": "cm"}},
        ),
        # "Return Specific Fields in Embedded Documents"
        (
            {"item": 1, "status": 1, "size.uom": 1},
            {"_id": 1, "item": "journal", "status": "A", "size": {"uom": "cm"}},
        ),
        # "Suppress Specific Fields in Embedded Documents"
        (
            {"size.uom": 0, "instock": 0},
            {"_id": 1, "item": "journal", "status": "A", "size": {"h": 14, "w": 21}},
        ),
        # "Projection on Embedded Documents in an Array" (non-documents dropped)
        ({"instock.qty": 1, "_id": 0}, {"instock": [{"qty": 5}]}),
        ({"_id": 1}, {"_id": 1}),
        ({"_id": 0, "size": 0, "instock": 0}, {"item": "journal", "status": "A"}),
        # fields come in document order, whatever the projection's order
        ({"status": 1, "item": 1}, {"_id": 1, "item": "journal", "status": "A"}),
        ({"nothing": 1}, {"_id": 1}),
    ],
)
def test_projection_examples(spec, expected):
    projector = compile_projection(spec)
    assert projector is not None
    projected = projector(JOURNAL)
    assert projected == expected
    assert list(projected) == list(expected)


def test_an_empty_projection_keeps_whole_documents():
    assert compile_projection({}) is None
    assert compile_projection(None) is None


@pytest.mark.parametrize(
    ("spec", "mentions"),
    [
        ({"a": 1, "b": 0}, "mix"),
        ({"a": 2}, "0 or 1"),
        ({"a": {"$slice": 1}}, "0 or 1"),
        ({"a": 1, "a.b": 1}, "collision"),
        ({"a.b": 1, "a": 1}, "collision"),
        ([["a", 1]], "object"),
    ],
)
def test_malformed_projections_are_rejected(spec, mentions):
    with pytest.raises(InvalidCommandError) as info:
        compile_projection(spec)
    assert mentions in info.value.message


# "Comparison/Sort Order": MinKey, Null, Numbers, Symbol/String, Object, Array,
# BinData, ObjectId, Boolean, Date, ... (only the JSON types here).
ORDERED = [
    None,
    -1,
    0,
    2.5,
    3,
    "",
    "A",
    "a",
    "b",
    {},
    {"a": 1},
    {"b": 0},
    [],
    [1],
    False,
    True,
]


@pytest.mark.parametrize(
    ("left", "right"),
    [(ORDERED[i], ORDERED[i + 1]) for i in range(len(ORDERED) - 1)],
)
def test_the_type_order_puts_null_numbers_strings_objects_arrays_booleans(left, right):
    assert compare(left, right) == -1
    assert compare(right, left) == 1


@pytest.mark.parametrize(
    ("left", "right", "order"),
    [
        (1, 1.0, 0),  # numbers compare by value
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, -1),  # objects compare in field order
        ({"a": 1}, {"a": 1, "b": 0}, -1),  # "an object without further pairs is less"
        ({"a": "x"}, {"a": 1}, 1),  # then by the type of the value
        ([1, 2], [1, 3], -1),
        ([2], [1, 9], 1),
    ],
)
def test_object_and_array_comparison(left, right, order):
    assert compare(left, right) == order


def test_sort_orders_mixed_types_missing_as_null_and_keeps_ties_in_order():
    docs: list[dict[str, Any]] = [
        {"_id": "bool", "v": True},
        {"_id": "str", "v": "b"},
        {"_id": "num", "v": 3},
        {"_id": "null", "v": None},
        {"_id": "obj", "v": {"a": 1}},
        {"_id": "arr", "v": [2]},  # sorts as its smallest element, 2
        {"_id": "missing"},
        {"_id": "empty", "v": []},  # "an empty array ... less than null or missing"
    ]
    sorter = compile_sort({"v": 1})
    assert sorter is not None
    order = [doc["_id"] for doc in sorter(docs)]
    assert order == ["empty", "null", "missing", "arr", "num", "str", "obj", "bool"]


def test_descending_sort_uses_the_largest_array_element():
    # cursor.sort(): "a descending sort compares the largest elements of the arrays"
    docs: list[dict[str, Any]] = [
        {"_id": 1, "v": [1, 10]},
        {"_id": 2, "v": [5, 6]},
        {"_id": 3, "v": 7},
    ]
    asc = compile_sort({"v": 1})
    desc = compile_sort({"v": -1})
    assert asc is not None
    assert desc is not None
    assert [d["_id"] for d in asc(docs)] == [1, 2, 3]
    assert [d["_id"] for d in desc(docs)] == [1, 3, 2]


def test_multi_key_sort_applies_keys_in_order():
    docs = [
        {"_id": 1, "a": 1, "b": "x"},
        {"_id": 2, "a": 2, "b": "y"},
        {"_id": 3, "a": 1, "b": "z"},
        {"_id": 4, "a": 2, "b": "x"},
        {"_id": 5, "a": {"n": 1}, "b": "x"},
    ]
    sorter = compile_sort({"a": -1, "b": 1})
    assert sorter is not None
    assert [d["_id"] for d in sorter(docs)] == [5, 4, 2, 1, 3]
    dotted = compile_sort({"a.n": 1, "_id": -1})
    assert dotted is not None
    assert [d["_id"] for d in dotted(docs)] == [4, 3, 2, 1, 5]


@pytest.mark.parametrize("spec", [{"a": 2}, {"a": True}, {"a": "asc"}, [["a", 1]]])
def test_sort_directions_are_one_or_minus_one(spec):
    with pytest.raises(InvalidCommandError):
        compile_sort(spec)

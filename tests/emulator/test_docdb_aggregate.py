"""Aggregation pipelines against the examples of the MongoDB Manual's stage pages.

Each case names its page (reference/operator/aggregation/<stage>) and example.
"""

from __future__ import annotations

import pytest

from aiompsls.emulator.docdb import InvalidCommandError, UnsupportedOperatorError
from aiompsls.emulator.docdb.aggregate import run_pipeline

# $group, "Examples": the sales collection (prices as plain numbers).
SALES = [
    {"_id": 1, "item": "abc", "price": 10, "quantity": 2},
    {"_id": 2, "item": "jkl", "price": 20, "quantity": 1},
    {"_id": 3, "item": "xyz", "price": 5, "quantity": 10},
    {"_id": 4, "item": "xyz", "price": 5, "quantity": 20},
    {"_id": 5, "item": "abc", "price": 10, "quantity": 10},
    {"_id": 6, "item": "def", "price": 7.5, "quantity": 5},
    {"_id": 7, "item": "def", "price": 7.5, "quantity": 10},
    {"_id": 8, "item": "abc", "price": 10, "quantity": 5},
]


@pytest.mark.parametrize(
    ("pipeline", "expected"),
    [
        # $group, "Count the Number of Documents in a Collection"
        (
            [{"$group": {"_id": None, "count": {"$count": {}}}}],
            [{"_id": None, "count": 8}],
        ),
        # $group, "Group by Item Having": $sum of an expression, then $match
        (
            [
                {
                    "$group": {
                        "_id": "$item",
                        "totalSaleAmount": {
                            "$sum": {"$multiply": ["$price", "$quantity"]}
                        },
                    }
                },
                {"$match": {"totalSaleAmount": {"$gte": 100}}},
            ],
            [
                {"_id": "abc", "totalSaleAmount": 170},
                {"_id": "xyz", "totalSaleAmount": 150},
                {"_id": "def", "totalSaleAmount": 112.5},
            ],
        ),
        # $group, "Group by null": $sum of 1 and $avg
        (
            [
                {
                    "$group": {
                        "_id": None,
                        "count": {"$sum": 1},
                        "averageQuantity": {"$avg": "$quantity"},
                    }
                }
            ],
            [{"_id": None, "count": 8, "averageQuantity": 7.875}],
        ),
        # $group, "Retrieve Distinct Values" (ordered afterwards with $sort)
        (
            [{"$group": {"_id": "$item"}}, {"$sort": {"_id": 1}}],
            [{"_id": "abc"}, {"_id": "def"}, {"_id": "jkl"}, {"_id": "xyz"}],
        ),
        # $min / $max / $first / $last / $push / $addToSet per group
        (
            [
                {"$match": {"item": "abc"}},
                {
                    "$group": {
                        "_id": {"item": "$item"},
                        "min": {"$min": "$quantity"},
                        "max": {"$max": "$quantity"},
                        "first": {"$first": "$_id"},
                        "last": {"$last": "$_id"},
                        "all": {"$push": "$quantity"},
                        "prices": {"$addToSet": "$price"},
                    }
                },
            ],
            [
                {
                    "_id": {"item": "abc"},
                    "min": 2,
                    "max": 10,
                    "first": 1,
                    "last": 8,
                    "all": [2, 10, 5],
                    "prices": [10],
                }
            ],
        ),
        # $count, "Example": $match then $count
        ([{"$match": {"quantity": {"$gt": 5}}}, {"$count": "n"}], [{"n": 4}]),
        ([{"$match": {"quantity": {"$gt": 99}}}, {"$count": "n"}], []),
        # $sort + $skip + $limit
        (
            [
                {"$sort": {"quantity": -1, "_id": 1}},
                {"$skip": 1},
                {"$limit": 2},
                {"$project": {"_id": 1}},
            ],
            [{"_id": 3}, {"_id": 5}],
        ),
        # $project, "Include Computed Fields" and "Exclude _id"
        (
            [
                {"$match": {"_id": 6}},
                {
                    "$project": {
                        "_id": 0,
                        "item": 1,
                        "total": {"$multiply": ["$price", "$quantity"]},
                    }
                },
            ],
            [{"item": "def", "total": 37.5}],
        ),
        (
            [{"$match": {"_id": 2}}, {"$project": {"price": 0, "quantity": 0}}],
            [{"_id": 2, "item": "jkl"}],
        ),
        # $addFields, "Using Two $addFields Stages"; $unset stage
        (
            [
                {"$match": {"_id": 2}},
                {"$addFields": {"total": {"$add": ["$price", "$quantity"]}}},
                {"$unset": ["price", "quantity"]},
            ],
            [{"_id": 2, "item": "jkl", "total": 21}],
        ),
    ],
)
def test_pipeline_examples(pipeline, expected):
    assert run_pipeline(SALES, pipeline) == expected


def test_unwind_outputs_a_document_per_element():
    # $unwind, "Unwind an Array", and "preserveNullAndEmptyArrays"
    docs = [
        {"_id": 1, "item": "ABC1", "sizes": ["S", "M", "L"]},
        {"_id": 2, "item": "EFG", "sizes": []},
        {"_id": 3, "item": "IJK", "sizes": "M"},
        {"_id": 4, "item": "LMN"},
        {"_id": 5, "item": "XYZ", "sizes": None},
    ]
    unwound = run_pipeline(docs, [{"$unwind": "$sizes"}])
    assert [(d["_id"], d.get("sizes")) for d in unwound] == [
        (1, "S"),
        (1, "M"),
        (1, "L"),
        (3, "M"),
    ]
    kept = run_pipeline(
        docs, [{"$unwind": {"path": "$sizes", "preserveNullAndEmptyArrays": True}}]
    )
    assert [d["_id"] for d in kept] == [1, 1, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ({"$subtract": ["$a", "$b"]}, 6),
        ({"$divide": ["$a", "$b"]}, 4.0),
        ({"$concat": ["$s", "-", "$s"]}, "Ab-Ab"),
        ({"$toUpper": "$s"}, "AB"),
        ({"$toLower": "$s"}, "ab"),
        ({"$size": "$list"}, 3),
        ({"$ifNull": ["$missing", "fallback"]}, "fallback"),
        ({"$cond": [{"$gt": ["$a", 5]}, "big", "small"]}, "big"),
        ({"$cond": {"if": {"$lt": ["$a", 5]}, "then": "small", "else": "big"}}, "big"),
        ({"$and": [True, {"$eq": ["$b", 2]}]}, True),
        ({"$or": [False, 0]}, False),
        ({"$not": [None]}, True),
        ({"$literal": "$a"}, "$a"),
        ({"$add": ["$a", None]}, None),
        ("$list.k", [1, 2]),
        (["$a", "$missing", 1], [8, None, 1]),
        ({"$multiply": ["$a", "$missing"]}, None),
        ({"$concat": ["$s", None]}, None),
        ({"$toUpper": "$missing"}, ""),
        ({"$toUpper": "$a"}, "8"),
        ({"$ne": ["$a", 8]}, False),
        ("$$ROOT.b", 2),
        ("$$CURRENT.list.k", [1, 2]),
        ({"x": "$a", "y": "$missing"}, {"x": 8}),
    ],
)
def test_expressions(expression, expected):
    doc = {"_id": 1, "a": 8, "b": 2, "s": "Ab", "list": [{"k": 1}, {"k": 2}, 3]}
    (out,) = run_pipeline([doc], [{"$project": {"_id": 0, "v": expression}}])
    assert out == {"v": expected}


@pytest.mark.parametrize(
    ("pipeline", "error", "mentions"),
    [
        ({"$match": {}}, InvalidCommandError, "array"),
        ([{"$lookup": {}}], UnsupportedOperatorError, "$lookup"),
        ([{"$match": {}, "$limit": 1}], InvalidCommandError, "one key"),
        ([{"$group": {"n": {"$sum": 1}}}], InvalidCommandError, "_id"),
        (
            [{"$group": {"_id": None, "n": {"$median": 1}}}],
            UnsupportedOperatorError,
            "$median",
        ),
        ([{"$group": {"_id": None, "a.b": {"$sum": 1}}}], InvalidCommandError, "a.b"),
        ([{"$limit": 0}], InvalidCommandError, "$limit"),
        ([{"$skip": -1}], InvalidCommandError, "$skip"),
        ([{"$sort": {}}], InvalidCommandError, "$sort"),
        ([{"$count": "$n"}], InvalidCommandError, "$count"),
        ([{"$project": {"a": 0, "b": 1}}], InvalidCommandError, "mix"),
        ([{"$project": {"v": {"$week": "$a"}}}], UnsupportedOperatorError, "$week"),
        ([{"$project": {"v": "$$NOW"}}], UnsupportedOperatorError, "$$NOW"),
        ([{"$unwind": "sizes"}], InvalidCommandError, "$unwind"),
        ([{"$unwind": 3}], InvalidCommandError, "$unwind"),
        (
            [{"$project": {"v": {"$a": 1, "$b": 2}}}],
            InvalidCommandError,
            "one operator",
        ),
        ([{"$project": {"v": {"$ifNull": [1]}}}], InvalidCommandError, "$ifNull"),
        ([{"$project": {"v": {"$cond": [1, 2]}}}], InvalidCommandError, "$cond"),
        ([{"$project": {"v": {"$toLower": [1, 2]}}}], InvalidCommandError, "$toLower"),
        ([{"$project": {"v": {"$size": "$price"}}}], InvalidCommandError, "$size"),
        (
            [{"$project": {"v": {"$concat": ["$price"]}}}],
            InvalidCommandError,
            "$concat",
        ),
        ([{"$addFields": {}}], InvalidCommandError, "$addFields"),
        ([{"$unset": 1}], InvalidCommandError, "$unset"),
        ([{"$project": {}}], InvalidCommandError, "$project"),
        ([{"$group": {"_id": None, "n": 1}}], InvalidCommandError, "accumulator"),
    ],
)
def test_unknown_or_malformed_stages_are_named(pipeline, error, mentions):
    with pytest.raises(error) as info:
        run_pipeline(SALES, pipeline)
    assert mentions in info.value.message


def test_group_can_push_whole_documents_with_root():
    docs = [{"_id": 1, "k": "a"}, {"_id": 2, "k": "a"}]
    grouped = run_pipeline(
        docs, [{"$group": {"_id": "$k", "all": {"$push": "$$ROOT"}}}]
    )
    assert grouped == [{"_id": "a", "all": docs}]


def test_runtime_expression_errors_are_invalid_commands():
    with pytest.raises(InvalidCommandError, match="numeric"):
        run_pipeline([{"a": "x"}], [{"$project": {"v": {"$add": ["$a", 1]}}}])
    with pytest.raises(InvalidCommandError, match="zero"):
        run_pipeline([{"a": 1}], [{"$project": {"v": {"$divide": ["$a", 0]}}}])

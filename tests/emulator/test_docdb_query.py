"""Query filters of the document database against MongoDB's documented results.

The collections and expected answers are the examples of the MongoDB Manual
(https://www.mongodb.com/docs/manual/tutorial/...), section named per table.
"""

from __future__ import annotations

import pytest

from aiompsls.emulator.docdb import InvalidCommandError, UnsupportedOperatorError
from aiompsls.emulator.docdb.query import compile_filter


def names(docs, spec, key="item"):
    test = compile_filter(spec)
    return [doc[key] for doc in docs if test(doc)]


# Manual, "Query Documents" (tutorial/query-documents) inventory collection.
INVENTORY = [
    {
        "item": "journal",
        "qty": 25,
        "size": {"h": 14, "w": 21, "uom": "cm"},
        "status": "A",
    },
    {
        "item": "notebook",
        "qty": 50,
        "size": {"h": 8.5, "w": 11, "uom": "in"},
        "status": "A",
    },
    {
        "item": "paper",
        "qty": 100,
        "size": {"h": 8.5, "w": 11, "uom": "in"},
        "status": "D",
    },
    {
        "item": "planner",
        "qty": 75,
        "size": {"h": 22.85, "w": 30, "uom": "cm"},
        "status": "D",
    },
    {
        "item": "postcard",
        "qty": 45,
        "size": {"h": 10, "w": 15.25, "uom": "cm"},
        "status": "A",
    },
]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # "Select All Documents in a Collection"
        ({}, ["journal", "notebook", "paper", "planner", "postcard"]),
        # "Specify Equality Condition"
        ({"status": "D"}, ["paper", "planner"]),
        # "Specify Conditions Using Query Operators"
        ({"status": {"$in": ["A", "D"]}}, [d["item"] for d in INVENTORY]),
        # "Specify AND Conditions"
        ({"status": "A", "qty": {"$lt": 30}}, ["journal"]),
        # "Specify OR Conditions"
        (
            {"$or": [{"status": "A"}, {"qty": {"$lt": 30}}]},
            ["journal", "notebook", "postcard"],
        ),
        # "Specify AND as well as OR Conditions" (/^p/ written as $regex)
        (
            {"status": "A", "$or": [{"qty": {"$lt": 30}}, {"item": {"$regex": "^p"}}]},
            ["journal", "postcard"],
        ),
        # tutorial/query-embedded-documents: "Match an Embedded/Nested Document"
        ({"size": {"h": 14, "w": 21, "uom": "cm"}}, ["journal"]),
        # ... "Equality matches on the whole embedded document require an exact match
        # of the specified <value> document, including the field order."
        ({"size": {"w": 21, "h": 14, "uom": "cm"}}, []),
        # "Query on Nested Field"
        ({"size.uom": "in"}, ["notebook", "paper"]),
        ({"size.h": {"$lt": 15}}, ["journal", "notebook", "paper", "postcard"]),
        ({"size.h": {"$lt": 15}, "size.uom": "in", "status": "D"}, ["paper"]),
        # reference/operator/query/and, nor: explicit forms
        ({"$and": [{"status": "A"}, {"qty": {"$gte": 45}}]}, ["notebook", "postcard"]),
        ({"$nor": [{"status": "A"}, {"qty": {"$gt": 90}}]}, ["planner"]),
        # $ne / $nin / $eq / $gt / $lte
        ({"status": {"$ne": "A"}}, ["paper", "planner"]),
        ({"qty": {"$nin": [25, 50, 100]}}, ["planner", "postcard"]),
        ({"qty": {"$eq": 45}}, ["postcard"]),
        ({"qty": {"$gt": 50}}, ["paper", "planner"]),
        ({"qty": {"$gte": 50, "$lte": 75}}, ["notebook", "planner"]),
        # reference/operator/query/not: "$not ... selects documents that do not match"
        ({"qty": {"$not": {"$gt": 50}}}, ["journal", "notebook", "postcard"]),
    ],
)
def test_query_documents_examples(spec, expected):
    assert names(INVENTORY, spec) == expected


# Manual, "Query an Array" (tutorial/query-arrays).
ARRAYS = [
    {"item": "journal", "qty": 25, "tags": ["blank", "red"], "dim_cm": [14, 21]},
    {"item": "notebook", "qty": 50, "tags": ["red", "blank"], "dim_cm": [14, 21]},
    {
        "item": "paper",
        "qty": 100,
        "tags": ["red", "blank", "plain"],
        "dim_cm": [14, 21],
    },
    {"item": "planner", "qty": 75, "tags": ["blank", "red"], "dim_cm": [22.85, 30]},
    {"item": "postcard", "qty": 45, "tags": ["blue"], "dim_cm": [10, 15.25]},
]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # "Match an Array": exact array, order included
        ({"tags": ["red", "blank"]}, ["notebook"]),
        # ... "$all" ignores order and other elements
        (
            {"tags": {"$all": ["red", "blank"]}},
            ["journal", "notebook", "paper", "planner"],
        ),
        # "Query an Array for an Element"
        ({"tags": "red"}, ["journal", "notebook", "paper", "planner"]),
        ({"dim_cm": {"$gt": 25}}, ["planner"]),
        # "Query an Array with Compound Filter Conditions on the Array Elements":
        # one element may satisfy $gt and another $lt
        (
            {"dim_cm": {"$gt": 15, "$lt": 20}},
            ["journal", "notebook", "paper", "postcard"],
        ),
        # "Query for an Array Element that Meets Multiple Criteria"
        ({"dim_cm": {"$elemMatch": {"$gt": 22, "$lt": 30}}}, ["planner"]),
        # "Query for an Element by the Array Index Position"
        ({"dim_cm.1": {"$gt": 25}}, ["planner"]),
        # "Query an Array by Array Length"
        ({"tags": {"$size": 3}}, ["paper"]),
        ({"tags": {"$in": ["blue", "plain"]}}, ["paper", "postcard"]),
        ({"tags": {"$nin": ["red"]}}, ["postcard"]),
        ({"tags": {"$all": []}}, []),
    ],
)
def test_query_an_array_examples(spec, expected):
    assert names(ARRAYS, spec) == expected


# Manual, "Query an Array of Embedded Documents" (tutorial/query-array-of-documents).
INSTOCK = [
    {
        "item": "journal",
        "instock": [{"warehouse": "A", "qty": 5}, {"warehouse": "C", "qty": 15}],
    },
    {"item": "notebook", "instock": [{"warehouse": "C", "qty": 5}]},
    {
        "item": "paper",
        "instock": [{"warehouse": "A", "qty": 60}, {"warehouse": "B", "qty": 15}],
    },
    {
        "item": "planner",
        "instock": [{"warehouse": "A", "qty": 40}, {"warehouse": "B", "qty": 5}],
    },
    {
        "item": "postcard",
        "instock": [{"warehouse": "B", "qty": 15}, {"warehouse": "C", "qty": 35}],
    },
]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # "Query for a Document Nested in an Array"
        ({"instock": {"warehouse": "A", "qty": 5}}, ["journal"]),
        ({"instock": {"qty": 5, "warehouse": "A"}}, []),
        # "Use the Array Index to Query for a Field in the Embedded Document"
        ({"instock.0.qty": {"$lte": 20}}, ["journal", "notebook", "postcard"]),
        # "Specify a Query Condition on a Field Embedded in an Array of Documents"
        ({"instock.qty": {"$lte": 20}}, [d["item"] for d in INSTOCK]),
        # "A Single Nested Document Meets Multiple Query Conditions on Nested Fields"
        ({"instock": {"$elemMatch": {"qty": 5, "warehouse": "A"}}}, ["journal"]),
        (
            {"instock": {"$elemMatch": {"qty": {"$gt": 10, "$lte": 20}}}},
            ["journal", "paper", "postcard"],
        ),
        # "Combination of Elements Satisfies the Criteria"
        (
            {"instock.qty": {"$gt": 10, "$lte": 20}},
            ["journal", "paper", "planner", "postcard"],
        ),
        ({"instock.qty": 5, "instock.warehouse": "A"}, ["journal", "planner"]),
    ],
)
def test_query_an_array_of_embedded_documents_examples(spec, expected):
    assert names(INSTOCK, spec) == expected


# Manual, "Query for Null or Missing Fields" (tutorial/query-for-null-fields).
NULLS = [{"_id": 1, "item": None}, {"_id": 2}]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"item": None}, [1, 2]),  # "Equality Filter": null or missing
        ({"item": {"$ne": None}}, []),
        ({"item": {"$exists": False}}, [2]),  # "Existence Check"
        ({"item": {"$exists": True}}, [1]),
        ({"item": {"$in": [None]}}, [1, 2]),
        ({"item": {"$gte": None}}, [1, 2]),  # comparison with null matches null/missing
        ({"item": {"$gt": None}}, []),
    ],
)
def test_query_for_null_or_missing_fields_examples(spec, expected):
    assert names(NULLS, spec, key="_id") == expected


# Manual, "$regex" (reference/operator/query/regex) products collection.
PRODUCTS = [
    {"_id": 100, "sku": "abc123", "description": "Single line description."},
    {"_id": 101, "sku": "abc789", "description": "First line\nSecond line"},
    {"_id": 102, "sku": "xyz456", "description": "Many spaces before     line"},
    {"_id": 103, "sku": "xyz789", "description": "Multiple\nline description"},
    {"_id": 104, "sku": "Abc789", "description": "SKU starts with A"},
]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # "Perform a LIKE Match"
        ({"sku": {"$regex": "789$"}}, [101, 103, 104]),
        # "Perform Case-Insensitive Regular Expression Match"
        ({"sku": {"$regex": "^ABC", "$options": "i"}}, [100, 101, 104]),
        # the SDK's "/pattern/flags" form of a RegExp
        ({"sku": {"$regex": "/^ABC/i"}}, [100, 101, 104]),
        # "Multiline Match for Lines Starting with Specified Pattern"
        ({"description": {"$regex": "^S", "$options": "m"}}, [100, 101, 104]),
        ({"description": {"$regex": "^S"}}, [100, 104]),
        # "Use the . Dot Character to Match New Line"
        ({"description": {"$regex": "m.*line", "$options": "si"}}, [102, 103]),
        ({"description": {"$regex": "m.*line", "$options": "i"}}, [102]),
        # "Ignore White Spaces in Pattern"
        (
            {
                "sku": {
                    "$regex": "abc #category code\n123 #item number",
                    "$options": "x",
                }
            },
            [100],
        ),
        ({"sku": {"$not": {"$regex": "^abc"}}}, [102, 103, 104]),
    ],
)
def test_regex_examples(spec, expected):
    assert names(PRODUCTS, spec, key="_id") == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # Comparison Query Operators: "$gt ... selects documents where the value of
        # the field is greater than (i.e. >) the specified value" within one type
        # bracket ("Comparison/Sort Order", "Type Bracketing").
        # ... and an array matches when one of its elements does ([6] > 4)
        ({"v": {"$gt": 4}}, ["int", "float", "list"]),
        ({"v": {"$lt": "6"}}, ["str"]),
        ({"v": {"$gte": False}}, ["bool"]),
        ({"v": 5}, ["int", "float"]),  # 5 == 5.0: numbers compare by value
        ({"v": True}, ["bool"]),  # booleans are not numbers
        ({"v": {"$gt": {"a": 0}}}, ["doc"]),
        ({"v": {"$lt": [7]}}, ["list"]),
    ],
)
def test_comparisons_stay_within_a_type_bracket(spec, expected):
    docs = [
        {"n": "int", "v": 5},
        {"n": "float", "v": 5.0},
        {"n": "str", "v": "5"},
        {"n": "bool", "v": True},
        {"n": "doc", "v": {"a": 1}},
        {"n": "list", "v": [6]},
    ]
    assert names(docs, spec, key="n") == expected


@pytest.mark.parametrize(
    ("spec", "error", "mentions"),
    [
        ({"$where": "this.a > 1"}, UnsupportedOperatorError, "$where"),
        ({"a": {"$near": [1, 2]}}, UnsupportedOperatorError, "$near"),
        ({"a": {"$gt": 1, "b": 2}}, InvalidCommandError, "'b'"),
        ({"$or": []}, InvalidCommandError, "$or"),
        ({"$and": {"a": 1}}, InvalidCommandError, "$and"),
        ({"a": {"$in": 1}}, InvalidCommandError, "$in"),
        ({"a": {"$options": "i"}}, InvalidCommandError, "$regex"),
        ({"a": {"$regex": "x", "$options": "q"}}, InvalidCommandError, "'q'"),
        ({"a": {"$regex": "("}}, InvalidCommandError, "regular expression"),
        ({"a": {"$size": -1}}, InvalidCommandError, "$size"),
        ({"a": {"$not": 3}}, InvalidCommandError, "$not"),
        ({"a": {"$elemMatch": 3}}, InvalidCommandError, "$elemMatch"),
        ([1], InvalidCommandError, "object"),
    ],
)
def test_unknown_or_malformed_operators_are_named(spec, error, mentions):
    with pytest.raises(error) as info:
        compile_filter(spec)
    assert mentions in info.value.message


def test_a_missing_element_field_matches_null_inside_arrays():
    # "Query for Null or Missing Fields" applies per element of an array of documents
    docs = [{"n": 1, "a": [{"b": 1}, {"c": 2}]}, {"n": 2, "a": [{"b": 1}]}]
    assert names(docs, {"a.b": None}, key="n") == [1]
    assert names(docs, {"a.b": {"$exists": False}}, key="n") == []

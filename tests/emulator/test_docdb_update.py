"""Update operators against the examples of the MongoDB Manual's operator pages.

Each case names its page (reference/operator/update/<name>) and example section.
"""

from __future__ import annotations

import pytest

from aiompsls.emulator.docdb import (
    InvalidCommandError,
    UnsupportedOperatorError,
    WriteError,
)
from aiompsls.emulator.docdb.update import compile_update, replace


def applied(doc, spec, **kwargs):
    return compile_update(spec).apply(doc, **kwargs)


@pytest.mark.parametrize(
    ("doc", "spec", "expected"),
    [
        # $inc, "Example": quantity -2 and metrics.orders +1
        (
            {"_id": 1, "quantity": 10, "metrics": {"orders": 2, "ratings": 3.5}},
            {"$inc": {"quantity": -2, "metrics.orders": 1}},
            {"_id": 1, "quantity": 8, "metrics": {"orders": 3, "ratings": 3.5}},
        ),
        # $inc "Behavior": a missing field is created with the amount
        ({"_id": 1}, {"$inc": {"n": 2.5}}, {"_id": 1, "n": 2.5}),
        # $set, "Set Top-Level Fields" and "Set Fields in Embedded Documents"
        (
            {"_id": 100, "quantity": 250, "details": {"model": "14QQ"}},
            {"$set": {"quantity": 500, "details.make": "Kustom Kidz"}},
            {
                "_id": 100,
                "quantity": 500,
                "details": {"model": "14QQ", "make": "Kustom Kidz"},
            },
        ),
        # $set, "Set Elements in Arrays"
        (
            {
                "_id": 100,
                "tags": ["apparel", "clothing"],
                "ratings": [{"by": "A", "rating": 3}],
            },
            {"$set": {"tags.1": "rain gear", "ratings.0.rating": 2}},
            {
                "_id": 100,
                "tags": ["apparel", "rain gear"],
                "ratings": [{"by": "A", "rating": 2}],
            },
        ),
        # $set past the end pads the array with null
        (
            {"_id": 1, "a": [1]},
            {"$set": {"a.3": 4}},
            {"_id": 1, "a": [1, None, None, 4]},
        ),
        # $set creates missing embedded documents
        ({"_id": 1}, {"$set": {"a.b.c": 1}}, {"_id": 1, "a": {"b": {"c": 1}}}),
        # $unset, "Example"; an absent field is a no-op
        (
            {"_id": 1, "quantity": 2, "instock": True, "sku": "x"},
            {"$unset": {"quantity": "", "instock": "", "missing.deep": ""}},
            {"_id": 1, "sku": "x"},
        ),
        # $unset of an array element sets it to null ("Behavior")
        (
            {"_id": 1, "a": [1, 2, 3]},
            {"$unset": {"a.1": ""}},
            {"_id": 1, "a": [1, None, 3]},
        ),
        # $push, "Append a Value to an Array"
        (
            {"_id": 1, "scores": [44, 78]},
            {"$push": {"scores": 89}},
            {"_id": 1, "scores": [44, 78, 89]},
        ),
        # $push, "Append Multiple Values to an Array"
        (
            {"_id": 1, "scores": [44]},
            {"$push": {"scores": {"$each": [90, 92, 85]}}},
            {"_id": 1, "scores": [44, 90, 92, 85]},
        ),
        # $position, "Add Elements at the Start of the Array"
        (
            {"_id": 1, "scores": [100]},
            {"$push": {"scores": {"$each": [50, 60, 70], "$position": 0}}},
            {"_id": 1, "scores": [50, 60, 70, 100]},
        ),
        # $slice, "Slice from the End of the Array"
        (
            {"_id": 1, "scores": [40, 50, 60]},
            {"$push": {"scores": {"$each": [80, 78, 86], "$slice": -5}}},
            {"_id": 1, "scores": [50, 60, 80, 78, 86]},
        ),
        # $push on a missing field creates the array
        ({"_id": 1}, {"$push": {"a": 1}}, {"_id": 1, "a": [1]}),
        # $addToSet, "Value to Add is An Array" (added as one element)
        (
            {"_id": 1, "letters": ["a", "b"]},
            {"$addToSet": {"letters": ["c", "d"]}},
            {"_id": 1, "letters": ["a", "b", ["c", "d"]]},
        ),
        # $addToSet, "Value Already Exists"
        (
            {"_id": 1, "colors": ["blue", "green"]},
            {"$addToSet": {"colors": "green"}},
            {"_id": 1, "colors": ["blue", "green"]},
        ),
        # $addToSet with $each, "Use with $each Modifier"
        (
            {"_id": 2, "tags": ["electronics", "supplies"]},
            {
                "$addToSet": {
                    "tags": {"$each": ["camera", "electronics", "accessories"]}
                }
            },
            {"_id": 2, "tags": ["electronics", "supplies", "camera", "accessories"]},
        ),
        # $pop, "Remove the First Item of an Array" / "Remove the Last Item"
        (
            {"_id": 1, "scores": [8, 9, 10]},
            {"$pop": {"scores": -1}},
            {"_id": 1, "scores": [9, 10]},
        ),
        (
            {"_id": 1, "scores": [9, 10]},
            {"$pop": {"scores": 1}},
            {"_id": 1, "scores": [9]},
        ),
        # $pull, "Remove All Items That Equal a Specified Value"
        (
            {
                "_id": 1,
                "fruits": ["apples", "pears", "oranges", "grapes"],
                "vegetables": ["carrots", "celery"],
            },
            {
                "$pull": {
                    "fruits": {"$in": ["apples", "oranges"]},
                    "vegetables": "carrots",
                }
            },
            {"_id": 1, "fruits": ["pears", "grapes"], "vegetables": ["celery"]},
        ),
        # $pull, "Remove All Items That Match a Specified $pull Condition"
        (
            {"_id": 1, "votes": [3, 5, 6, 7, 7, 8]},
            {"$pull": {"votes": {"$gte": 6}}},
            {"_id": 1, "votes": [3, 5]},
        ),
        # $pull, "Remove Items from an Array of Documents"
        (
            {
                "_id": 1,
                "results": [{"item": "A", "score": 5}, {"item": "B", "score": 8}],
            },
            {"$pull": {"results": {"score": 8, "item": "B"}}},
            {"_id": 1, "results": [{"item": "A", "score": 5}]},
        ),
        # $min / $max, "Use $min to Compare Numbers" / "Use $max to Compare Numbers"
        (
            {"_id": 1, "highScore": 800, "lowScore": 200},
            {"$min": {"lowScore": 150}},
            {"_id": 1, "highScore": 800, "lowScore": 150},
        ),
        (
            {"_id": 1, "highScore": 800, "lowScore": 150},
            {"$min": {"lowScore": 250}},
            {"_id": 1, "highScore": 800, "lowScore": 150},
        ),
        (
            {"_id": 1, "highScore": 800, "lowScore": 150},
            {"$max": {"highScore": 950}},
            {"_id": 1, "highScore": 950, "lowScore": 150},
        ),
        # $mul, "Multiply the Value of a Field" and "Apply $mul Operator to a
        # Non-existing Field" (the field is set to 0)
        (
            {"_id": 1, "price": 10.5, "quantity": 25},
            {"$mul": {"price": 2, "quantity": 2}},
            {"_id": 1, "price": 21.0, "quantity": 50},
        ),
        (
            {"_id": 2, "item": "Unknown"},
            {"$mul": {"price": 100}},
            {"_id": 2, "item": "Unknown", "price": 0},
        ),
        # $rename, "Rename a Field" and "Rename a Field in an Embedded Document"
        (
            {"_id": 1, "nmae": {"first": "abc"}},
            {"$rename": {"nmae": "name"}},
            {"_id": 1, "name": {"first": "abc"}},
        ),
        (
            {"_id": 1, "name": {"first": "a"}},
            {"$rename": {"name.first": "name.fname"}},
            {"_id": 1, "name": {"fname": "a"}},
        ),
        ({"_id": 1}, {"$rename": {"wife": "spouse"}}, {"_id": 1}),
        # $pop and $pull on a missing field change nothing
        ({"_id": 1}, {"$pop": {"a": 1}, "$pull": {"b": 1}}, {"_id": 1}),
        ({"_id": 1, "a": []}, {"$pop": {"a": -1}}, {"_id": 1, "a": []}),
        # $setOnInsert only applies when an upsert inserts
        ({"_id": 1, "a": 1}, {"$setOnInsert": {"b": 2}}, {"_id": 1, "a": 1}),
        # setting _id to the same value is allowed
        ({"_id": 1, "a": 1}, {"$set": {"_id": 1.0, "a": 2}}, {"_id": 1.0, "a": 2}),
    ],
)
def test_update_operator_examples(doc, spec, expected):
    assert applied(doc, spec) == expected


def test_set_on_insert_applies_when_inserting():
    update = {"$set": {"a": 1}, "$setOnInsert": {"defaultQty": 100}}
    assert applied({}, update, inserting=True) == {"a": 1, "defaultQty": 100}


def test_an_update_does_not_change_its_input():
    doc = {"_id": 1, "a": {"b": [1]}}
    applied(doc, {"$push": {"a.b": 2}, "$set": {"c": 3}})
    assert doc == {"_id": 1, "a": {"b": [1]}}


def test_inc_keeps_integers_and_widens_to_floats():
    assert applied({"_id": 1, "n": 1}, {"$inc": {"n": 2}})["n"] == 3
    assert isinstance(applied({"_id": 1, "n": 1}, {"$inc": {"n": 2}})["n"], int)
    assert applied({"_id": 1, "n": 1}, {"$inc": {"n": 0.5}})["n"] == 1.5


@pytest.mark.parametrize(
    ("doc", "spec", "mentions"),
    [
        ({"_id": 1, "a": "x"}, {"$inc": {"a": 1}}, "non-numeric"),
        ({"_id": 1, "a": "x"}, {"$mul": {"a": 2}}, "non-numeric"),
        ({"_id": 1, "a": 1}, {"$push": {"a": 2}}, "array"),
        ({"_id": 1, "a": 1}, {"$addToSet": {"a": 2}}, "array"),
        ({"_id": 1, "a": 1}, {"$pop": {"a": 1}}, "array"),
        ({"_id": 1, "a": 1}, {"$pull": {"a": 1}}, "array"),
        ({"_id": 1, "a": 1}, {"$set": {"a.b": 2}}, "cannot create field 'b'"),
        ({"_id": 1, "a": [1]}, {"$set": {"a.b": 2}}, "cannot create field 'b'"),
        ({"_id": 1}, {"$set": {"_id": 2}}, "_id"),
        ({"_id": 1}, {"$unset": {"_id": ""}}, "_id"),
    ],
)
def test_updates_that_cannot_apply_are_write_errors(doc, spec, mentions):
    with pytest.raises(WriteError) as info:
        applied(doc, spec)
    assert mentions in info.value.message


@pytest.mark.parametrize(
    ("spec", "error", "mentions"),
    [
        ({}, InvalidCommandError, "non-empty"),
        ({"a": 1}, InvalidCommandError, "operators"),
        ({"$currentDate": {"a": True}}, UnsupportedOperatorError, "$currentDate"),
        ({"$set": 1}, InvalidCommandError, "$set"),
        ({"$inc": {"a": "1"}}, InvalidCommandError, "number"),
        ({"$inc": {"a": True}}, InvalidCommandError, "number"),
        ({"$pop": {"a": 2}}, InvalidCommandError, "$pop"),
        ({"$rename": {"a": 1}}, InvalidCommandError, "$rename"),
        ({"$push": {"a": {"$each": 1}}}, InvalidCommandError, "$each"),
        (
            {"$push": {"a": {"$each": [], "$sort": 1}}},
            UnsupportedOperatorError,
            "$sort",
        ),
        ({"$set": {"a": 1}, "$inc": {"a": 1}}, InvalidCommandError, "conflict"),
        ({"$set": {"a": 1, "a.b": 1}}, InvalidCommandError, "conflict"),
        ({"$set": {"a.$": 1}}, InvalidCommandError, "'$'"),
        ({"$push": {"a": {"$each": [], "$slice": "2"}}}, InvalidCommandError, "$slice"),
        ({"$set": {"a..b": 1}}, InvalidCommandError, "empty"),
    ],
)
def test_malformed_updates_are_rejected_before_touching_documents(
    spec, error, mentions
):
    with pytest.raises(error) as info:
        compile_update(spec)
    assert mentions in info.value.message


def test_a_replacement_keeps_the_id_and_refuses_operators():
    # db.collection.replaceOne: "The replacement document cannot contain update
    # operators" and "you cannot ... replace the _id field with a different value"
    assert replace({"_id": 1, "a": 1}, {"b": 2}) == {"_id": 1, "b": 2}
    with pytest.raises(InvalidCommandError):
        replace({"_id": 1}, {"$set": {"b": 2}})
    with pytest.raises(WriteError):
        replace({"_id": 1}, {"_id": 2})
    with pytest.raises(InvalidCommandError):
        replace({"_id": 1}, [1])

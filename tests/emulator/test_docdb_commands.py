"""Commands of the document database through ``SpaceDB.run``: shapes, results, errors.

Command shapes are those of the vendor's database SDK (``mp-db-service``
``model/command``): ``query``/``options`` for reads, ``doc``/``docs`` for inserts,
``filter``/``update``/``options.upsert`` for writes, ``pipeline`` for aggregate.
"""

from __future__ import annotations

import itertools
import json

import pytest

from aiompsls.emulator.docdb import (
    DuplicateKeyError,
    InvalidCommandError,
    SpaceDB,
    UnsupportedOperatorError,
    WriteError,
)

PEOPLE = [
    {"_id": "a", "name": "ann", "age": 30, "tags": ["x"]},
    {"_id": "b", "name": "bob", "age": 25},
    {"_id": "c", "name": "cid", "age": 41, "tags": ["x", "y"]},
]


@pytest.fixture
def space():
    db = SpaceDB.in_memory()
    yield db
    db.db.close()


@pytest.fixture
def run(space):
    counter = itertools.count(1)

    def run(command, collection="people", **fields):
        body = {"command": command, "collection": collection, **fields}
        return space.run(body, new_id=lambda: f"{next(counter):024x}")

    return run


@pytest.fixture
def people(run):
    run("insertMany", docs=PEOPLE)


def values(outcome):
    return json.loads(outcome.result)


@pytest.mark.parametrize(
    ("fields", "ids"),
    [
        ({}, ["a", "b", "c"]),
        ({"query": {"age": {"$gte": 30}}}, ["a", "c"]),
        ({"options": {"sort": {"age": -1}}}, ["c", "a", "b"]),
        ({"options": {"sort": {"age": 1}, "skip": 1, "limit": 1}}, ["a"]),
        ({"options": {"limit": 0}}, ["a", "b", "c"]),  # limit 0 is no limit
        ({"query": {"tags": "x"}, "options": {"sort": {"name": -1}}}, ["c", "a"]),
        ({"query": {"_id": "b"}}, ["b"]),  # read by key
        ({"query": {"_id": {"$in": ["c", "a"]}}}, ["a", "c"]),
    ],
)
def test_find_filters_sorts_and_pages(run, people, fields, ids):
    found = run("find", **fields)
    assert [doc["_id"] for doc in values(found)] == ids
    assert found.affected == len(ids)


def test_find_projects(run, people):
    found = run("find", options={"projection": {"name": 1, "_id": 0}, "limit": 2})
    assert values(found) == [{"name": "ann"}, {"name": "bob"}]


def test_find_one_returns_the_first_match_or_null(run, people):
    found = run("findOne", query={"age": {"$lt": 40}}, options={"sort": {"age": 1}})
    assert (values(found)["name"], found.affected) == ("bob", 1)
    missing = run("findOne", query={"name": "zed"})
    assert (missing.result, missing.affected) == ("null", 0)


def test_count_and_distinct(run, people):
    assert values(run("count", query={"tags": {"$exists": True}})) == 2
    assert values(run("count", options={"skip": 1, "limit": 1})) == 1
    assert values(run("distinct", key="tags")) == ["x", "y"]
    assert values(run("distinct", key="age", query={"age": {"$gt": 26}})) == [30, 41]


def test_insert_one_makes_an_id_and_puts_it_first(run):
    inserted = run("insertOne", doc={"name": "tom"})
    assert values(inserted) == {"insertedId": "000000000000000000000001"}
    stored = run("findOne", query={"name": "tom"}).result
    assert stored == '{"_id":"000000000000000000000001","name":"tom"}'


def test_insert_many_is_all_or_nothing(run, people):
    with pytest.raises(DuplicateKeyError) as info:
        run("insertMany", docs=[{"_id": "new"}, {"_id": "a"}])
    assert info.value.id_text == "a"
    with pytest.raises(DuplicateKeyError):
        run("insertMany", docs=[{"_id": 1}, {"_id": 1.0}])  # 1 and 1.0 are equal
    assert values(run("count")) == 3


def test_update_one_and_many_report_matched_and_modified(run, people):
    one = run("updateOne", filter={"age": 30}, update={"$set": {"age": 31}})
    assert (values(one), one.affected) == ({"matchedCount": 1, "modifiedCount": 1}, 1)
    many = run("updateMany", filter={"tags": "x"}, update={"$set": {"age": 41}})
    assert values(many) == {"matchedCount": 2, "modifiedCount": 1}
    assert values(run("count", query={"age": 41})) == 2


def test_an_upsert_inserts_the_filter_equalities_and_the_update(run):
    # db.collection.updateOne, "upsert with Operator Expressions": the new document
    # takes the equality fields of the filter, then the update applies.
    answer = run(
        "updateOne",
        filter={"name": "zed", "age": {"$gt": 1}, "$and": [{"home.city": "x"}]},
        update={"$inc": {"visits": 1}, "$setOnInsert": {"new": True}},
        options={"upsert": True},
    )
    upserted = values(answer)["upsertedId"]
    assert values(answer) == {
        "matchedCount": 0,
        "modifiedCount": 0,
        "upsertedId": upserted,
    }
    assert values(run("findOne", query={"_id": upserted})) == {
        "_id": upserted,
        "name": "zed",
        "home": {"city": "x"},
        "visits": 1,
        "new": True,
    }


def test_replace_one_keeps_the_id(run, people):
    answer = run("replaceOne", filter={"_id": "b"}, doc={"name": "bea"})
    assert values(answer) == {"matchedCount": 1, "modifiedCount": 1}
    assert values(run("findOne", query={"_id": "b"})) == {"_id": "b", "name": "bea"}
    fresh = run(
        "replaceOne", filter={"_id": "q"}, doc={"n": 1}, options={"upsert": True}
    )
    assert values(fresh)["upsertedId"] == "q"


def test_delete_one_and_many(run, people):
    assert values(run("deleteOne", filter={"tags": "x"})) == {"deletedCount": 1}
    assert values(run("deleteMany", filter={})) == {"deletedCount": 2}
    assert values(run("count")) == 0


def test_find_one_and_update_returns_before_or_after(run, people):
    before = run(
        "findOneAndUpdate",
        filter={"age": {"$gt": 20}},
        update={"$inc": {"age": 1}},
        options={"sort": {"age": -1}, "projection": {"age": 1}},
    )
    assert values(before) == {"_id": "c", "age": 41}
    after = run(
        "findOneAndUpdate",
        filter={"_id": "c"},
        update={"$inc": {"age": 1}},
        options={"returnNewDocument": True},
    )
    assert values(after)["age"] == 43


def test_find_one_and_update_upserts(run):
    missing = run("findOneAndUpdate", filter={"_id": "n"}, update={"$set": {"v": 1}})
    assert values(missing) is None
    created = run(
        "findOneAndUpdate",
        filter={"_id": "n"},
        update={"$set": {"v": 1}},
        options={"upsert": True, "returnDocument": "after"},
    )
    assert values(created) == {"_id": "n", "v": 1}
    replaced = run(
        "findOneAndReplace",
        filter={"k": 1},
        replacement={"v": 2},
        options={"upsert": True, "returnNewDocument": True, "projection": {"_id": 0}},
    )
    assert values(replaced) == {"v": 2}


def test_find_one_and_replace_and_delete(run, people):
    replaced = run("findOneAndReplace", filter={"_id": "a"}, replacement={"n": 1})
    assert values(replaced)["name"] == "ann"
    assert values(run("findOne", query={"_id": "a"})) == {"_id": "a", "n": 1}
    deleted = run(
        "findOneAndDelete", filter={"age": {"$gt": 0}}, options={"sort": {"age": 1}}
    )
    assert values(deleted)["_id"] == "b"
    assert values(run("findOneAndDelete", filter={"_id": "zz"})) is None


def test_aggregate_runs_a_pipeline(run, people):
    result = run(
        "aggregate",
        pipeline=[
            {"$unwind": "$tags"},
            {"$group": {"_id": "$tags", "n": {"$sum": 1}}},
            {"$sort": {"n": -1}},
        ],
    )
    assert values(result) == [{"_id": "x", "n": 2}, {"_id": "y", "n": 1}]


def test_drop_answers_whether_the_collection_existed(run, space, people):
    assert values(run("drop")) is True
    assert values(run("drop")) is False
    assert space.collection_names() == []


def test_an_update_failing_on_a_later_document_changes_nothing(run):
    run("insertMany", docs=[{"_id": 1, "n": 1}, {"_id": 2, "n": "two"}])
    with pytest.raises(WriteError, match="non-numeric"):
        run("updateMany", filter={}, update={"$inc": {"n": 1}})
    assert values(run("find")) == [{"_id": 1, "n": 1}, {"_id": 2, "n": "two"}]


def test_the_old_emulator_spellings_data_and_query_still_work(run):
    run("insertOne", data={"_id": 1, "a": 1})
    run("insertMany", data=[{"_id": 2, "a": 2}])
    run("updateOne", query={"_id": 1}, update={"$set": {"a": 3}})
    run("deleteMany", query={"a": 2})
    assert values(run("find")) == [{"_id": 1, "a": 3}]


@pytest.mark.parametrize(
    ("body", "error", "mentions"),
    [
        ("{not json", InvalidCommandError, "JSON"),
        (
            '{"command":"find","collection":"c","query":{"a":NaN}}',
            InvalidCommandError,
            "NaN",
        ),
        ("[1]", InvalidCommandError, "object"),
        ('{"collection":"c"}', InvalidCommandError, "command"),
        ('{"command":"find","collection":"a$b"}', InvalidCommandError, "collection"),
        (
            '{"command":"mapReduce","collection":"c"}',
            UnsupportedOperatorError,
            "mapReduce",
        ),
        ('{"command":"insertOne","collection":"c"}', InvalidCommandError, "doc"),
        (
            '{"command":"insertOne","collection":"c","doc":{"$set":{}}}',
            InvalidCommandError,
            "$set",
        ),
        (
            '{"command":"insertOne","collection":"c","doc":{"_id":[1]}}',
            InvalidCommandError,
            "array",
        ),
        (
            '{"command":"insertMany","collection":"c","docs":[]}',
            InvalidCommandError,
            "docs",
        ),
        (
            '{"command":"updateOne","collection":"c","filter":{}}',
            InvalidCommandError,
            "update",
        ),
        (
            '{"command":"find","collection":"c","options":[]}',
            InvalidCommandError,
            "options",
        ),
        (
            '{"command":"find","collection":"c","options":{"skip":-1}}',
            InvalidCommandError,
            "skip",
        ),
        ('{"command":"distinct","collection":"c"}', InvalidCommandError, "key"),
        (
            '{"command":"aggregate","collection":"c","pipeline":[{"$out":"x"}]}',
            UnsupportedOperatorError,
            "$out",
        ),
    ],
)
def test_bad_commands_raise_errors_naming_the_problem(space, body, error, mentions):
    with pytest.raises(error) as info:
        space.run(body)
    assert mentions in info.value.message


def test_a_failed_command_leaves_no_collection_behind(space):
    with pytest.raises(DuplicateKeyError):
        space.run(
            {"command": "insertMany", "collection": "c", "docs": [{"_id": 1}] * 2}
        )
    assert space.collection_names() == []

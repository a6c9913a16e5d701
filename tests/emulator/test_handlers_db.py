"""RunDBCommand over the document store, DeleteDBCollection, RenameDBCollection."""

from __future__ import annotations

import json
import re

import pytest

from aiompsls import models as m


@pytest.fixture
def db(call, space_id):
    """Run one command (keyword arguments are the JSON fields) and return the answer."""

    def run(command, collection="people", **fields):
        body = json.dumps({"command": command, "collection": collection, **fields})
        return call(m.RunDBCommandRequest(space_id=space_id, body=body))

    return run


PEOPLE = [
    {"_id": "a", "name": "ann", "age": 30, "home": {"city": "x"}},
    {"_id": "b", "name": "bob", "age": 30, "home": {"city": "y"}},
    {"_id": "c", "name": "cid", "age": 41, "home": {"city": "x"}},
]


@pytest.fixture
def people(db):
    db("insertMany", data=PEOPLE)


def test_insert_one_mints_an_object_id_and_find_one_returns_the_document(db):
    inserted = db("insertOne", data={"name": "tom"})
    new_id = json.loads(inserted.result)["insertedId"]
    assert re.fullmatch(r"[0-9a-f]{24}", new_id)
    assert (inserted.affected_docs, inserted.success, inserted.code) == (1, True, "OK")
    found = db("findOne", query={"name": "tom"})
    assert json.loads(found.result) == {"name": "tom", "_id": new_id}
    assert found.affected_docs == 1


def test_find_one_without_a_match_is_null(db, people):
    found = db("findOne", query={"name": "zed"})
    assert (found.result, found.affected_docs) == ("null", 0)


@pytest.mark.parametrize(
    ("fields", "ids"),
    [
        ({}, ["a", "b", "c"]),
        ({"query": {"age": 30}}, ["a", "b"]),
        ({"query": {"home.city": "x"}}, ["a", "c"]),
        ({"query": {"age": 30, "home.city": "y"}}, ["b"]),
        ({"query": {"home": {"city": "x"}}}, ["a", "c"]),
        ({"query": {"missing": None}}, ["a", "b", "c"]),
        ({"query": {"name": None}}, []),
        ({"options": {"skip": 1, "limit": 1}}, ["b"]),
    ],
)
def test_find_uses_equality_filters(db, people, fields, ids):
    found = db("find", **fields)
    assert [doc["_id"] for doc in json.loads(found.result)] == ids
    assert found.affected_docs == len(ids)


def test_count_counts_matches(db, people):
    assert db("count", query={"age": 30}).result == "2"


def test_update_one_sets_fields_of_the_first_match(db, people):
    updated = db("updateOne", query={"age": 30}, update={"$set": {"home.city": "z"}})
    assert json.loads(updated.result) == {"matchedCount": 1, "modifiedCount": 1}
    cities = [d["home"]["city"] for d in json.loads(db("find").result)]
    assert cities == ["z", "y", "x"]
    again = db("updateOne", query={"_id": "a"}, update={"$set": {"home.city": "z"}})
    assert json.loads(again.result) == {"matchedCount": 1, "modifiedCount": 0}


def test_delete_many_removes_matches(db, people):
    deleted = db("deleteMany", query={"age": 30})
    assert (json.loads(deleted.result), deleted.affected_docs) == (
        {"deletedCount": 2},
        2,
    )
    assert [d["_id"] for d in json.loads(db("find").result)] == ["c"]


def test_drop_answers_whether_the_collection_existed(db, people):
    assert db("drop").result == "true"
    assert db("drop").result == "false"
    assert db("find").result == "[]"


def test_a_duplicate_id_is_a_conflict_and_insert_many_is_all_or_nothing(
    db, people, fails, space_id
):
    body = {
        "command": "insertMany",
        "collection": "people",
        "data": [{"_id": "new"}, {"_id": "a"}],
    }
    request = m.RunDBCommandRequest(space_id=space_id, body=json.dumps(body))
    assert "'a'" in fails(request, "Document.AlreadyExists", 409).message
    assert db("count").result == "3"


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"command": "aggregate", "collection": "c"}, "pipeline"),
        ({"command": "mapReduce", "collection": "c"}, "mapReduce"),
        (
            {"command": "find", "collection": "c", "query": {"age": {"$near": 1}}},
            "$near",
        ),
        ({"command": "find", "collection": "c", "query": {"$or": []}}, "$or"),
        ({"command": "find"}, "collection"),
        ({"collection": "c"}, "command"),
        (["find"], "object"),
        ({"command": "insertOne", "collection": "c", "data": 1}, "object"),
        ({"command": "insertMany", "collection": "c", "data": []}, "docs"),
        ({"command": "updateOne", "collection": "c", "update": {"a": 1}}, "$set"),
        ({"command": "find", "collection": "c", "options": {"limit": "x"}}, "limit"),
    ],
)
def test_unsupported_or_malformed_commands_are_invalid_parameters(
    fails, space_id, body, mentions
):
    request = m.RunDBCommandRequest(space_id=space_id, body=json.dumps(body))
    error = fails(request, "InvalidParameter", 400)
    assert "Body" in error.message
    assert mentions in error.message


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ('{"command":"insertOne","collection":"c","data":{"n":1e400}}', "too large"),
        ('{"command":"insertOne","collection":"c","data":{"n":NaN}}', "NaN"),
    ],
)
def test_numbers_json_cannot_store_are_invalid_parameters(
    fails, space_id, body, mentions
):
    request = m.RunDBCommandRequest(space_id=space_id, body=body)
    error = fails(request, "InvalidParameter", 400)
    assert "Body" in error.message
    assert mentions in error.message


def test_changing_the_id_of_a_stored_document_is_an_invalid_parameter(
    fails, space_id, people
):
    body = {
        "command": "updateOne",
        "collection": "people",
        "filter": {"_id": "a"},
        "update": {"$set": {"_id": 1}},
    }
    request = m.RunDBCommandRequest(space_id=space_id, body=json.dumps(body))
    assert "_id" in fails(request, "InvalidParameter", 400).message


def test_delete_db_collection_drops_an_existing_collection(
    call, fails, db, people, space_id
):
    body = json.dumps({"command": "drop", "collection": "people"})
    answer = call(m.DeleteDBCollectionRequest(space_id=space_id, body=body))
    # AffectedDocs: "数据表中的记录数量", the documents the collection held.
    assert (answer.result, answer.affected_docs) == ("true", 3)
    request = m.DeleteDBCollectionRequest(space_id=space_id, body=body)
    assert "'people'" in fails(request, "InvalidCollection.NotFound", 404).message


def test_delete_db_collection_only_takes_drop(fails, space_id):
    body = json.dumps({"command": "find", "collection": "people"})
    request = m.DeleteDBCollectionRequest(space_id=space_id, body=body)
    assert "drop" in fails(request, "InvalidParameter", 400).message


def test_rename_moves_the_documents(call, db, people, space_id):
    call(
        m.RenameDBCollectionRequest(
            space_id=space_id, origin_collection="people", new_collection="folk"
        )
    )
    assert db("count").result == "0"
    assert db("count", collection="folk").result == "3"


def test_rename_needs_an_existing_origin_and_a_free_name(db, people, fails, space_id):
    db("insertOne", collection="folk", data={})
    fails(
        m.RenameDBCollectionRequest(
            space_id=space_id, origin_collection="ghosts", new_collection="x"
        ),
        "InvalidCollection.NotFound",
        404,
    )
    fails(
        m.RenameDBCollectionRequest(
            space_id=space_id, origin_collection="people", new_collection="folk"
        ),
        "Collection.AlreadyExists",
        409,
    )

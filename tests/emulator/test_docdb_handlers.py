"""RunDBCommand, DeleteDBCollection and RenameDBCollection end to end on the engine."""

from __future__ import annotations

import json

import pytest

from aiompsls import models as m
from aiompsls.emulator.docdb import DocumentDB
from aiompsls.emulator.records import DbStore


@pytest.fixture
def db(call, space_id):
    def run(command, collection="orders", **fields):
        body = json.dumps({"command": command, "collection": collection, **fields})
        return call(m.RunDBCommandRequest(space_id=space_id, body=body))

    return run


ORDERS = [
    {"_id": 1, "user": "ann", "total": 30, "items": [{"sku": "x", "n": 1}]},
    {"_id": 2, "user": "bob", "total": 12, "items": [{"sku": "y", "n": 2}]},
    {"_id": 3, "user": "ann", "total": 5, "items": []},
]


def test_a_session_of_commands_through_run_db_command(db):
    inserted = db("insertMany", docs=ORDERS)
    assert (inserted.affected_docs, inserted.success, inserted.code) == (3, True, "OK")
    assert inserted.http_status_code == "200"
    found = db(
        "find",
        query={"total": {"$gte": 10}, "items.sku": {"$in": ["x", "y"]}},
        options={"sort": {"total": 1}, "projection": {"user": 1}},
    )
    assert json.loads(found.result) == [
        {"_id": 2, "user": "bob"},
        {"_id": 1, "user": "ann"},
    ]
    updated = db("updateMany", filter={"user": "ann"}, update={"$inc": {"total": 1}})
    assert json.loads(updated.result) == {"matchedCount": 2, "modifiedCount": 2}
    totals = db(
        "aggregate",
        pipeline=[
            {"$group": {"_id": "$user", "sum": {"$sum": "$total"}}},
            {"$sort": {"sum": -1}},
        ],
    )
    assert json.loads(totals.result) == [
        {"_id": "ann", "sum": 37},
        {"_id": "bob", "sum": 12},
    ]
    assert db("deleteOne", filter={"total": {"$lt": 10}}).affected_docs == 1
    assert db("count").result == "2"


def test_the_documented_find_one_example_shape(db):
    # API reference 8.1 example: {"command":"findOne","collection":...,"query":{...}}
    db("insertOne", collection="test_collection", doc={"name": "tome", "age": 1})
    found = db("findOne", collection="test_collection", query={"name": "tome"})
    assert json.loads(found.result) == {
        "_id": json.loads(found.result)["_id"],
        "name": "tome",
        "age": 1,
    }
    assert found.affected_docs == 1


def test_reads_and_writes_feed_the_usage_counters(db, ctx, state, space_id):
    db("insertMany", docs=ORDERS)
    db("find")
    db("updateOne", filter={"_id": 1}, update={"$set": {"total": 0}})
    day = state.spaces[space_id].usage.days[f"{ctx.now:%Y-%m-%d}"]
    assert (day.db_writes, day.db_reads) == (4, 3)


@pytest.mark.parametrize(
    ("body", "code", "status", "mentions"),
    [
        (
            {"command": "find", "collection": "c", "query": {"$expr": {}}},
            "InvalidParameter",
            400,
            "$expr",
        ),
        ({"command": "group", "collection": "c"}, "InvalidParameter", 400, "group"),
        (
            {"command": "insertOne", "collection": "c", "doc": {"_id": 1}},
            "Document.AlreadyExists",
            409,
            "'1'",
        ),
    ],
)
def test_engine_errors_become_service_errors(
    db, fails, space_id, body, code, status, mentions
):
    db("insertOne", collection="c", doc={"_id": 1})
    request = m.RunDBCommandRequest(space_id=space_id, body=json.dumps(body))
    assert mentions in fails(request, code, status).message


def test_delete_db_collection_takes_a_body_without_command(call, db, fails, space_id):
    db("insertMany", docs=ORDERS)
    body = json.dumps({"collection": "orders"})
    answer = call(m.DeleteDBCollectionRequest(space_id=space_id, body=body))
    assert (answer.result, answer.affected_docs) == ("true", 3)
    fails(
        m.DeleteDBCollectionRequest(space_id=space_id, body="{oops"),
        "InvalidParameter",
        400,
    )


def test_rename_keeps_the_documents_and_their_order(call, db, space_id):
    db("insertMany", docs=ORDERS)
    call(
        m.RenameDBCollectionRequest(
            space_id=space_id, origin_collection="orders", new_collection="archive"
        )
    )
    ids = [doc["_id"] for doc in json.loads(db("find", collection="archive").result)]
    assert ids == [1, 2, 3]


def test_a_space_on_a_database_file_keeps_its_documents(
    call, state, space_id, tmp_path
):
    path = tmp_path / "db.sqlite"
    first = DocumentDB(path)
    state.spaces[space_id].db = DbStore(docs=first.space(space_id))
    body = json.dumps({"command": "insertOne", "collection": "c", "doc": {"_id": "k"}})
    call(m.RunDBCommandRequest(space_id=space_id, body=body))
    first.close()
    state.spaces[space_id].db = DbStore(docs=DocumentDB(path).space(space_id))
    find = json.dumps({"command": "find", "collection": "c"})
    answer = call(m.RunDBCommandRequest(space_id=space_id, body=find))
    assert json.loads(answer.result) == [{"_id": "k"}]
    state.spaces[space_id].db.docs.db.close()

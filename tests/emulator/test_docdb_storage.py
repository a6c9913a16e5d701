"""Storage of the document database: files, spaces, collections, backups, restores."""

from __future__ import annotations

import json

import pytest

from aiompsls.emulator.docdb import (
    BackupNotFoundError,
    BackupsView,
    CollectionExistsError,
    CollectionNotFoundError,
    CollectionsView,
    DocumentDB,
    InvalidCommandError,
    SpaceDB,
)


def insert(space, collection, *docs):
    space.run({"command": "insertMany", "collection": collection, "docs": list(docs)})


def find(space, collection, **fields):
    body = {"command": "find", "collection": collection, **fields}
    return json.loads(space.run(body).result)


def test_reopening_the_same_file_finds_the_data(tmp_path):
    path = tmp_path / "state.sqlite"
    with DocumentDB(path) as db:
        space = db.space("s1")
        insert(space, "people", {"_id": 1, "name": "ann"}, {"_id": 2, "name": "bob"})
        space.run(
            {
                "command": "updateOne",
                "collection": "people",
                "filter": {"_id": 2},
                "update": {"$set": {"age": 3}},
            }
        )
        space.backup("b1", 1000)
        db.space("s1").run({"command": "insertOne", "collection": "empty", "doc": {}})
        db.space("s1").run(
            {"command": "deleteMany", "collection": "empty", "filter": {}}
        )
    with DocumentDB(path) as again:
        space = again.space("s1")
        assert find(space, "people") == [
            {"_id": 1, "name": "ann"},
            {"_id": 2, "name": "bob", "age": 3},
        ]
        assert space.collection_names() == ["empty", "people"]
        assert [(b.backup_id, b.dump_ms) for b in space.backups()] == [("b1", 1000)]


def test_spaces_of_one_database_are_separate():
    with DocumentDB() as db:
        insert(db.space("one"), "c", {"_id": 1})
        insert(db.space("two"), "c", {"_id": 1})  # same _id, other space: no clash
        assert find(db.space("one"), "c") == [{"_id": 1}]
        db.space("one").clear()
        assert db.space("one").collection_names() == []
        assert db.space("two").collection_names() == ["c"]


def test_updates_keep_natural_order():
    space = SpaceDB.in_memory()
    insert(space, "c", {"_id": "z"}, {"_id": "a"}, {"_id": "m"})
    space.run(
        {
            "command": "updateOne",
            "collection": "c",
            "filter": {"_id": "z"},
            "update": {"$set": {"v": 1}},
        }
    )
    assert [d["_id"] for d in space.documents("c")] == ["z", "a", "m"]


def test_rename_moves_documents_and_checks_names():
    space = SpaceDB.in_memory()
    insert(space, "old", {"_id": 1})
    insert(space, "taken", {"_id": 2})
    with pytest.raises(CollectionNotFoundError):
        space.rename("ghost", "x")
    with pytest.raises(CollectionExistsError):
        space.rename("old", "taken")
    space.rename("old", "new")
    assert space.collection_names() == ["new", "taken"]
    assert list(space.documents("new")) == [{"_id": 1}]


def test_data_size_counts_compact_utf8_json():
    space = SpaceDB.in_memory()
    insert(space, "c", {"_id": "é"})
    assert space.data_size() == len('{"_id":"é"}'.encode())


def test_a_backup_is_a_snapshot_and_restores_under_new_names():
    space = SpaceDB.in_memory()
    insert(space, "people", {"_id": 1}, {"_id": 2})
    space.run({"command": "insertOne", "collection": "empty", "doc": {"_id": 0}})
    space.run({"command": "deleteOne", "collection": "empty", "filter": {}})
    info = space.backup("b1", 5)
    assert (info.backup_id, info.dump_ms, info.collections) == (
        "b1",
        5,
        ("empty", "people"),
    )
    space.run({"command": "deleteMany", "collection": "people", "filter": {}})
    assert space.restore("b1", [("people", "back"), ("empty", "empty2")]) == 2
    assert list(space.documents("back")) == [{"_id": 1}, {"_id": 2}]
    assert space.has_collection("empty2")
    assert space.backup_size("b1", ["people"]) == 2


@pytest.mark.parametrize(
    ("backup_id", "pairs", "error"),
    [
        ("nope", [("people", "x")], BackupNotFoundError),
        ("b1", [("ghost", "x")], CollectionNotFoundError),
        ("b1", [("people", "people")], CollectionExistsError),
        ("b1", [("people", "x"), ("people", "x")], InvalidCommandError),
        ("b1", [], InvalidCommandError),
    ],
)
def test_a_restore_checks_everything_before_copying(backup_id, pairs, error):
    space = SpaceDB.in_memory()
    insert(space, "people", {"_id": 1})
    space.backup("b1", 5)
    with pytest.raises(error):
        space.check_restore(backup_id, pairs)
    with pytest.raises(error):
        space.restore(backup_id, pairs)
    assert space.collection_names() == ["people"]


def test_backups_are_listed_oldest_first_and_can_be_deleted():
    space = SpaceDB.in_memory()
    space.backup("late", 20)
    space.backup("early", 10)
    assert [b.backup_id for b in space.backups()] == ["early", "late"]
    space.delete_backup("early")
    assert [b.backup_id for b in space.backups()] == ["late"]
    with pytest.raises(BackupNotFoundError):
        space.backup_info("early")


def test_the_views_read_the_database():
    space = SpaceDB.in_memory()
    insert(space, "c", {"_id": 1})
    space.backup("b", 1)
    collections, backups = CollectionsView(space), BackupsView(space)
    assert (dict(collections), "c" in collections, "d" in collections) == (
        {"c": [{"_id": 1}]},
        True,
        False,
    )
    assert (list(backups), backups["b"].dump_ms, len(backups)) == (["b"], 1, 1)
    with pytest.raises(KeyError):
        collections["d"]
    with pytest.raises(KeyError):
        backups["x"]

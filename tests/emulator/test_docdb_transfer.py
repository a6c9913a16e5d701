"""Export and import files of DB tasks (API reference 8.3-8.6), to and from streams.

CreateDBImportTask: "INSERT（默认）：导入出现冲突则忽略。" (INSERT ignores
conflicts) and "UPSERT：导入出现冲突则使用文件中的内容更新。" (UPSERT updates from
the file); CreateDBExportTask: JSON or CSV, ``Fields`` required for CSV.
"""

from __future__ import annotations

import io
import itertools
import json

import pytest

from aiompsls.emulator.docdb import (
    CollectionNotFoundError,
    InvalidFileError,
    SpaceDB,
)

PEOPLE = [
    {"_id": "a", "name": "ann", "tags": ["x"], "home": {"city": "Hangzhou"}},
    {"_id": "b", "name": "bob, jr", "age": 3},
]


@pytest.fixture
def space():
    db = SpaceDB.in_memory()
    db.run({"command": "insertMany", "collection": "people", "docs": PEOPLE})
    return db


def ids():
    counter = itertools.count(1)
    return lambda: f"id{next(counter)}"


def exported(space, file_type, fields=()):
    out = io.BytesIO()
    count = space.export("people", out, file_type, fields)
    return count, out.getvalue().decode()


def test_a_json_export_writes_one_document_per_line(space):
    count, text = exported(space, "JSON")
    assert count == 2
    assert text.splitlines() == [
        '{"_id":"a","name":"ann","tags":["x"],"home":{"city":"Hangzhou"}}',
        '{"_id":"b","name":"bob, jr","age":3}',
    ]


def test_a_csv_export_writes_the_fields_with_dotted_paths(space):
    count, text = exported(space, "CSV", ["_id", "name", "tags", "home.city", "age"])
    assert count == 2
    assert text.splitlines() == [
        "_id,name,tags,home.city,age",
        'a,ann,"[""x""]",Hangzhou,',
        'b,"bob, jr",,,3',
    ]


def test_an_export_goes_to_a_file_path(space, tmp_path):
    path = tmp_path / "out.json"
    assert space.export("people", path, "JSON") == 2
    assert [json.loads(line) for line in path.read_text().splitlines()] == PEOPLE


def test_exporting_a_missing_collection_fails(space):
    with pytest.raises(CollectionNotFoundError):
        space.export("ghosts", io.BytesIO(), "JSON")


@pytest.mark.parametrize(
    ("file_type", "mode", "payload", "counts", "stored"),
    [
        # INSERT: the conflicting "a" is ignored and counted as failed
        (
            "JSON",
            "INSERT",
            b'{"_id":"a","name":"new"}\n\n{"_id":"c","name":"cid"}\n',
            (1, 1),
            {"a": "ann", "b": "bob, jr", "c": "cid"},
        ),
        # UPSERT from a JSON array: "a" is overwritten, a new id is made for dan
        (
            "JSON",
            "UPSERT",
            b' [ {"_id":"a","name":"new"} , {"name":"dan"} ] ',
            (2, 0),
            {"a": "new", "b": "bob, jr", "id1": "dan"},
        ),
        # per-record failures: an unreadable line and a non-object are counted
        (
            "JSON",
            "INSERT",
            b'{"_id":"c","name":"cid"}\n{broken\n[1]\n{"_id":"d","name":"dee"}\n',
            (2, 2),
            {"a": "ann", "b": "bob, jr", "c": "cid", "d": "dee"},
        ),
        (
            "CSV",
            "INSERT",
            b"\xef\xbb\xbf_id,name,age\nc,cid,7\na,dup,1\n",
            (1, 1),
            {"a": "ann", "b": "bob, jr", "c": "cid"},
        ),
    ],
)
def test_an_import_stores_records_by_mode(
    space, file_type, mode, payload, counts, stored
):
    result = space.import_file(
        "people", io.BytesIO(payload), file_type, mode, new_id=ids()
    )
    assert (result.success, result.failed) == counts
    assert {d["_id"]: d["name"] for d in space.documents("people")} == stored


def test_csv_cells_become_numbers_json_and_nested_fields():
    space = SpaceDB.in_memory()
    payload = b'name,age,ratio,zip,tags,home.city,blank\nann,30,0.5,007,"[""x""]",HZ,\n'
    space.import_file("c", io.BytesIO(payload), "CSV", "INSERT", new_id=ids())
    assert list(space.documents("c")) == [
        {
            "_id": "id1",
            "name": "ann",
            "age": 30,
            "ratio": 0.5,
            "zip": "007",
            "tags": ["x"],
            "home": {"city": "HZ"},
        }
    ]


def test_a_csv_row_that_cannot_make_a_document_counts_as_failed():
    space = SpaceDB.in_memory()
    payload = b"a,a.b,c\n1,2,{not json\n,,x\n"
    counts = space.import_file("c", io.BytesIO(payload), "CSV", "INSERT", new_id=ids())
    assert (counts.success, counts.failed) == (1, 1)
    assert list(space.documents("c")) == [{"_id": "id1", "c": "x"}]
    first = SpaceDB.in_memory()
    first.import_file("c", io.BytesIO(b"c\n{not json\n"), "CSV", "INSERT")
    assert [doc["c"] for doc in first.documents("c")] == ["{not json"]


def test_an_export_imports_back_unchanged(space, tmp_path):
    path = tmp_path / "people.json"
    space.export("people", path, "JSON")
    other = SpaceDB.in_memory()
    counts = other.import_file("copy", path, "JSON", "INSERT")
    assert (counts.success, counts.failed) == (2, 0)
    assert list(other.documents("copy")) == PEOPLE


def test_a_large_json_array_is_read_in_chunks():
    docs = [
        {"_id": i, "text": "x" * 300} for i in range(600)
    ]  # > several 64 KiB chunks
    space = SpaceDB.in_memory()
    payload = json.dumps(docs).encode()
    counts = space.import_file("big", io.BytesIO(payload), "JSON", "INSERT")
    assert (counts.success, counts.failed) == (600, 0)
    assert list(space.documents("big")) == docs


@pytest.mark.parametrize(
    ("file_type", "payload", "mentions"),
    [
        ("JSON", b"{not json", "JSON"),
        ("JSON", b'[{"_id":1}, {oops}]', "array"),
        ("JSON", b"\xff\xfe\x00", "UTF-8"),
        ("CSV", b"", "header"),
    ],
)
def test_an_unreadable_file_is_an_invalid_file(file_type, payload, mentions):
    space = SpaceDB.in_memory()
    with pytest.raises(InvalidFileError) as info:
        space.import_file("c", io.BytesIO(payload), file_type, "INSERT")
    assert mentions in info.value.message


def test_an_empty_json_file_imports_nothing():
    space = SpaceDB.in_memory()
    counts = space.import_file("c", io.BytesIO(b"\n \n"), "JSON", "INSERT")
    assert (counts.success, counts.failed) == (0, 0)


def test_export_chunks_stream_the_same_file_in_pieces():
    space = SpaceDB.in_memory()
    docs = [{"_id": i, "text": "é" * 200} for i in range(500)]
    space.run({"command": "insertMany", "collection": "big", "docs": docs})
    chunks = list(space.export_chunks("big", "JSON"))
    assert len(chunks) > 1
    whole = io.BytesIO()
    assert space.export("big", whole, "JSON") == space.count("big") == 500
    assert b"".join(chunks) == whole.getvalue()
    csv_chunks = b"".join(space.export_chunks("big", "CSV", ["_id"]))
    assert csv_chunks.decode().splitlines()[:3] == ["_id", "0", "1"]


def test_export_chunks_of_a_missing_collection_fail_at_once():
    with pytest.raises(CollectionNotFoundError):
        SpaceDB.in_memory().export_chunks("ghosts", "JSON")


def test_numbers_beyond_a_double_fail_their_record_and_nothing_else():
    space = SpaceDB.in_memory()
    payload = b'{"_id":1,"n":1.5}\n{"_id":2,"n":1e400}\n{"_id":3,"n":-1e999}'
    counts = space.import_file("c", io.BytesIO(payload), "JSON", "INSERT")
    assert (counts.success, counts.failed) == (1, 2)
    assert list(space.documents("c")) == [{"_id": 1, "n": 1.5}]


def test_csv_numbers_that_fit_no_number_type_stay_text():
    space = SpaceDB.in_memory()
    digits = "9" * 5000  # more digits than Python converts to an int
    payload = f"_id,big,huge\n1,1e400,{digits}\n".encode()
    space.import_file("c", io.BytesIO(payload), "CSV", "INSERT")
    assert list(space.documents("c")) == [{"_id": 1, "big": "1e400", "huge": digits}]


@pytest.mark.parametrize(
    ("payload", "mentions"),
    [
        (b"[" + b"[" * 100_000 + b"]" * 100_000 + b"]", "nests too deeply"),
        (b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", "not a JSON document"),
    ],
    ids=["array", "lines"],
)
def test_a_file_nested_beyond_parsing_is_an_invalid_file(payload, mentions):
    space = SpaceDB.in_memory()
    with pytest.raises(InvalidFileError) as info:
        space.import_file("c", io.BytesIO(payload), "JSON", "INSERT")
    assert mentions in info.value.message

"""DB export, import and restore tasks, and backups."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from aiompsls import models as m
from aiompsls.emulator._registry import TaskAdvance
from aiompsls.emulator.buckets import SHARE_BUCKET


@pytest.fixture
def people(call, space_id):
    docs = [{"_id": "a", "name": "ann", "tags": ["x"]}, {"_id": "b", "name": "bob"}]
    body = {"command": "insertMany", "collection": "people", "data": docs}
    call(m.RunDBCommandRequest(space_id=space_id, body=json.dumps(body)))
    return docs


def _export(call, space_id, **kwargs):
    kwargs.setdefault("file_type", "JSON")
    request = m.CreateDBExportTaskRequest(
        space_id=space_id, collection="people", **kwargs
    )
    return call(request).task_id


def _export_file(state, task):
    """The export's file, as its DownloadUrl serves it."""
    return state.objects.path(SHARE_BUCKET, task.file_key).read_text()


def _upload(state, task, payload):
    """Store ``payload`` where the task's PostObject upload lands."""
    state.objects.put_bytes(
        SHARE_BUCKET, task.file_key, payload, content_type="", modified_ms=0
    )


def _poll_export(call, space_id, task_id):
    return call(m.QueryDBExportTaskStatusRequest(space_id=space_id, task_id=task_id))


def test_an_export_moves_one_step_per_poll_and_then_has_its_file(
    call, state, space_id, people
):
    task_id = _export(call, space_id)
    answers = [_poll_export(call, space_id, task_id) for _ in range(4)]
    assert [a.status for a in answers] == ["WAITING", "RUNNING", "SUCCESS", "SUCCESS"]
    assert answers[1].download_url is None
    assert answers[1].exported_count is None
    assert answers[2].exported_count == "2"
    assert "/_oss/mps-emulator-share/mongo/export/" in answers[2].download_url
    task = state.spaces[space_id].db.tasks[task_id]
    assert _export_file(state, task).splitlines() == [
        '{"_id":"a","name":"ann","tags":["x"]}',
        '{"_id":"b","name":"bob"}',
    ]


def test_a_csv_export_writes_the_requested_fields(call, state, space_id, people):
    task_id = _export(call, space_id, file_type="CSV", fields="name, tags")
    for _ in range(3):
        _poll_export(call, space_id, task_id)
    output = _export_file(state, state.spaces[space_id].db.tasks[task_id])
    assert output.splitlines() == ["name,tags", 'ann,"[""x""]"', "bob,"]


def test_a_csv_export_needs_fields(fails, space_id, people):
    request = m.CreateDBExportTaskRequest(
        space_id=space_id, collection="people", file_type="CSV"
    )
    assert "Fields" in fails(request, "InvalidParameter", 400).message


def test_exporting_an_unknown_collection_is_not_found(fails, space_id):
    request = m.CreateDBExportTaskRequest(
        space_id=space_id, collection="ghosts", file_type="JSON"
    )
    fails(request, "InvalidCollection.NotFound", 404)


def test_an_export_fails_when_its_collection_vanishes(call, space_id, people):
    task_id = _export(call, space_id)
    drop = json.dumps({"command": "drop", "collection": "people"})
    call(m.RunDBCommandRequest(space_id=space_id, body=drop))
    answers = [_poll_export(call, space_id, task_id) for _ in range(3)]
    assert answers[-1].status == "FAILED"
    assert "people" in answers[-1].detail_message


def _import(call, space_id, *, file_type="JSON", mode="INSERT"):
    return call(
        m.CreateDBImportTaskRequest(
            space_id=space_id, collection="people", file_type=file_type, mode=mode
        )
    )


def _poll_import(call, space_id, task_id, times):
    request = m.QueryDBImportTaskStatusRequest(space_id=space_id, task_id=task_id)
    return [call(request) for _ in range(times)]


def test_an_import_hands_out_post_object_material(call, ctx, state, space_id):
    answer = _import(call, space_id, file_type="CSV")
    assert answer.host == "http://127.0.0.1:8765/_oss/mps-emulator-share"
    assert answer.file_key.startswith(f"mongo/import/{space_id}/20240506070809_")
    assert answer.file_key.endswith(f"{answer.task_id}.csv")
    assert answer.access_key_id == state.oss_access_key_id
    policy = json.loads(base64.b64decode(answer.policy))
    assert policy["expiration"] == "2024-05-06T08:08:09.123Z"
    assert {"key": answer.file_key} in policy["conditions"]
    assert answer.expire_time == "2024-05-06T08:08:09Z"
    digest = hmac.new(
        state.oss_access_key_secret.encode(), answer.policy.encode(), hashlib.sha1
    ).digest()
    assert answer.signature == base64.b64encode(digest).decode()


def test_an_import_without_a_file_succeeds_with_nothing_imported(call, space_id):
    task_id = _import(call, space_id).task_id
    answers = _poll_import(call, space_id, task_id, 5)
    statuses = [a.status for a in answers]
    assert statuses == ["NEW", "WAITING", "RUNNING", "SUCCESS", "SUCCESS"]
    assert answers[2].success_count is None
    assert (answers[3].success_count, answers[3].failed_count) == ("0", "0")


@pytest.mark.parametrize(
    ("file_type", "mode", "payload", "counts", "names"),
    [
        (
            "JSON",
            "INSERT",
            b'{"_id":"a","name":"new"}\n{"_id":"c","name":"cid"}\n',
            ("1", "1"),
            ["ann", "bob", "cid"],
        ),
        (
            "JSON",
            "UPSERT",
            b'[{"_id":"a","name":"new"},{"name":"dan"}]',
            ("2", "0"),
            ["new", "bob", "dan"],
        ),
        ("CSV", "INSERT", b"name,age\neve,3\n", ("1", "0"), ["ann", "bob", "eve"]),
    ],
)
def test_an_uploaded_file_is_imported_by_mode(
    call, state, space_id, people, file_type, mode, payload, counts, names
):
    task_id = _import(call, space_id, file_type=file_type, mode=mode).task_id
    _upload(state, state.spaces[space_id].db.tasks[task_id], payload)
    done = _poll_import(call, space_id, task_id, 4)[-1]
    assert (done.status, (done.success_count, done.failed_count)) == ("SUCCESS", counts)
    found = call(
        m.RunDBCommandRequest(
            space_id=space_id, body='{"command":"find","collection":"people"}'
        )
    )
    docs = json.loads(found.result)
    assert [doc["name"] for doc in docs] == names
    assert all(isinstance(doc["_id"], str) for doc in docs)


def test_an_unreadable_import_file_fails_the_task(call, state, space_id):
    task_id = _import(call, space_id).task_id
    _upload(state, state.spaces[space_id].db.tasks[task_id], b"{not json")
    done = _poll_import(call, space_id, task_id, 4)[-1]
    assert done.status == "FAILED"
    assert done.detail_message.startswith("INVALID_FILE")


def test_tasks_are_found_only_under_their_own_kind(call, fails, space_id, people):
    task_id = _export(call, space_id)
    fails(
        m.QueryDBImportTaskStatusRequest(space_id=space_id, task_id=task_id),
        "InvalidTaskId.NotFound",
        404,
    )
    fails(
        m.QueryDBRestoreTaskStatusRequest(space_id=space_id, task_id="nope"),
        "InvalidTaskId.NotFound",
        404,
    )


def _backups(call, space_id):
    answer = call(m.QueryDBBackupDumpTimesRequest(space_id=space_id))
    return [(b.backup_id, b.dump_time) for b in answer.backup_dump_times]


def test_a_backup_is_taken_once_a_day_and_kept_seven_days(call, ctx, space_id, people):
    (first,) = _backups(call, space_id)
    assert first == (f"20240506070809_{space_id}", "2024-05-06T07:08:09Z")
    assert _backups(call, space_id) == [first]
    ctx.now += timedelta(days=1)
    assert len(_backups(call, space_id)) == 2
    ctx.now += timedelta(days=7, seconds=1)
    assert [b[1] for b in _backups(call, space_id)] == ["2024-05-14T07:08:10Z"]


def test_a_backup_lists_its_collections(call, fails, space_id, people):
    call(
        m.RunDBCommandRequest(
            space_id=space_id, body='{"command":"insertOne","collection":"a","data":{}}'
        )
    )
    ((backup_id, _),) = _backups(call, space_id)
    answer = call(
        m.QueryDBBackupCollectionsRequest(space_id=space_id, backup_id=backup_id)
    )
    assert answer.collections == ("a", "people")
    fails(
        m.QueryDBBackupCollectionsRequest(space_id=space_id, backup_id="x"),
        "InvalidBackupId.NotFound",
        404,
    )


def _restore(space_id, backup_id, origins="people", targets="restored"):
    return m.CreateDBRestoreTaskRequest(
        space_id=space_id,
        backup_id=backup_id,
        origin_collections=origins,
        new_collections=targets,
    )


def test_a_restore_copies_the_backup_under_the_new_name(call, space_id, people):
    ((backup_id, _),) = _backups(call, space_id)
    drop = json.dumps({"command": "deleteMany", "collection": "people"})
    call(m.RunDBCommandRequest(space_id=space_id, body=drop))
    task_id = call(_restore(space_id, backup_id)).task_id
    request = m.QueryDBRestoreTaskStatusRequest(space_id=space_id, task_id=task_id)
    answers = [call(request) for _ in range(3)]
    assert [a.status for a in answers] == ["WAITING", "RUNNING", "SUCCESS"]
    # SuccessCount is "成功回档的数据库记录数量": documents restored, not collections.
    assert (answers[2].success_count, answers[2].failed_count) == (2, 0)
    count = '{"command":"count","collection":"restored"}'
    assert call(m.RunDBCommandRequest(space_id=space_id, body=count)).result == "2"


@pytest.mark.parametrize(
    ("origins", "targets", "code", "status", "mentions"),
    [
        ("people", "people", "Collection.AlreadyExists", 409, "people"),
        ("ghosts", "x", "InvalidCollection.NotFound", 404, "ghosts"),
        ("people", "x,y", "InvalidParameter", 400, "NewCollections"),
        ("people,people", "x,x", "InvalidParameter", 400, "NewCollections"),
    ],
)
def test_a_restore_checks_its_names(
    call, fails, space_id, people, origins, targets, code, status, mentions
):
    ((backup_id, _),) = _backups(call, space_id)
    error = fails(_restore(space_id, backup_id, origins, targets), code, status)
    assert mentions in error.message


def test_a_restore_fails_when_its_target_appears_meanwhile(call, space_id, people):
    ((backup_id, _),) = _backups(call, space_id)
    task_id = call(_restore(space_id, backup_id)).task_id
    insert = '{"command":"insertOne","collection":"restored","data":{}}'
    call(m.RunDBCommandRequest(space_id=space_id, body=insert))
    request = m.QueryDBRestoreTaskStatusRequest(space_id=space_id, task_id=task_id)
    done = [call(request) for _ in range(3)][-1]
    assert (done.status, done.failed_count) == ("FAILED", 2)
    assert "restored" in done.detail_message


def test_a_restore_of_an_unknown_backup_is_not_found(fails, space_id):
    fails(_restore(space_id, "nope"), "InvalidBackupId.NotFound", 404)


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ([0, 0, 0], ["WAITING", "WAITING", "WAITING"]),
        ([0, 1.9, 2.0, 4.0], ["WAITING", "WAITING", "RUNNING", "SUCCESS"]),
        ([0, 60], ["WAITING", "SUCCESS"]),
    ],
    ids=["no-time-passes", "one-step-per-2s", "jumps-to-the-end"],
)
def test_time_driven_tasks_move_with_the_clock_not_the_polls(
    ctx, call, state, space_id, people, offsets, expected
):
    ctx.task_advance = TaskAdvance(mode="time", step_seconds=2)
    start = ctx.now
    task_id = _export(call, space_id)
    answers = []
    for offset in offsets:
        ctx.now = start + timedelta(seconds=offset)
        answers.append(_poll_export(call, space_id, task_id))
    assert [a.status for a in answers] == expected
    if expected[-1] == "SUCCESS":
        assert answers[-1].exported_count == "2"
        task = state.spaces[space_id].db.tasks[task_id]
        assert len(_export_file(state, task).splitlines()) == 2

"""The object store: ETags, streamed atomic writes, listings, copies and reloads.

ETag and Content-MD5 values come from the OSS documentation (vectors in
tests/core/vectors/oss_v1_signatures.json).
"""

from __future__ import annotations

import json
import pathlib

import pytest

from aiompsls.emulator.objects import ObjectStore
from aiompsls.emulator.uploads import FLUSH_SIZE, ObjectTooLargeError, iter_file

DIGESTS = json.loads(
    (
        pathlib.Path(__file__).parents[1]
        / "core"
        / "vectors"
        / "oss_v1_signatures.json"
    ).read_text(encoding="utf-8")
)["digests"]
BUCKET = "mps-emulator-files"


@pytest.fixture
def store(tmp_path):
    return ObjectStore(tmp_path / "objects")


def _leftovers(store):
    """Files under the root that belong to no object (temporary or orphaned)."""
    tmp = store.root / ".tmp"
    return sorted(tmp.iterdir()) if tmp.exists() else []


@pytest.mark.parametrize("vector", DIGESTS, ids=[d["id"] for d in DIGESTS])
def test_an_object_gets_the_documented_etag_and_content_md5(store, vector):
    info = store.put_bytes(
        BUCKET,
        "k",
        vector["content"].encode(),
        content_type="text/plain",
        modified_ms=7,
    )
    assert info.etag == vector["etag"]
    assert info.content_md5 == vector["content_md5"]
    assert (info.size, info.content_type, info.modified_ms) == (
        len(vector["content"]),
        "text/plain",
        7,
    )


async def test_a_streamed_upload_is_visible_only_after_its_commit(store):
    chunk = b"x" * (FLUSH_SIZE // 2 + 1)
    async with store.begin(BUCKET, "big.bin") as pending:
        for _ in range(5):
            await pending.write(chunk)
        assert store.stat(BUCKET, "big.bin") is None
        info = await pending.commit(content_type="a/b", modified_ms=1)
    assert store.stat(BUCKET, "big.bin") == info
    assert info.size == 5 * len(chunk)
    assert store.path(BUCKET, "big.bin").read_bytes() == chunk * 5
    assert _leftovers(store) == []


async def _upload(store, key, chunks, *, limit=None, fail=False):
    async with store.begin(BUCKET, key, limit=limit) as pending:
        for chunk in chunks:
            await pending.write(chunk)
        if fail:
            raise RuntimeError("the client went away")
        return await pending.commit(content_type="", modified_ms=0)


async def test_an_upload_that_fails_leaves_nothing(store):
    store.put_bytes(BUCKET, "k", b"old", content_type="", modified_ms=0)
    with pytest.raises(RuntimeError):
        await _upload(store, "k", [b"x" * (FLUSH_SIZE + 1)], fail=True)
    assert store.path(BUCKET, "k").read_bytes() == b"old"
    assert _leftovers(store) == []


async def test_an_upload_past_its_limit_is_refused_and_discarded(store):
    with pytest.raises(ObjectTooLargeError) as info:
        await _upload(store, "k", [b"123456", b"78901"], limit=10)
    assert (info.value.size, info.value.limit) == (11, 10)
    assert store.stat(BUCKET, "k") is None
    assert _leftovers(store) == []


async def test_an_object_streams_out_in_chunks(store):
    data = bytes(range(256)) * 5000
    store.put_bytes(BUCKET, "k", data, content_type="", modified_ms=0)
    opened = store.open(BUCKET, "k")
    assert opened is not None
    info, handle = opened
    with handle:
        chunks = [chunk async for chunk in iter_file(handle, 100_000)]
    assert [len(c) for c in chunks] == [100_000] * 12 + [80_000]
    assert b"".join(chunks) == data
    assert info.size == len(data)


def test_a_reader_keeps_its_content_while_the_object_is_replaced(store):
    store.put_bytes(BUCKET, "k", b"first", content_type="", modified_ms=0)
    opened = store.open(BUCKET, "k")
    assert opened is not None
    with opened[1] as handle:
        store.put_bytes(BUCKET, "k", b"second", content_type="", modified_ms=1)
        assert handle.read() == b"first"
    assert store.path(BUCKET, "k").read_bytes() == b"second"
    assert len(list(store.root.glob(f"{BUCKET}/*/*"))) == 2  # one data, one metadata


KEYS = ["a/1", "a/2", "a/3", "ab", "b/1", "b/2"]


@pytest.mark.parametrize(
    ("prefix", "marker", "limit", "expected"),
    [
        ("", "", None, KEYS),
        ("a/", "", None, ["a/1", "a/2", "a/3"]),
        ("a", "", None, ["a/1", "a/2", "a/3", "ab"]),
        ("a/", "a/1", None, ["a/2", "a/3"]),
        ("", "a/3", 2, ["ab", "b/1"]),
        ("b/", "a/9", None, ["b/1", "b/2"]),
        ("a/", "b", None, []),
        ("c", "", None, []),
        ("", "", 0, []),
    ],
)
def test_listing_is_by_prefix_after_the_marker_in_key_order(
    store, prefix, marker, limit, expected
):
    for key in reversed(KEYS):
        store.put_bytes(BUCKET, key, key.encode(), content_type="", modified_ms=0)
    listed = store.list_objects(BUCKET, prefix=prefix, marker=marker, limit=limit)
    assert [info.key for info in listed] == expected


def test_delete_copy_and_move(store):
    store.put_bytes(BUCKET, "a", b"A", content_type="text/plain", modified_ms=1)
    copied = store.copy(BUCKET, "a", "mps-emulator-static", "s/a", modified_ms=2)
    moved = store.move(BUCKET, "a", BUCKET, "b", modified_ms=3)
    assert (copied.etag, copied.content_type, copied.modified_ms) == (
        moved.etag,
        "text/plain",
        2,
    )
    assert [info.key for info in store.list_objects(BUCKET)] == ["b"]
    assert store.path("mps-emulator-static", "s/a").read_bytes() == b"A"
    assert store.delete(BUCKET, "b") is True
    assert store.delete(BUCKET, "b") is False
    assert store.list_objects(BUCKET) == []
    with pytest.raises(KeyError):
        store.copy(BUCKET, "b", BUCKET, "c", modified_ms=0)


def test_a_store_reopened_on_its_root_finds_its_objects_and_drops_leftovers(tmp_path):
    first = ObjectStore(tmp_path)
    info = first.put_bytes(
        BUCKET, "dir/é.txt", b"kept", content_type="t", modified_ms=5
    )
    first.put_bytes(BUCKET, "gone", b"x", content_type="", modified_ms=0)
    first.delete(BUCKET, "gone")
    kept = first.path(BUCKET, "dir/é.txt")
    assert kept is not None
    data_dir = kept.parent
    (data_dir / "orphan.0123").write_bytes(b"an unfinished write")
    (first.root / ".tmp" / "partial").write_bytes(b"half")
    second = ObjectStore(tmp_path)
    assert second.stat(BUCKET, "dir/é.txt") == info
    assert second.path(BUCKET, "dir/é.txt") == kept
    assert kept.read_bytes() == b"kept"
    assert [i.key for i in second.list_objects(BUCKET)] == ["dir/é.txt"]
    assert not (data_dir / "orphan.0123").exists()
    assert _leftovers(second) == []


def test_a_temporary_root_is_made_on_first_use_and_removed_on_close():
    store = ObjectStore()
    store.put_bytes(BUCKET, "k", b"x", content_type="", modified_ms=0)
    root = store.root
    assert root.is_dir()
    store.close()
    assert not root.exists()
    assert store.stat(BUCKET, "k") is None


def test_clear_empties_a_given_root_and_keeps_it(store):
    store.put_bytes(BUCKET, "k", b"x", content_type="", modified_ms=0)
    store.clear()
    assert store.list_objects(BUCKET) == []
    assert store.root.is_dir()
    assert list(store.root.iterdir()) == []


@pytest.mark.parametrize("bucket", ["", "UPPER", "../x", "a", "a/b"])
def test_only_bucket_names_are_accepted(store, bucket):
    with pytest.raises(ValueError, match="not a bucket name"):
        store.put_bytes(bucket, "k", b"", content_type="", modified_ms=0)

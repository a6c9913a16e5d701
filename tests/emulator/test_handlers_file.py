"""File storage: signed upload URL, RegisterFile, ListFile, DeleteFile.

Uploads are stored in the state's object store as the signed PUT would store them.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from aiompsls import models as m
from aiompsls.emulator.buckets import FILE_BUCKET


def _upload(call, space_id, name="a.png", content_type="image/png", size=3):
    return call(
        m.DescribeFileUploadSignedUrlRequest(
            space_id=space_id, filename=name, content_type=content_type, size=size
        )
    )


def _put(state, answer, data=b"png", content_type="image/png"):
    """Store ``data`` where the answer's SignUrl PUT would."""
    key = urlsplit(answer.sign_url).path.removeprefix(f"/_oss/{FILE_BUCKET}/")
    state.objects.put_bytes(
        FILE_BUCKET, key, data, content_type=content_type, modified_ms=0
    )


def _register(call, state, space_id, *names):
    ids = []
    for name in names:
        answer = _upload(call, space_id, name=name)
        _put(state, answer)
        call(m.RegisterFileRequest(space_id=space_id, id=answer.id))
        ids.append(answer.id)
    return ids


def _listed(call, space_id, **kwargs):
    return call(m.ListFileRequest(space_id=space_id, **kwargs))


def test_the_signed_url_is_a_put_for_a_new_object(call, space_id):
    answer = _upload(call, space_id, name="photo.JPG", content_type="JPG")
    url = urlsplit(answer.sign_url)
    assert url.path == f"/_oss/mps-emulator-files/{space_id}/{answer.id}.JPG"
    assert set(parse_qs(url.query)) == {"OSSAccessKeyId", "Expires", "Signature"}
    assert (answer.http_status_code, answer.code, answer.success) == ("200", "OK", True)


def test_a_file_is_listed_only_once_registered_with_its_stored_size(
    call, state, space_id
):
    answer = _upload(call, space_id, size=1000)
    file_id = answer.id
    _put(state, answer, b"\x89PNG")
    assert _listed(call, space_id).data_list == ()
    call(m.RegisterFileRequest(space_id=space_id, id=file_id))
    (item,) = _listed(call, space_id).data_list
    assert (item.id, item.name, item.type, item.size) == (
        file_id,
        "a.png",
        "image/png",
        4,
    )
    assert (
        item.url
        == f"http://127.0.0.1:8765/_oss/mps-emulator-files/{space_id}/{file_id}.png"
    )
    assert item.gmt_create == "2024-05-06T07:08:09.123Z"


@pytest.mark.parametrize(
    ("kwargs", "names", "total"),
    [
        ({}, ["cat.png", "dog.png", "cat2.jpg"], 3),
        ({"keyword": "CAT"}, ["cat.png", "cat2.jpg"], 2),
        ({"page_size": 2, "page_num": 2}, ["cat2.jpg"], 3),
        ({"page_num": 5}, [], 3),
    ],
)
def test_list_file_filters_by_keyword_and_pages(
    call, state, space_id, kwargs, names, total
):
    _register(call, state, space_id, "cat.png", "dog.png", "cat2.jpg")
    listed = _listed(call, space_id, **kwargs)
    assert [item.name for item in listed.data_list] == names
    assert listed.paginator.total == total


def test_list_file_selects_by_ids_or_urls(call, state, space_id):
    first, second, _ = _register(call, state, space_id, "a", "b", "c")
    url = _listed(call, space_id, file_id=second).data_list[0].url
    listed = _listed(call, space_id, file_id=f"{first}, {url}")
    assert [item.id for item in listed.data_list] == [first, second]


def test_delete_file_removes_several_and_is_all_or_nothing(
    call, fails, state, space_id
):
    first, second, third = _register(call, state, space_id, "a", "b", "c")
    request = m.DeleteFileRequest(space_id=space_id, id=f"{first},missing")
    assert "'missing'" in fails(request, "InvalidFileId.NotFound", 404).message
    assert _listed(call, space_id).paginator.total == 3
    call(m.DeleteFileRequest(space_id=space_id, id=f"{first},{third}"))
    assert [item.id for item in _listed(call, space_id).data_list] == [second]
    stored = [info.key for info in state.objects.list_objects(FILE_BUCKET)]
    assert stored == [f"{space_id}/{second}"]


def test_registering_before_the_upload_is_an_invalid_parameter(call, fails, space_id):
    file_id = _upload(call, space_id).id
    error = fails(
        m.RegisterFileRequest(space_id=space_id, id=file_id), "InvalidParameter", 400
    )
    assert "not uploaded" in error.message
    assert _listed(call, space_id).data_list == ()


def test_registering_an_unknown_file_is_not_found(fails, space_id):
    fails(
        m.RegisterFileRequest(space_id=space_id, id="x"), "InvalidFileId.NotFound", 404
    )

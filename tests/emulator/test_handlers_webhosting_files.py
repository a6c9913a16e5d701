"""Static website files: upload credentials, marker pages, describe, delete, move."""

from __future__ import annotations

import base64
import json

import attrs
import pytest

from aiompsls import models as m
from aiompsls.emulator.buckets import STATIC_BUCKET
from aiompsls.emulator.handlers.webhosting_files import (
    hosting_files,
    put_hosting_file,
)


@pytest.fixture
def site(call, state, space_id):
    call(m.OpenWebHostingServiceRequest(space_id=space_id))
    for index, path in enumerate(
        ["index.html", "css/a.css", "css/b.css", "img/x.png", "img/y.png"]
    ):
        put_hosting_file(
            state.objects,
            space_id,
            path,
            path.encode(),
            content_type="text/plain",
            modified_ms=1000 + index,
        )
    return space_id


def _paths(state, space_id):
    head = f"{space_id}/"
    return [
        info.key.removeprefix(head) for info in hosting_files(state.objects, space_id)
    ]


def test_stored_files_get_the_oss_etag(state, site):
    # The OSS PutObject documentation's example: the ETag of empty content.
    stored = put_hosting_file(
        state.objects, site, "/empty.txt", b"", content_type="text/plain", modified_ms=5
    )
    assert (stored.key, stored.size) == (f"{site}/empty.txt", 0)
    assert stored.etag == '"D41D8CD98F00B204E9800998ECF8427E"'
    assert [info.size for info in hosting_files(state.objects, site, "index")] == [10]


@pytest.mark.parametrize(
    ("file_path", "key_rule"),
    [
        ("/css/a.css", "exact"),
        ("css/", "prefix"),
        ("/", "prefix"),
    ],
)
def test_upload_credentials_are_sts_post_object_material(
    call, ctx, state, site, file_path, key_rule
):
    answer = call(
        m.GetWebHostingUploadCredentialRequest(space_id=site, file_path=file_path)
    )
    data = answer.data
    key = f"{site}/{file_path.lstrip('/')}"
    conditions = json.loads(base64.b64decode(data.policy))["conditions"]
    expected = {"key": key} if key_rule == "exact" else ["starts-with", "$key", key]
    assert expected in conditions
    assert ["content-length-range", 0, 52428800] in conditions
    assert data.endpoint == "http://127.0.0.1:8765/_oss/mps-emulator-static"
    assert data.bucket_name == "mps-emulator-static"
    assert data.expired_time == int(ctx.now.timestamp()) + 3600
    assert data.file_path == file_path
    sts = state.oss_sts_key()
    assert (data.access_key_id, data.security_token) == (
        sts.access_key_id,
        sts.security_token,
    )
    assert data.access_key_id.startswith("STS.")
    assert (answer.success, answer.code) == ("true", "success")


def _page(call, space_id, prefix="/", **kwargs):
    answer = call(
        m.ListWebHostingFilesRequest(space_id=space_id, prefix=prefix, **kwargs)
    )
    paths = [f.file_path for f in answer.data.web_hosting_files]
    assert answer.data.count == len(paths)
    return paths, answer.data.next_marker


def test_marker_pages_walk_every_file_in_key_order(call, site):
    seen, marker, pages = [], None, 0
    while True:
        paths, marker = _page(call, site, page_size=2, marker=marker)
        seen += paths
        pages += 1
        if marker is None:
            break
        assert marker == f"{site}/{paths[-1]}"
    assert pages == 3
    assert seen == ["css/a.css", "css/b.css", "img/x.png", "img/y.png", "index.html"]


@pytest.mark.parametrize(
    ("prefix", "paths"),
    [
        ("/img/", ["img/x.png", "img/y.png"]),
        ("css", ["css/a.css", "css/b.css"]),
        ("/zz", []),
    ],
)
def test_listing_filters_by_prefix(call, site, prefix, paths):
    assert _page(call, site, prefix=prefix) == (paths, None)


def test_a_full_last_page_has_no_next_marker(call, site):
    assert _page(call, site, page_size=5)[1] is None
    assert _page(call, site, page_size=4)[1] == f"{site}/img/y.png"


def test_listed_files_carry_details_and_a_signed_url(call, site):
    answer = call(m.ListWebHostingFilesRequest(space_id=site, prefix="/index"))
    (item,) = answer.data.web_hosting_files
    assert (item.content_type, item.size, item.last_modified_time) == (
        "text/plain",
        10,
        1000,
    )
    assert f"/_oss/mps-emulator-static/{site}/index.html?" in item.signed_url


def test_describe_tells_whether_a_file_exists(call, site):
    found = call(
        m.DescribeWebHostingFileRequest(space_id=site, file_path="/index.html")
    )
    assert (found.data.exists, found.data.file_path, found.data.size) == (
        True,
        "/index.html",
        10,
    )
    missing = call(m.DescribeWebHostingFileRequest(space_id=site, file_path="/no.html"))
    assert missing.data == m.DescribeWebHostingFileData(
        exists=False, file_path="/no.html"
    )


def test_delete_removes_one_file_and_misses_are_not_found(call, fails, state, site):
    call(m.DeleteWebHostingFileRequest(space_id=site, file_path="/index.html"))
    assert "index.html" not in _paths(state, site)
    request = m.DeleteWebHostingFileRequest(space_id=site, file_path="/index.html")
    assert "/index.html" in fails(request, "InvalidFilePath.NotFound", 404).message


def test_batch_delete_skips_missing_paths(call, state, site):
    request = m.BatchDeleteWebHostingFilesRequest(
        space_id=site, file_paths=["/css/a.css", "img/x.png", "/nope"]
    )
    assert call(request).data is True
    assert _paths(state, site) == ["css/b.css", "img/y.png", "index.html"]


@pytest.mark.parametrize(
    ("source", "target", "paths", "moved"),
    [
        (
            "/index.html",
            "/home.html",
            ["css/a.css", "css/b.css", "home.html", "img/x.png", "img/y.png"],
            ("home.html", b"index.html"),
        ),
        (
            "/css",
            "/style",
            ["img/x.png", "img/y.png", "index.html", "style/a.css", "style/b.css"],
            ("style/b.css", b"css/b.css"),
        ),
        (
            "img/",
            "css/",
            ["css/a.css", "css/b.css", "css/x.png", "css/y.png", "index.html"],
            ("css/y.png", b"img/y.png"),
        ),
        (
            "/css/a.css",
            "/css/b.css",
            ["css/b.css", "img/x.png", "img/y.png", "index.html"],
            ("css/b.css", b"css/a.css"),
        ),
    ],
)
def test_move_handles_files_and_directories(
    call, state, site, source, target, paths, moved
):
    request = m.MoveWebHostingFileRequest(
        space_id=site, source_file_path=source, target_file_path=target
    )
    assert call(request).data is True
    assert _paths(state, site) == paths
    path, content = moved
    assert state.objects.path(STATIC_BUCKET, f"{site}/{path}").read_bytes() == content


def test_a_move_whose_target_is_another_source_keeps_both_contents(call, state, site):
    put_hosting_file(
        state.objects, site, "css/css/a.css", b"deep", content_type="", modified_ms=1
    )
    request = m.MoveWebHostingFileRequest(
        space_id=site, source_file_path="/css", target_file_path="/css/css"
    )
    call(request)
    contents = {
        path: state.objects.path(STATIC_BUCKET, f"{site}/{path}").read_bytes()
        for path in _paths(state, site)
        if path.startswith("css/")
    }
    assert contents == {
        "css/css/a.css": b"css/a.css",
        "css/css/b.css": b"css/b.css",
        "css/css/css/a.css": b"deep",
    }


def test_moving_nothing_is_not_found(fails, site):
    request = m.MoveWebHostingFileRequest(
        space_id=site, source_file_path="/nope", target_file_path="/x"
    )
    fails(request, "InvalidFilePath.NotFound", 404)


@pytest.mark.parametrize(
    "request_",
    [
        m.DescribeWebHostingFileRequest(space_id="?", file_path="/"),
        m.DeleteWebHostingFileRequest(space_id="?", file_path=""),
        m.BatchDeleteWebHostingFilesRequest(space_id="?", file_paths=["a", "/"]),
        m.MoveWebHostingFileRequest(
            space_id="?", source_file_path="/", target_file_path="/x"
        ),
    ],
)
def test_a_path_naming_no_file_is_an_invalid_parameter(fails, site, request_):
    error = fails(attrs.evolve(request_, space_id=site), "InvalidParameter", 400)
    assert "Path" in error.message

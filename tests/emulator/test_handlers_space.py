"""Service space handlers: create, list with 0-based pages, update, keys, delete."""

from __future__ import annotations

import pytest

from aiompsls import models as m


def _names(response):
    return [space.name for space in response.spaces]


def test_a_created_space_is_listed_in_service(call, ctx):
    created = call(m.CreateSpaceRequest(name="demo", desc="mine"))
    assert created.success is True
    listed = call(m.ListSpaceRequest())
    assert listed.count == 1
    assert listed.spaces == (
        m.ListSpaceSpaces(
            space_id=created.space_id,
            name="demo",
            desc="mine",
            status="IN_SERVICE",
            gmt_create=int(ctx.now.timestamp() * 1000),
        ),
    )
    assert (listed.http_status_code, listed.success, listed.code) == ("200", True, "OK")


def test_space_names_are_unique(call, fails):
    call(m.CreateSpaceRequest(name="demo"))
    error = fails(m.CreateSpaceRequest(name="demo"), "Space.AlreadyExists", 409)
    assert "'demo'" in error.message


@pytest.mark.parametrize(
    ("page_num", "page_size", "expected"),
    [
        (None, None, ["s0", "s1", "s2", "s3", "s4"]),  # page 0, size 10 by default
        (0, 2, ["s0", "s1"]),
        (1, 2, ["s2", "s3"]),
        (2, 2, ["s4"]),
        (3, 2, []),
        (1, 10, []),
    ],
)
def test_list_space_pages_count_from_zero(call, page_num, page_size, expected):
    for index in range(5):
        call(m.CreateSpaceRequest(name=f"s{index}"))
    listed = call(m.ListSpaceRequest(page_num=page_num, page_size=page_size))
    assert _names(listed) == expected
    assert listed.count == 5


def test_update_space_changes_only_what_is_given(call, space_id):
    call(m.UpdateSpaceRequest(space_id=space_id, status="PAUSED"))
    (space,) = call(m.ListSpaceRequest()).spaces
    assert (space.status, space.desc) == ("PAUSED", "test space")
    call(m.UpdateSpaceRequest(space_id=space_id, desc="new"))
    (space,) = call(m.ListSpaceRequest()).spaces
    assert (space.status, space.desc) == ("PAUSED", "new")


@pytest.mark.parametrize(
    ("detail", "shown"), [(None, False), ("false", False), ("true", True)]
)
def test_the_private_key_is_shown_only_in_detail(call, space_id, detail, shown):
    config = call(m.DescribeSpaceClientConfigRequest(space_id=space_id, detail=detail))
    assert (config.private_key is not None) is shown
    assert config.space_id == space_id
    assert config.name == "demo"
    assert config.api_key
    assert config.endpoint == "https://api.bspapp.com"
    assert config.file_upload_endpoint.startswith("http://127.0.0.1:8765/_oss/")


def test_reset_server_secret_replaces_the_private_key_only(call, space_id):
    describe = m.DescribeSpaceClientConfigRequest(space_id=space_id, detail="true")
    before = call(describe)
    call(m.ResetServerSecretRequest(space_id=space_id))
    after = call(describe)
    assert after.private_key != before.private_key
    assert after.private_key.startswith("-----BEGIN PRIVATE KEY-----")
    assert after.api_key == before.api_key


def test_a_deleted_space_is_gone(call, fails, space_id):
    call(m.DeleteSpaceRequest(space_id=space_id))
    assert call(m.ListSpaceRequest()).count == 0
    fails(m.DeleteSpaceRequest(space_id=space_id), "InvalidSpaceId.NotFound", 404)
    fails(
        m.DescribeSpaceClientConfigRequest(space_id=space_id),
        "InvalidSpaceId.NotFound",
        404,
    )

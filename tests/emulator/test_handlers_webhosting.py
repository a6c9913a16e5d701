"""Static website service: opening one poll at a time, configuration, verification."""

from __future__ import annotations

import re

import pytest

from aiompsls import models as m


@pytest.fixture
def opened(call, space_id):
    call(m.OpenWebHostingServiceRequest(space_id=space_id))
    return space_id


def _status(call, space_id):
    answer = call(m.GetWebHostingStatusRequest(space_id=space_id))
    assert answer.data.space_id == space_id
    return answer.data.status


def test_opening_advances_one_step_per_status_poll(call, space_id):
    assert [_status(call, space_id) for _ in range(2)] == ["UNUSED", "UNUSED"]
    answer = call(m.OpenWebHostingServiceRequest(space_id=space_id))
    assert (answer.data, answer.code, answer.success) == (True, "success", True)
    assert answer.http_status_code == "200"
    statuses = [_status(call, space_id) for _ in range(3)]
    assert statuses == ["OPENING", "IN_SERVICE", "IN_SERVICE"]


def test_opening_twice_is_a_conflict(fails, opened):
    request = m.OpenWebHostingServiceRequest(space_id=opened)
    fails(request, "WebHostingService.AlreadyExists", 409)


@pytest.mark.parametrize(
    "request_type",
    [
        m.GetWebHostingConfigRequest,
        m.ListWebHostingCustomDomainsRequest,
    ],
)
def test_web_actions_need_an_opened_service(fails, space_id, request_type):
    request = request_type(space_id=space_id)
    error = fails(request, "InvalidWebHostingService.NotFound", 404)
    assert space_id in error.message


def test_the_configuration_starts_with_defaults(call, opened):
    data = call(m.GetWebHostingConfigRequest(space_id=opened)).data
    assert data == m.GetWebHostingConfigData(
        space_id=opened,
        index_path="index.html",
        error_path="",
        history_mode_path="",
        allowed_ips="",
        default_domain=f"static-{opened}.bspapp.com",
    )


def test_modify_sets_what_is_given_and_keeps_the_rest(call, opened):
    call(
        m.ModifyWebHostingConfigRequest(
            space_id=opened,
            index_path="home.html",
            error_path="404.html",
            history_mode_path="/",
            allowed_ips="42.120.72.0/24,1.2.3.4",
        )
    )
    answer = call(m.ModifyWebHostingConfigRequest(space_id=opened, index_path="i.html"))
    assert (answer.data, answer.success) == (True, True)
    data = call(m.GetWebHostingConfigRequest(space_id=opened)).data
    assert (data.index_path, data.error_path, data.history_mode_path) == (
        "i.html",
        "404.html",
        "/",
    )
    assert data.allowed_ips == "42.120.72.0/24,1.2.3.4"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"allowed_ips": "10.0.0.0/16"}, "AllowedIps"),
        ({"allowed_ips": "1.2.3.4/32"}, "AllowedIps"),
        ({"allowed_ips": "::1"}, "AllowedIps"),
        ({"allowed_ips": "example.com"}, "AllowedIps"),
        ({"index_path": " "}, "IndexPath"),
    ],
)
def test_configuration_rule_breaks_are_invalid_parameters(
    fails, opened, kwargs, parameter
):
    kwargs.setdefault("index_path", "index.html")
    request = m.ModifyWebHostingConfigRequest(space_id=opened, **kwargs)
    assert f"parameter {parameter} " in fails(request, "InvalidParameter", 400).message


def test_verification_content_is_stable_per_domain(call, space_id):
    def content(domain):
        answer = call(
            m.GetWebHostingDomainVerificationContentRequest(
                space_id=space_id, domain=domain
            )
        )
        assert answer.data.domain == domain
        return answer.data.content

    first = content("example.com")
    assert re.fullmatch(r"verify_[0-9a-f]{32}", first)
    assert content("example.com") == first
    assert content("example.org") != first

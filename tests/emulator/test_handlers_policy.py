"""Permission rules: defaults, presets, custom rules, and their required parameters."""

from __future__ import annotations

import json

import pytest

from aiompsls import models as m


def _describe(call, space_id, service="db", collection=None):
    return call(
        m.DescribeServicePolicyRequest(
            space_id=space_id, service_name=service, collection_name=collection
        )
    )


def test_the_default_rule_lets_everyone_read_and_admins_write(call, space_id):
    for service in ("db", "file"):
        answer = _describe(call, space_id, service)
        assert answer.policy_name == "ADMINWRITEONLY"
        assert json.loads(answer.policy) == {".read": True, ".write": False}
        assert (answer.space_id, answer.service_name) == (space_id, service)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        (
            "PUBLICREAD",
            {".read": True, ".write": "request.auth.userId==resource.auth.userId"},
        ),
        ("ADMINREADWRITEONLY", {".read": False, ".write": False}),
    ],
)
def test_a_preset_applies_to_its_collection_only(call, space_id, name, rule):
    updated = call(
        m.UpdateServicePolicyRequest(
            space_id=space_id,
            service_name="db",
            collection_name="posts",
            policy_name=name,
        )
    )
    assert (updated.policy_name, json.loads(updated.policy)) == (name, rule)
    assert _describe(call, space_id, collection="posts").policy_name == name
    assert _describe(call, space_id, collection="other").policy_name == "ADMINWRITEONLY"
    assert _describe(call, space_id, "file").policy_name == "ADMINWRITEONLY"


def test_a_custom_rule_is_kept_verbatim(call, space_id):
    rule = '{".write":false,".read":true}'
    call(
        m.UpdateServicePolicyRequest(
            space_id=space_id,
            service_name="db",
            collection_name="test",
            policy_name="EXTENDED",
            policy=rule,
        )
    )
    answer = _describe(call, space_id, collection="test")
    assert (answer.policy_name, answer.policy, answer.collection_name) == (
        "EXTENDED",
        rule,
        "test",
    )


def test_a_file_rule_may_be_given_by_policy_alone(call, space_id):
    call(
        m.UpdateServicePolicyRequest(
            space_id=space_id, service_name="file", policy='{".read":false}'
        )
    )
    answer = _describe(call, space_id, "file")
    assert (answer.policy_name, answer.policy) == ("EXTENDED", '{".read":false}')


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"service_name": "db", "policy_name": "PRIVATE"}, "CollectionName"),
        ({"service_name": "db", "collection_name": "c"}, "PolicyName"),
        ({"service_name": "file"}, "PolicyName"),
        ({"service_name": "file", "policy_name": "EXTENDED"}, "Policy"),
        (
            {"service_name": "file", "policy_name": "EXTENDED", "policy": "[1]"},
            "Policy",
        ),
        ({"service_name": "file", "policy": "{oops"}, "Policy"),
    ],
)
def test_rule_breaks_are_invalid_parameters(fails, space_id, kwargs, parameter):
    request = m.UpdateServicePolicyRequest(space_id=space_id, **kwargs)
    error = fails(request, "InvalidParameter", 400)
    assert f"parameter {parameter} " in error.message

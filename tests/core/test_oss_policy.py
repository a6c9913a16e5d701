"""Tests for aiompsls._core.oss_policy: PostObject policies, credentials and conditions.

The documented sample policy comes from tests/core/vectors/oss_v1_signatures.json (the
OSS PostObject document); codes and messages from research/errors_and_oss.md §C.2.
"""

from __future__ import annotations

import base64
import json
import pathlib
from datetime import UTC, datetime, timedelta

import pytest

from aiompsls._core.oss import Denial, OssKey, hmac_sha1
from aiompsls._core.oss_policy import (
    PostPolicy,
    authorize_post,
    check_fields,
    check_length,
    encode_policy,
    length_range,
    parse_policy,
)

VECTORS = json.loads(
    (pathlib.Path(__file__).parent / "vectors" / "oss_v1_signatures.json").read_text(
        encoding="utf-8"
    )
)
DOC_POLICY = VECTORS["post_policies"][0]
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def _policy(*conditions: object, expiration: datetime = LATER) -> PostPolicy:
    parsed = parse_policy(encode_policy(expiration, conditions))
    assert isinstance(parsed, PostPolicy)
    return parsed


def test_the_documented_sample_policy_decodes_to_its_conditions():
    policy = parse_policy(DOC_POLICY["policy"])
    assert isinstance(policy, PostPolicy)
    assert policy.expiration == datetime(2013, 12, 1, 12, tzinfo=UTC)
    assert [(c.op, c.field, c.values) for c in policy.conditions] == [
        ("content-length-range", "", ()),
        ("eq", "bucket", ("ahaha",)),
        ("eq", "a", ("a",)),
        ("eq", "key", ("ABC",)),
    ]
    assert length_range(policy) == (0, 10485760)


def test_the_documented_sample_holds_for_its_own_form_until_it_expires():
    policy = parse_policy(DOC_POLICY["policy"])
    assert isinstance(policy, PostPolicy)
    form = {"key": "ABC", "a": "a"}
    before = datetime(2013, 12, 1, 11, 59, tzinfo=UTC)
    assert check_fields(policy, form, bucket="ahaha", now=before) is None
    denial = check_fields(policy, form, bucket="ahaha", now=NOW)
    assert denial == Denial(
        status=403,
        code="AccessDenied",
        message="Invalid according to Policy: Policy expired.",
    )


def test_an_encoded_policy_round_trips_with_millisecond_expiration():
    encoded = encode_policy(LATER, [{"bucket": "b"}])
    document = json.loads(base64.b64decode(encoded))
    assert document == {
        "expiration": "2024-05-06T08:08:09.000Z",
        "conditions": [{"bucket": "b"}],
    }


@pytest.mark.parametrize(
    ("condition", "form", "bucket", "failed"),
    [
        ({"key": "a/b.txt"}, {"key": "a/b.txt"}, "b", None),
        ({"key": "a/b.txt"}, {"key": "a/c.txt"}, "b", '["eq", "$key", "a/b.txt"]'),
        (["eq", "$key", "x"], {"key": "x"}, "b", None),
        (["eq", "$Key", "x"], {"key": "y"}, "b", '["eq", "$Key", "x"]'),
        (["starts-with", "$key", "user/eric/"], {"key": "user/eric/a"}, "b", None),
        (
            ["starts-with", "$key", "user/eric/"],
            {"key": "user/ann/a"},
            "b",
            '["starts-with", "$key", "user/eric/"]',
        ),
        (["starts-with", "$key", ""], {}, "b", None),
        ({"bucket": "b"}, {}, "b", None),
        ({"bucket": "b"}, {"bucket": "b"}, "other", '["eq", "$bucket", "b"]'),
        (
            ["in", "$content-type", ["image/jpeg", "image/png"]],
            {"content-type": "image/png"},
            "b",
            None,
        ),
        (
            ["in", "$content-type", ["image/jpeg"]],
            {"content-type": "text/html"},
            "b",
            '["in", "$content-type", ["image/jpeg"]]',
        ),
        (
            ["not-in", "$cache-control", ["no-cache"]],
            {"cache-control": "max-age=1"},
            "b",
            None,
        ),
        (
            ["not-in", "$cache-control", ["no-cache"]],
            {"cache-control": "no-cache"},
            "b",
            '["not-in", "$cache-control", ["no-cache"]]',
        ),
        (["content-length-range", 1, 2], {}, "b", None),
    ],
)
def test_each_condition_holds_or_names_itself(condition, form, bucket, failed):
    denial = check_fields(_policy(condition), form, bucket=bucket, now=NOW)
    if failed is None:
        assert denial is None
    else:
        assert denial == Denial(
            status=403,
            code="AccessDenied",
            message=f"Invalid according to Policy: Policy Condition failed: {failed}",
        )


def test_a_policy_is_in_force_up_to_its_expiration():
    policy = _policy({"bucket": "b"}, expiration=NOW)
    assert check_fields(policy, {}, bucket="b", now=NOW) is None
    later = check_fields(policy, {}, bucket="b", now=NOW + timedelta(milliseconds=1))
    assert later is not None
    assert later.message.endswith("Policy expired.")


@pytest.mark.parametrize(
    ("ranges", "size", "code", "detail"),
    [
        ([[0, 10]], 10, None, None),
        ([[0, 10]], 11, "EntityTooLarge", ("MaxSizeAllowed", "10")),
        ([[5, 10]], 4, "EntityTooSmall", ("MinSizeAllowed", "5")),
        ([[0, 10], [3, 20]], 2, "EntityTooSmall", ("MinSizeAllowed", "3")),
        ([[0, 10], [3, 20]], 11, "EntityTooLarge", ("MaxSizeAllowed", "10")),
        ([], 10**12, None, None),
    ],
)
def test_the_size_must_be_in_every_content_length_range(ranges, size, code, detail):
    policy = _policy(*(["content-length-range", *r] for r in ranges))
    denial = check_length(policy, size)
    if code is None:
        assert denial is None
    else:
        assert denial is not None
        assert (denial.status, denial.code) == (400, code)
        assert ("ProposedSize", str(size)) in denial.details
        assert detail in denial.details


def _encoded(document: object) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("not base64!", "Invalid Policy: Invalid JSON"),
        (base64.b64encode(b"{").decode(), "Invalid Policy: Invalid JSON"),
        (_encoded([]), "Invalid Policy: Invalid JSON: the policy is not an object."),
        (
            _encoded({"conditions": []}),
            "Invalid Policy: Invalid 'expiration' value: None",
        ),
        (
            _encoded({"expiration": "tomorrow", "conditions": []}),
            "Invalid Policy: Invalid 'expiration' value: 'tomorrow'",
        ),
        (
            _encoded({"expiration": "2030-01-01T00:00:00Z"}),
            "Invalid Policy: 'conditions' must be a list.",
        ),
        (
            _encoded(
                {
                    "expiration": "2030-01-01T00:00:00Z",
                    "conditions": [{"a": "1", "b": "2"}],
                }
            ),
            "Invalid Simple-Condition: Simple-Conditions must have exactly one "
            "property specified.",
        ),
        (
            _encoded(
                {
                    "expiration": "2030-01-01T00:00:00Z",
                    "conditions": [["content-length-range", 5, 1]],
                }
            ),
            "Invalid Policy: Invalid content-length-range",
        ),
        (
            _encoded(
                {
                    "expiration": "2030-01-01T00:00:00Z",
                    "conditions": [["starts-with", "key", "a"]],
                }
            ),
            "Invalid Policy: Invalid starts-with condition",
        ),
        (
            _encoded(
                {
                    "expiration": "2030-01-01T00:00:00Z",
                    "conditions": [["matches", "$key", "a"]],
                }
            ),
            "Invalid Policy: Invalid Condition",
        ),
    ],
)
def test_a_malformed_policy_is_an_invalid_policy_document(policy, message):
    denial = parse_policy(policy)
    assert isinstance(denial, Denial)
    assert (denial.status, denial.code) == (400, "InvalidPolicyDocument")
    assert denial.message.startswith(message)


# --- credentials ---------------------------------------------------------------------

PLAIN = OssKey(access_key_id="LTAIplain", access_key_secret="plain-secret")
STS = OssKey(
    access_key_id="STS.x", access_key_secret="sts-secret", security_token="tok"
)
KEYS = {key.access_key_id: key for key in (PLAIN, STS)}
POLICY = encode_policy(LATER, [{"bucket": "b"}])


def _form(key: OssKey, **changes: str | None) -> dict[str, str]:
    form = {
        "ossaccesskeyid": key.access_key_id,
        "policy": POLICY,
        "signature": hmac_sha1(key.access_key_secret, POLICY),
    }
    if key.security_token:
        form["x-oss-security-token"] = key.security_token
    for name, value in changes.items():
        name = name.replace("_", "-")
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return form


@pytest.mark.parametrize("key", [PLAIN, STS], ids=["plain", "sts"])
def test_a_policy_signed_with_a_known_key_is_authorized(key):
    assert authorize_post(_form(key), KEYS) is None


@pytest.mark.parametrize(
    ("key", "changes", "status", "code"),
    [
        (
            PLAIN,
            {"ossaccesskeyid": None, "policy": None, "signature": None},
            403,
            "AccessDenied",
        ),
        (PLAIN, {"signature": None}, 400, "InvalidArgument"),
        (PLAIN, {"policy": None}, 400, "InvalidArgument"),
        (PLAIN, {"ossaccesskeyid": "LTAIother"}, 403, "InvalidAccessKeyId"),
        (STS, {"x_oss_security_token": None}, 403, "InvalidSecurityToken"),
        (STS, {"x_oss_security_token": "other"}, 403, "InvalidSecurityToken"),
        (
            PLAIN,
            {"signature": hmac_sha1("wrong", POLICY)},
            403,
            "SignatureDoesNotMatch",
        ),
        (PLAIN, {"policy": encode_policy(LATER, [])}, 403, "SignatureDoesNotMatch"),
    ],
)
def test_bad_credentials_are_refused_with_the_oss_code(key, changes, status, code):
    denial = authorize_post(_form(key, **changes), KEYS)
    assert denial is not None
    assert (denial.status, denial.code) == (status, code)


def test_a_signature_mismatch_names_the_policy_as_the_string_to_sign():
    form = _form(PLAIN, signature="forged")
    denial = authorize_post(form, KEYS)
    assert denial is not None
    assert dict(denial.details)["StringToSign"] == POLICY
    assert dict(denial.details)["SignatureProvided"] == "forged"

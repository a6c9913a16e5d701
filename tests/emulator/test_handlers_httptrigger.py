"""HTTP trigger configuration: switch, custom domain and certificate."""

from __future__ import annotations

import json

import pytest

from aiompsls import models as m

CERT = "-----BEGIN CERTIFICATE-----\nMIIF\n-----END CERTIFICATE-----"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"


def _update(space_id, enable=True, **kwargs):
    return m.UpdateHttpTriggerConfigRequest(
        space_id=space_id, enable_service=enable, **kwargs
    )


def _describe(call, space_id):
    return call(m.DescribeHttpTriggerConfigRequest(space_id=space_id))


def test_a_new_space_has_the_trigger_off_with_its_default_endpoint(call, space_id):
    answer = _describe(call, space_id)
    assert answer.enable_service is False
    assert answer.default_endpoint == f"{space_id}.bspapp.com"
    assert answer.custom_domain_cname == f"{space_id}.custom.bspapp.com"
    assert (answer.custom_domain, answer.custom_domain_certificate_info) == (None, None)


def test_a_custom_domain_and_certificate_are_set_and_kept(call, space_id):
    answer = call(
        _update(
            space_id,
            custom_domain="api.example.com",
            custom_domain_certificate=CERT,
            custom_domain_private_key=KEY,
        )
    )
    assert (answer.enable_service, answer.custom_domain) == (True, "api.example.com")
    info = json.loads(answer.custom_domain_certificate_info)
    assert info == {
        "notBefore": "2024-05-06T07:08:09Z",
        "notAfter": "2024-08-04T07:08:09Z",
        "subject": "CN=api.example.com",
    }
    call(_update(space_id, enable=False))
    kept = _describe(call, space_id)
    assert (kept.enable_service, kept.custom_domain) == (False, "api.example.com")
    assert kept.custom_domain_certificate_info == answer.custom_domain_certificate_info


def test_empty_strings_delete(call, space_id):
    call(
        _update(
            space_id,
            custom_domain="api.example.com",
            custom_domain_certificate=CERT,
            custom_domain_private_key=KEY,
        )
    )
    call(_update(space_id, custom_domain_certificate="", custom_domain_private_key=""))
    answer = _describe(call, space_id)
    assert (answer.custom_domain, answer.custom_domain_certificate_info) == (
        "api.example.com",
        None,
    )
    call(
        _update(space_id, custom_domain_certificate=CERT, custom_domain_private_key=KEY)
    )
    call(_update(space_id, custom_domain=""))
    answer = _describe(call, space_id)
    assert (answer.custom_domain, answer.custom_domain_certificate_info) == (None, None)


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        (
            {"custom_domain": "a.example.com", "custom_domain_certificate": CERT},
            "CustomDomainCertificate",
        ),
        (
            {
                "custom_domain": "a.example.com",
                "custom_domain_certificate": CERT,
                "custom_domain_private_key": "",
            },
            "CustomDomainCertificate",
        ),
        (
            {"custom_domain_certificate": CERT, "custom_domain_private_key": KEY},
            "CustomDomain",
        ),
        (
            {
                "custom_domain": "a.example.com",
                "custom_domain_certificate": "junk",
                "custom_domain_private_key": KEY,
            },
            "CustomDomainCertificate",
        ),
    ],
)
def test_certificate_rule_breaks_are_invalid_parameters(
    fails, space_id, kwargs, parameter
):
    error = fails(_update(space_id, **kwargs), "InvalidParameter", 400)
    assert f"parameter {parameter} " in error.message

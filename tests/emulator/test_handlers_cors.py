"""CORS domains and domain ownership verification."""

from __future__ import annotations

from aiompsls import models as m


def _domains(call, space_id):
    answer = call(m.ListCorsDomainsRequest(space_id=space_id))
    return [(d.domain_id, d.domain) for d in answer.domains]


def test_cors_domains_are_added_listed_and_deleted(call, space_id):
    first = call(m.AddCorsDomainRequest(space_id=space_id, domain="a.example.com"))
    second = call(m.AddCorsDomainRequest(space_id=space_id, domain="b.example.com"))
    assert first.domain_id != second.domain_id
    assert (first.http_status_code, first.success, first.code) == ("200", True, "OK")
    assert _domains(call, space_id) == [
        (first.domain_id, "a.example.com"),
        (second.domain_id, "b.example.com"),
    ]
    call(m.DeleteCorsDomainRequest(space_id=space_id, domain_id=first.domain_id))
    assert _domains(call, space_id) == [(second.domain_id, "b.example.com")]


def test_a_domain_is_added_once_and_unknown_ids_are_not_found(call, fails, space_id):
    add = m.AddCorsDomainRequest(space_id=space_id, domain="a.example.com")
    call(add)
    assert "a.example.com" in fails(add, "CorsDomain.AlreadyExists", 409).message
    delete = m.DeleteCorsDomainRequest(space_id=space_id, domain_id="nope")
    fails(delete, "InvalidDomainId.NotFound", 404)


def _verify(space_id, verify_type="dnsCheck"):
    return m.VerifyWebHostingDomainOwnerRequest(
        space_id=space_id, domain="example.com", verify_type=verify_type
    )


def test_ownership_verifies_after_the_content_was_fetched(call, fails, state, space_id):
    fails(_verify(space_id), "InvalidVerificationContent.NotFound", 404)
    call(
        m.GetWebHostingDomainVerificationContentRequest(
            space_id=space_id, domain="example.com"
        )
    )
    assert call(_verify(space_id)).data == ""
    call(_verify(space_id))
    assert state.spaces[space_id].web_hosting.verified_domains == ["example.com"]


def test_only_dns_verification_is_known(fails, space_id):
    error = fails(_verify(space_id, "fileCheck"), "InvalidParameter", 400)
    assert "VerifyType" in error.message

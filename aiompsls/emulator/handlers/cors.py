"""Handlers of the CORS domain actions and of domain ownership (section 13).

VerifyWebHostingDomainOwner is documented in this section; it succeeds once the
domain's verification content was fetched (GetWebHostingDomainVerificationContent),
standing in for the DNS record the emulator cannot look up.
"""

from __future__ import annotations

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    OK,
    already_exists,
    invalid_param,
    not_found,
    space_of,
    state_of,
)

VERIFY_TYPES = ("dnsCheck",)


@handles(m.AddCorsDomainRequest)
def add_cors_domain(
    ctx: Context, req: m.AddCorsDomainRequest
) -> m.AddCorsDomainResponse:
    """Allow a domain; each domain once per space."""
    domains = space_of(ctx, req.space_id).cors.domains
    if req.domain in domains.values():
        raise already_exists("CorsDomain", "CORS domain", req.domain)
    domain_id = state_of(ctx).new_uuid()
    domains[domain_id] = req.domain
    return m.AddCorsDomainResponse(
        request_id=ctx.request_id,
        domain_id=domain_id,
        http_status_code=HTTP_OK,
        success=True,
        code=OK,
    )


@handles(m.ListCorsDomainsRequest)
def list_cors_domains(
    ctx: Context, req: m.ListCorsDomainsRequest
) -> m.ListCorsDomainsResponse:
    """The allowed domains in the order they were added."""
    domains = space_of(ctx, req.space_id).cors.domains
    return m.ListCorsDomainsResponse(
        request_id=ctx.request_id,
        domains=tuple(
            m.ListCorsDomainsDomains(domain=domain, domain_id=domain_id)
            for domain_id, domain in domains.items()
        ),
        http_status_code=HTTP_OK,
        success=True,
        code=OK,
    )


@handles(m.DeleteCorsDomainRequest)
def delete_cors_domain(
    ctx: Context, req: m.DeleteCorsDomainRequest
) -> m.DeleteCorsDomainResponse:
    """Remove an allowed domain by its id."""
    domains = space_of(ctx, req.space_id).cors.domains
    if domains.pop(req.domain_id, None) is None:
        raise not_found("DomainId", "CORS domain", req.domain_id)
    return m.DeleteCorsDomainResponse(
        request_id=ctx.request_id, http_status_code=HTTP_OK, success=True, code=OK
    )


@handles(m.VerifyWebHostingDomainOwnerRequest)
def verify_web_hosting_domain_owner(
    ctx: Context, req: m.VerifyWebHostingDomainOwnerRequest
) -> m.VerifyWebHostingDomainOwnerResponse:
    """Record the domain as verified; ``Data`` is empty as in the examples."""
    hosting = space_of(ctx, req.space_id).web_hosting
    if req.verify_type not in VERIFY_TYPES:
        raise invalid_param("VerifyType", "expected dnsCheck")
    if req.domain not in hosting.verification_contents:
        raise not_found(
            "VerificationContent", "verification content of domain", req.domain
        )
    if req.domain not in hosting.verified_domains:
        hosting.verified_domains.append(req.domain)
    return m.VerifyWebHostingDomainOwnerResponse(request_id=ctx.request_id, data="")

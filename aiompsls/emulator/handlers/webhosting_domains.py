"""Handlers of static website custom domains and their certificates (section 15).

A domain is bound to at most one space and is ``online`` at once (the emulator has no
ICP filing or CDN to wait for). Forcing HTTPS needs an attached certificate.
"""

from __future__ import annotations

import re
from datetime import timedelta

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    SUCCESS,
    already_exists,
    invalid_param,
    not_found,
    now_ms,
    state_of,
)
from aiompsls.emulator.handlers.webhosting import opened, succeeded
from aiompsls.emulator.records import Certificate, CustomDomain, WebHostingStore

_DOMAIN = re.compile(r"^(?=.{1,253}$)(\*\.)?([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$")
CERT_LIFE = timedelta(days=365)


def _domain_of(hosting: WebHostingStore, domain: str) -> CustomDomain:
    found = hosting.domains.get(domain)
    if found is None:
        raise not_found("CustomDomain", "custom domain", domain)
    return found


@handles(m.BindWebHostingCustomDomainRequest)
def bind_web_hosting_custom_domain(
    ctx: Context, req: m.BindWebHostingCustomDomainRequest
) -> m.BindWebHostingCustomDomainResponse:
    """Bind a domain to the space's static website."""
    hosting = opened(ctx, req.space_id)
    if not _DOMAIN.match(req.custom_domain):
        raise invalid_param("CustomDomain", "not a domain name")
    for space in state_of(ctx).spaces.values():
        if req.custom_domain in space.web_hosting.domains:
            raise already_exists("CustomDomain", "custom domain", req.custom_domain)
    moment = now_ms(ctx)
    hosting.domains[req.custom_domain] = CustomDomain(
        domain=req.custom_domain,
        cname=f"{req.custom_domain}.w.kunlungr.com",
        created_ms=moment,
        updated_ms=moment,
    )
    return succeeded(m.BindWebHostingCustomDomainResponse, ctx)


@handles(m.UnbindWebHostingCustomDomainRequest)
def unbind_web_hosting_custom_domain(
    ctx: Context, req: m.UnbindWebHostingCustomDomainRequest
) -> m.UnbindWebHostingCustomDomainResponse:
    """Unbind a domain (its certificate goes with it)."""
    hosting = opened(ctx, req.space_id)
    del hosting.domains[_domain_of(hosting, req.custom_domain).domain]
    return succeeded(m.UnbindWebHostingCustomDomainResponse, ctx)


@handles(m.ListWebHostingCustomDomainsRequest)
def list_web_hosting_custom_domains(
    ctx: Context, req: m.ListWebHostingCustomDomainsRequest
) -> m.ListWebHostingCustomDomainsResponse:
    """The bound domains in the order they were bound."""
    hosting = opened(ctx, req.space_id)
    return m.ListWebHostingCustomDomainsResponse(
        request_id=ctx.request_id,
        data=tuple(_item(domain) for domain in hosting.domains.values()),
        http_status_code=HTTP_OK,
        code=SUCCESS,
        success="true",
    )


def _item(domain: CustomDomain) -> m.ListWebHostingCustomDomainsData:
    return m.ListWebHostingCustomDomainsData(
        domain=domain.domain,
        cname=domain.cname,
        status=domain.status,
        description=domain.description,
        force_redirect_type=domain.force_redirect_type,
        enable_cors=domain.enable_cors,
        access_control_allow_origin=domain.access_control_allow_origin,
        ssl_protocol="on" if domain.certificate else "off",
        create_time=domain.created_ms,
        update_time=domain.updated_ms,
    )


@handles(m.SaveWebHostingCustomDomainConfigRequest)
def save_web_hosting_custom_domain_config(
    ctx: Context, req: m.SaveWebHostingCustomDomainConfigRequest
) -> m.SaveWebHostingCustomDomainConfigResponse:
    """Set whether the domain redirects HTTP to HTTPS."""
    domain = _domain_of(opened(ctx, req.space_id), req.domain_name)
    if req.force_redirect_type == "HTTPS_FORCE" and domain.certificate is None:
        raise invalid_param("ForceRedirectType", "HTTPS_FORCE needs a certificate")
    domain.force_redirect_type = req.force_redirect_type
    domain.updated_ms = now_ms(ctx)
    return m.SaveWebHostingCustomDomainConfigResponse(request_id=ctx.request_id)


@handles(m.SaveWebHostingCustomDomainCorsConfigRequest)
def save_web_hosting_custom_domain_cors_config(
    ctx: Context, req: m.SaveWebHostingCustomDomainCorsConfigRequest
) -> m.SaveWebHostingCustomDomainCorsConfigResponse:
    """Switch CORS for the domain and set its allowed origins (default ``*``)."""
    domain = _domain_of(opened(ctx, req.space_id), req.domain_name)
    domain.enable_cors = req.enable_cors
    if req.access_control_allow_origin is not None:
        domain.access_control_allow_origin = req.access_control_allow_origin
    domain.updated_ms = now_ms(ctx)
    return succeeded(m.SaveWebHostingCustomDomainCorsConfigResponse, ctx)


@handles(m.AttachWebHostingCertificateRequest)
def attach_web_hosting_certificate(
    ctx: Context, req: m.AttachWebHostingCertificateRequest
) -> m.AttachWebHostingCertificateResponse:
    """Attach a certificate; an ``upload`` one brings its PEM and private key."""
    domain = _domain_of(opened(ctx, req.space_id), req.domain)
    if req.cert_type == "upload":
        if not req.server_certificate or not req.private_key:
            raise invalid_param(
                "ServerCertificate", "upload needs ServerCertificate and PrivateKey"
            )
        if "-----BEGIN CERTIFICATE-----" not in req.server_certificate:
            raise invalid_param("ServerCertificate", "expected a PEM certificate")
    moment = now_ms(ctx)
    domain.certificate = Certificate(
        name=req.cert_name,
        cert_type=req.cert_type,
        server_certificate=req.server_certificate or "",
        private_key=req.private_key or "",
        expires_ms=moment + int(CERT_LIFE.total_seconds() * 1000),
    )
    domain.updated_ms = moment
    return succeeded(m.AttachWebHostingCertificateResponse, ctx)


@handles(m.GetWebHostingCertificateDetailRequest)
def get_web_hosting_certificate_detail(
    ctx: Context, req: m.GetWebHostingCertificateDetailRequest
) -> m.GetWebHostingCertificateDetailResponse:
    """The domain's certificate, or ``ServerCertificateStatus`` off without one."""
    domain = _domain_of(opened(ctx, req.space_id), req.custom_domain)
    cert = domain.certificate
    data = m.GetWebHostingCertificateDetailData(
        cert_domain_name=domain.domain,
        server_certificate_status="on" if cert else "off",
        cert_name=cert.name if cert else None,
        cert_type=cert.cert_type if cert else None,
        cert_expired_time=cert.expires_ms if cert else None,
        cert_life="1 years" if cert else None,
    )
    return m.GetWebHostingCertificateDetailResponse(
        request_id=ctx.request_id,
        data=data,
        code=SUCCESS,
        http_status_code=HTTP_OK,
        success=True,
    )


@handles(m.DeleteWebHostingCertificateRequest)
def delete_web_hosting_certificate(
    ctx: Context, req: m.DeleteWebHostingCertificateRequest
) -> m.DeleteWebHostingCertificateResponse:
    """Detach the certificate; HTTPS is off, and so is the forced redirect."""
    domain = _domain_of(opened(ctx, req.space_id), req.domain)
    if domain.certificate is None:
        raise not_found("Certificate", "certificate of domain", req.domain)
    domain.certificate = None
    domain.force_redirect_type = "OFF"
    domain.updated_ms = now_ms(ctx)
    return succeeded(m.DeleteWebHostingCertificateResponse, ctx)

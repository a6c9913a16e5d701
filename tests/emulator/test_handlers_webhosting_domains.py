"""Static website custom domains, their CORS and redirect settings, certificates."""

from __future__ import annotations

import pytest

from aiompsls import models as m

DOMAIN = "www.example.com"
CERT = "-----BEGIN CERTIFICATE-----\nMIIF\n-----END CERTIFICATE-----"


@pytest.fixture
def bound(call, space_id):
    call(m.OpenWebHostingServiceRequest(space_id=space_id))
    call(m.BindWebHostingCustomDomainRequest(space_id=space_id, custom_domain=DOMAIN))
    return space_id


def _domains(call, space_id):
    return call(m.ListWebHostingCustomDomainsRequest(space_id=space_id)).data


def _attach(space_id, cert_type="cas", **kwargs):
    return m.AttachWebHostingCertificateRequest(
        space_id=space_id,
        domain=DOMAIN,
        cert_name="mine",
        cert_type=cert_type,
        **kwargs,
    )


def test_a_bound_domain_is_listed_online(call, ctx, bound):
    (domain,) = _domains(call, bound)
    moment = int(ctx.now.timestamp() * 1000)
    assert domain == m.ListWebHostingCustomDomainsData(
        domain=DOMAIN,
        cname=f"{DOMAIN}.w.kunlungr.com",
        status="online",
        description="",
        force_redirect_type="OFF",
        enable_cors=False,
        access_control_allow_origin="*",
        ssl_protocol="off",
        create_time=moment,
        update_time=moment,
    )


def test_a_domain_binds_to_one_space_only(call, fails, bound):
    request = m.BindWebHostingCustomDomainRequest(space_id=bound, custom_domain=DOMAIN)
    fails(request, "CustomDomain.AlreadyExists", 409)
    other = call(m.CreateSpaceRequest(name="other")).space_id
    call(m.OpenWebHostingServiceRequest(space_id=other))
    request = m.BindWebHostingCustomDomainRequest(space_id=other, custom_domain=DOMAIN)
    fails(request, "CustomDomain.AlreadyExists", 409)


def test_a_malformed_domain_is_an_invalid_parameter(fails, bound):
    request = m.BindWebHostingCustomDomainRequest(space_id=bound, custom_domain="no")
    assert "CustomDomain" in fails(request, "InvalidParameter", 400).message


def test_unbinding_removes_the_domain(call, fails, bound):
    request = m.UnbindWebHostingCustomDomainRequest(
        space_id=bound, custom_domain=DOMAIN
    )
    assert call(request).data is True
    assert _domains(call, bound) == ()
    fails(request, "InvalidCustomDomain.NotFound", 404)


def test_cors_settings_are_saved(call, bound):
    call(
        m.SaveWebHostingCustomDomainCorsConfigRequest(
            space_id=bound,
            domain_name=DOMAIN,
            enable_cors=True,
            access_control_allow_origin="https://*.example.com",
        )
    )
    call(
        m.SaveWebHostingCustomDomainCorsConfigRequest(
            space_id=bound, domain_name=DOMAIN, enable_cors=False
        )
    )
    (domain,) = _domains(call, bound)
    assert (domain.enable_cors, domain.access_control_allow_origin) == (
        False,
        "https://*.example.com",
    )


def _force_https(space_id):
    return m.SaveWebHostingCustomDomainConfigRequest(
        space_id=space_id, domain_name=DOMAIN, force_redirect_type="HTTPS_FORCE"
    )


def test_forcing_https_needs_a_certificate(call, fails, bound):
    error = fails(_force_https(bound), "InvalidParameter", 400)
    assert "ForceRedirectType" in error.message
    call(_attach(bound))
    call(_force_https(bound))
    (domain,) = _domains(call, bound)
    assert (domain.force_redirect_type, domain.ssl_protocol) == ("HTTPS_FORCE", "on")


def test_certificate_detail_follows_attach_and_delete(call, ctx, bound):
    detail = m.GetWebHostingCertificateDetailRequest(
        space_id=bound, custom_domain=DOMAIN
    )
    data = call(detail).data
    assert (data.server_certificate_status, data.cert_name) == ("off", None)
    call(_attach(bound, "upload", server_certificate=CERT, private_key="k"))
    data = call(detail).data
    year_later = int(ctx.now.timestamp() * 1000) + 365 * 24 * 3600 * 1000
    assert data == m.GetWebHostingCertificateDetailData(
        cert_domain_name=DOMAIN,
        cert_expired_time=year_later,
        cert_life="1 years",
        cert_name="mine",
        cert_type="upload",
        server_certificate_status="on",
    )
    call(_force_https(bound))
    call(m.DeleteWebHostingCertificateRequest(space_id=bound, domain=DOMAIN))
    assert call(detail).data.server_certificate_status == "off"
    (domain,) = _domains(call, bound)
    assert (domain.force_redirect_type, domain.ssl_protocol) == ("OFF", "off")


def test_deleting_a_missing_certificate_is_not_found(fails, bound):
    request = m.DeleteWebHostingCertificateRequest(space_id=bound, domain=DOMAIN)
    fails(request, "InvalidCertificate.NotFound", 404)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"server_certificate": CERT}, {"server_certificate": "x", "private_key": "k"}],
)
def test_an_uploaded_certificate_needs_its_pem_and_key(fails, bound, kwargs):
    error = fails(_attach(bound, "upload", **kwargs), "InvalidParameter", 400)
    assert "ServerCertificate" in error.message


@pytest.mark.parametrize(
    "make_request",
    [
        lambda s: m.SaveWebHostingCustomDomainConfigRequest(
            space_id=s, domain_name="x.example.com", force_redirect_type="OFF"
        ),
        lambda s: m.GetWebHostingCertificateDetailRequest(
            space_id=s, custom_domain="x.example.com"
        ),
        lambda s: m.AttachWebHostingCertificateRequest(
            space_id=s, domain="x.example.com", cert_name="c", cert_type="cas"
        ),
    ],
)
def test_settings_of_an_unbound_domain_are_not_found(fails, bound, make_request):
    error = fails(make_request(bound), "InvalidCustomDomain.NotFound", 404)
    assert "x.example.com" in error.message

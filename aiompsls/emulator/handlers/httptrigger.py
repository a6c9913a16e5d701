"""Handlers of the HTTP trigger configuration actions (section 14).

Omitted optional parameters leave a setting unchanged and empty strings delete it;
the certificate and its private key go together. The certificate info is made up
(90 days from the update, subject CN=<custom domain>): the emulator does not parse
certificates.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    invalid_param,
    now_ms,
    space_of,
    to_datetime,
)
from aiompsls.emulator.records import HttpTriggerStore
from aiompsls.emulator.state import Space

R = TypeVar("R")
CERT_VALIDITY = timedelta(days=90)


def _endpoint(space: Space) -> str:
    return f"{space.space_id}.bspapp.com"


def _cname(space: Space) -> str:
    return f"{space.space_id}.custom.bspapp.com"


@handles(m.UpdateHttpTriggerConfigRequest)
def update_http_trigger_config(
    ctx: Context, req: m.UpdateHttpTriggerConfigRequest
) -> m.UpdateHttpTriggerConfigResponse:
    """Switch the HTTP trigger and set or delete the custom domain and certificate."""
    space = space_of(ctx, req.space_id)
    store = space.http_trigger
    store.enable_service = req.enable_service
    if req.custom_domain is not None:
        store.custom_domain = req.custom_domain
        if not req.custom_domain:
            store.certificate = store.private_key = store.certificate_info = ""
    _update_certificate(ctx, store, req)
    return _view(m.UpdateHttpTriggerConfigResponse, ctx, space)


def _update_certificate(
    ctx: Context, store: HttpTriggerStore, req: m.UpdateHttpTriggerConfigRequest
) -> None:
    cert, key = req.custom_domain_certificate, req.custom_domain_private_key
    if cert is None and key is None:
        return
    if cert is None or key is None or bool(cert) != bool(key):
        raise invalid_param(
            "CustomDomainCertificate", "give it together with CustomDomainPrivateKey"
        )
    if cert and not store.custom_domain:
        raise invalid_param("CustomDomain", "a certificate needs a custom domain")
    if cert and "-----BEGIN CERTIFICATE-----" not in cert:
        raise invalid_param("CustomDomainCertificate", "expected a PEM certificate")
    store.certificate, store.private_key = cert, key
    store.certificate_info = _info(ctx, store.custom_domain) if cert else ""


def _info(ctx: Context, domain: str) -> str:
    start = to_datetime(now_ms(ctx)).replace(microsecond=0)
    info = {
        "notAfter": (start + CERT_VALIDITY).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "notBefore": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "subject": f"CN={domain}",
    }
    return json.dumps(info, separators=(",", ":"))


@handles(m.DescribeHttpTriggerConfigRequest)
def describe_http_trigger_config(
    ctx: Context, req: m.DescribeHttpTriggerConfigRequest
) -> m.DescribeHttpTriggerConfigResponse:
    """The HTTP trigger settings of a space."""
    return _view(m.DescribeHttpTriggerConfigResponse, ctx, space_of(ctx, req.space_id))


def _view(shape: Callable[..., R], ctx: Context, space: Space) -> R:
    store = space.http_trigger
    return shape(
        request_id=ctx.request_id,
        enable_service=store.enable_service,
        default_endpoint=_endpoint(space),
        custom_domain_cname=_cname(space),
        custom_domain=store.custom_domain or None,
        custom_domain_certificate_info=store.certificate_info or None,
        success=True,
    )

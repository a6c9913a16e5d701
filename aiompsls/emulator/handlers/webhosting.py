"""Handlers of the static website service and configuration actions (section 15).

OpenWebHostingService moves the status from UNUSED to OPENING; each
GetWebHostingStatus answers with the current status and then moves OPENING on to
IN_SERVICE, so the first poll after opening says OPENING and the next IN_SERVICE.
The other web hosting actions need an opened (OPENING or IN_SERVICE) service.
Custom domains and files are in ``webhosting_domains`` and ``webhosting_files``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TypeVar

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    SUCCESS,
    already_exists,
    invalid_param,
    not_found,
    space_of,
    split_list,
    state_of,
)
from aiompsls.emulator.records import WebHostingStore

R = TypeVar("R")


def opened(ctx: Context, space_id: str) -> WebHostingStore:
    """A space's web hosting; ``InvalidWebHostingService.NotFound`` if never opened."""
    hosting = space_of(ctx, space_id).web_hosting
    if hosting.status == "UNUSED":
        raise not_found("WebHostingService", "web hosting service of space", space_id)
    return hosting


def succeeded(shape: Callable[..., R], ctx: Context) -> R:
    """The ``Code``/``Data``/``HttpStatusCode``/``Success`` answer of a web action."""
    return shape(
        request_id=ctx.request_id,
        code=SUCCESS,
        data=True,
        http_status_code=HTTP_OK,
        success=True,
    )


@handles(m.OpenWebHostingServiceRequest)
def open_web_hosting_service(
    ctx: Context, req: m.OpenWebHostingServiceRequest
) -> m.OpenWebHostingServiceResponse:
    """Start opening the static website service of a space."""
    hosting = space_of(ctx, req.space_id).web_hosting
    if hosting.status != "UNUSED":
        raise already_exists(
            "WebHostingService", "web hosting service of space", req.space_id
        )
    hosting.status = "OPENING"
    return succeeded(m.OpenWebHostingServiceResponse, ctx)


@handles(m.GetWebHostingStatusRequest)
def get_web_hosting_status(
    ctx: Context, req: m.GetWebHostingStatusRequest
) -> m.GetWebHostingStatusResponse:
    """The service status; an OPENING service is IN_SERVICE from the next poll on."""
    hosting = space_of(ctx, req.space_id).web_hosting
    shown = hosting.status
    if shown == "OPENING":
        hosting.status = "IN_SERVICE"
    return m.GetWebHostingStatusResponse(
        request_id=ctx.request_id,
        data=m.GetWebHostingStatusData(status=shown, space_id=req.space_id),
        http_status_code=HTTP_OK,
        code=SUCCESS,
        success=True,
    )


@handles(m.GetWebHostingConfigRequest)
def get_web_hosting_config(
    ctx: Context, req: m.GetWebHostingConfigRequest
) -> m.GetWebHostingConfigResponse:
    """The static website configuration and its default (test) domain."""
    hosting = opened(ctx, req.space_id)
    data = m.GetWebHostingConfigData(
        space_id=req.space_id,
        index_path=hosting.index_path,
        error_path=hosting.error_path,
        history_mode_path=hosting.history_mode_path,
        allowed_ips=hosting.allowed_ips,
        default_domain=f"static-{req.space_id}.bspapp.com",
    )
    return m.GetWebHostingConfigResponse(
        request_id=ctx.request_id,
        data=data,
        code=SUCCESS,
        http_status_code=HTTP_OK,
        success=True,
    )


@handles(m.ModifyWebHostingConfigRequest)
def modify_web_hosting_config(
    ctx: Context, req: m.ModifyWebHostingConfigRequest
) -> m.ModifyWebHostingConfigResponse:
    """Change the configuration; omitted optional parameters keep their values."""
    hosting = opened(ctx, req.space_id)
    if not req.index_path.strip():
        raise invalid_param("IndexPath", "must name a page")
    if req.allowed_ips is not None:
        for entry in split_list(req.allowed_ips):
            _check_allowed_ip(entry)
        hosting.allowed_ips = req.allowed_ips
    hosting.index_path = req.index_path
    if req.error_path is not None:
        hosting.error_path = req.error_path
    if req.history_mode_path is not None:
        hosting.history_mode_path = req.history_mode_path
    return succeeded(m.ModifyWebHostingConfigResponse, ctx)


def _check_allowed_ip(entry: str) -> None:
    """An IPv4 address, or an IPv4 range with a mask of 24 to 31 bits."""
    try:
        network = ipaddress.IPv4Network(entry, strict=False)
    except ValueError:
        raise invalid_param("AllowedIps", f"'{entry}' is not IPv4") from None
    if "/" in entry and not 24 <= network.prefixlen <= 31:
        raise invalid_param("AllowedIps", f"'{entry}' needs a mask of 24 to 31 bits")


@handles(m.GetWebHostingDomainVerificationContentRequest)
def get_web_hosting_domain_verification_content(
    ctx: Context, req: m.GetWebHostingDomainVerificationContentRequest
) -> m.GetWebHostingDomainVerificationContentResponse:
    """The record value that proves ownership of a domain (stable per domain)."""
    hosting = space_of(ctx, req.space_id).web_hosting
    content = hosting.verification_contents.get(req.domain)
    if content is None:
        content = "verify_" + state_of(ctx).new_hex(32)
        hosting.verification_contents[req.domain] = content
    return m.GetWebHostingDomainVerificationContentResponse(
        request_id=ctx.request_id,
        data=m.GetWebHostingDomainVerificationContentData(
            content=content, domain=req.domain
        ),
    )

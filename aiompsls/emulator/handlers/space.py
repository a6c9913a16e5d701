"""Handlers of the service space actions (section 6 of the API reference)."""

from __future__ import annotations

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    OK,
    already_exists,
    now_ms,
    paginate,
    space_of,
    state_of,
)
from aiompsls.emulator.handlers._urls import FILE_BUCKET, bucket_url
from aiompsls.emulator.state import Space

# The service-plane gateway of the examples; the emulator does not serve it.
CLIENT_ENDPOINT = "https://api.bspapp.com"


@handles(m.ListSpaceRequest)
def list_space(ctx: Context, req: m.ListSpaceRequest) -> m.ListSpaceResponse:
    """List the spaces in creation order; ``PageNum`` counts from 0."""
    spaces = list(state_of(ctx).spaces.values())
    page_num = req.page_num if req.page_num is not None else 0
    page = paginate(spaces, page_num, req.page_size or 10, first=0)
    return m.ListSpaceResponse(
        request_id=ctx.request_id,
        count=page.total,
        spaces=tuple(_summary(space) for space in page.items),
        http_status_code=HTTP_OK,
        success=True,
        code=OK,
    )


def _summary(space: Space) -> m.ListSpaceSpaces:
    return m.ListSpaceSpaces(
        space_id=space.space_id,
        name=space.name,
        desc=space.desc,
        status=space.status,
        gmt_create=space.created_ms,
    )


@handles(m.CreateSpaceRequest)
def create_space(ctx: Context, req: m.CreateSpaceRequest) -> m.CreateSpaceResponse:
    """Create a space; names are unique."""
    state = state_of(ctx)
    if any(space.name == req.name for space in state.spaces.values()):
        raise already_exists("Space", "space", req.name)
    space = Space(
        space_id=state.new_uuid(),
        name=req.name,
        desc=req.desc or "",
        workspace_id=req.workspace_id,
        created_ms=now_ms(ctx),
        api_key=state.new_token(16),
        private_key=state.new_private_key(),
    )
    space.db = state.new_db_store(space.space_id)
    state.spaces[space.space_id] = space
    return m.CreateSpaceResponse(
        request_id=ctx.request_id, space_id=space.space_id, success=True
    )


@handles(m.DeleteSpaceRequest)
def delete_space(ctx: Context, req: m.DeleteSpaceRequest) -> m.DeleteSpaceResponse:
    """Delete a space and everything in it."""
    space_of(ctx, req.space_id)
    state_of(ctx).remove_space(req.space_id)
    ctx.runtime.forget(f"{req.space_id}/")  # its deployments' unpacked packages
    return m.DeleteSpaceResponse(request_id=ctx.request_id)


@handles(m.UpdateSpaceRequest)
def update_space(ctx: Context, req: m.UpdateSpaceRequest) -> m.UpdateSpaceResponse:
    """Change the description and/or the status (IN_SERVICE, PAUSED)."""
    space = space_of(ctx, req.space_id)
    if req.desc is not None:
        space.desc = req.desc
    if req.status is not None:
        space.status = req.status
    return m.UpdateSpaceResponse(request_id=ctx.request_id)


@handles(m.DescribeSpaceClientConfigRequest)
def describe_space_client_config(
    ctx: Context, req: m.DescribeSpaceClientConfigRequest
) -> m.DescribeSpaceClientConfigResponse:
    """The client configuration; the private key only with ``Detail=true``."""
    space = space_of(ctx, req.space_id)
    detail = (req.detail or "").strip().lower() == "true"
    return m.DescribeSpaceClientConfigResponse(
        request_id=ctx.request_id,
        api_key=space.api_key,
        space_id=space.space_id,
        private_key=space.private_key if detail else None,
        endpoint=CLIENT_ENDPOINT,
        file_upload_endpoint=bucket_url(ctx, FILE_BUCKET),
        name=space.name,
    )


@handles(m.ResetServerSecretRequest)
def reset_server_secret(
    ctx: Context, req: m.ResetServerSecretRequest
) -> m.ResetServerSecretResponse:
    """Replace the space's server-side private key."""
    space = space_of(ctx, req.space_id)
    space.private_key = state_of(ctx).new_private_key()
    return m.ResetServerSecretResponse(request_id=ctx.request_id)

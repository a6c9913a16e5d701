"""Handlers of the extension actions (section 11 of the API reference).

Extensions are account-wide (the actions take no SpaceId): a small catalogue whose
entries EnableExtension switches on.
"""

from __future__ import annotations

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    OK,
    not_found,
    paginate,
    state_of,
)
from aiompsls.emulator.records import Extension


@handles(m.ListExtensionsRequest)
def list_extensions(
    ctx: Context, req: m.ListExtensionsRequest
) -> m.ListExtensionsResponse:
    """A page of the catalogue (``PageNumber`` from 1)."""
    catalogue = list(state_of(ctx).extensions.values())
    page = paginate(catalogue, req.page_number or 1, req.page_size or 10)
    return m.ListExtensionsResponse(
        request_id=ctx.request_id,
        page_number=page.page_num,
        page_size=page.page_size,
        total_count=page.total,
        extensions=tuple(_item(entry) for entry in page.items),
        http_status_code=HTTP_OK,
        success=True,
        code=OK,
    )


def _item(entry: Extension) -> m.ListExtensionsExtensions:
    return m.ListExtensionsExtensions(
        extension_id=entry.extension_id,
        extension_name=entry.name,
        extension_desc=entry.desc,
        extension_documentation_link=entry.documentation_link,
        enabled="true" if entry.enabled else "false",
    )


@handles(m.EnableExtensionRequest)
def enable_extension(
    ctx: Context, req: m.EnableExtensionRequest
) -> m.EnableExtensionResponse:
    """Switch an extension on (again is fine)."""
    entry = state_of(ctx).extensions.get(req.extension_id)
    if entry is None:
        raise not_found("ExtensionId", "extension", req.extension_id)
    entry.enabled = True
    return m.EnableExtensionResponse(request_id=ctx.request_id)

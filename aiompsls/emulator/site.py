"""Serves each space's static website over plain HTTP, so a browser can open it.

``GET|HEAD /_site/<SpaceId>/<path>``, or any path with the host name
``<SpaceId>.site.localhost``. The files are the space's web hosting files; the rules
follow the hosting configuration: ``/`` and folder paths answer the ``IndexPath``
file; a path with no file answers the ``HistoryModePath`` file (200) when set and
its last segment has no extension, else the ``ErrorPath`` file with 404, else a
plain 404. Answers carry the stored Content-Type and ETag (``If-None-Match`` gives
304) and stream from disk; a single ``Range`` of a page gets 206 (an end past the
file is cut to it, a start past it is 416), so audio and video seek. Only a space
whose hosting service is ``IN_SERVICE`` is served.
"""

from __future__ import annotations

import re
from typing import Final

import attrs
from aiohttp import web
from aiohttp.typedefs import Handler

from aiompsls.emulator.app import Gateway
from aiompsls.emulator.handlers._urls import STATIC_BUCKET
from aiompsls.emulator.objects import ObjectInfo, ObjectStore
from aiompsls.emulator.oss_common import send_object
from aiompsls.emulator.oss_range import requested_span
from aiompsls.emulator.records import WebHostingStore

__all__ = ["SITE_PREFIX", "add_site_routes", "site_host"]

#: The path prefix the static websites are served under.
SITE_PREFIX: Final = "/_site"
_HOST = re.compile(r"^(?P<space>[^.]+)\.site\.localhost(?::\d+)?$", re.IGNORECASE)


def add_site_routes(app: web.Application, gateway: Gateway) -> None:
    """Serve the static websites of ``gateway``'s state on ``app``."""
    site = _Site(gateway=gateway)
    app.router.add_get(SITE_PREFIX + "/{space_id}", site.bare)
    app.router.add_get(SITE_PREFIX + "/{space_id}/{path:.*}", site.by_path)
    app.middlewares.append(site.by_host)


def site_host(host: str) -> str | None:
    """The space id of a ``<SpaceId>.site.localhost[:port]`` host, else None."""
    found = _HOST.match(host)
    return found.group("space") if found else None


def _text(status: int, message: str) -> web.Response:
    return web.Response(status=status, text=message + "\n")


@attrs.frozen(kw_only=True)
class _Site:
    """The website handlers, bound to one gateway."""

    gateway: Gateway

    async def bare(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(request.path + "/")

    async def by_path(self, request: web.Request) -> web.StreamResponse:
        info = request.match_info
        return await self.serve(request, info["space_id"], info["path"])

    @web.middleware
    async def by_host(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        space_id = site_host(request.host)
        if space_id is None or request.method not in ("GET", "HEAD"):
            return await handler(request)
        return await self.serve(request, space_id, request.path.lstrip("/"))

    async def serve(
        self, request: web.Request, space_id: str, path: str
    ) -> web.StreamResponse:
        space = self.gateway.state.spaces.get(space_id)
        if space is None or space.web_hosting.status != "IN_SERVICE":
            return _text(404, f"The static website of space {space_id} is not open.")
        objects = self.gateway.state.objects
        found = _resolve(objects, space_id, space.web_hosting, path)
        if found is None:
            return _text(404, f"Not found: /{path}")
        info, status = found
        response, sent = await _send(request, objects, info, status)
        if sent:
            space.usage.on(self.gateway.now()).web_traffic += sent
            self.gateway.persist()
        return response


def _resolve(
    objects: ObjectStore, space_id: str, hosting: WebHostingStore, path: str
) -> tuple[ObjectInfo, int] | None:
    """The file a path answers with, and the status; None for a plain 404."""

    def stat(name: str) -> ObjectInfo | None:
        name = name.lstrip("/")
        return objects.stat(STATIC_BUCKET, f"{space_id}/{name}") if name else None

    index = hosting.index_path or "index.html"
    if path == "" or path.endswith("/"):
        candidates = [path + index]
    else:
        candidates = [path, f"{path}/{index}"]
    for name in candidates:
        info = stat(name)
        if info is not None:
            return info, 200
    last = path.rstrip("/").rsplit("/", 1)[-1]
    history = stat(hosting.history_mode_path) if "." not in last else None
    if history is not None:
        return history, 200
    error = stat(hosting.error_path)
    return (error, 404) if error is not None else None


async def _send(
    request: web.Request, objects: ObjectStore, info: ObjectInfo, status: int
) -> tuple[web.StreamResponse, int]:
    """Stream one object (or a range of a page); the response and bytes sent.

    ``If-None-Match`` with the object's ETag answers 304; a range that cannot be
    satisfied answers 416; the error page (404) ignores ``Range``.
    """
    wanted = _etags(request.headers.get("If-None-Match"))
    if status == 200 and (info.etag in wanted or "*" in wanted):
        return web.Response(status=304, headers={"ETag": info.etag}), 0
    span = None
    if status == 200:
        try:
            span = _span(request.headers.get("Range"), info.size)
        except ValueError:
            return _unsatisfiable(info.size), 0
    opened = objects.open(info.bucket, info.key)
    if opened is None:  # pragma: no cover - deleted between stat and open
        return _text(404, "Not found"), 0
    headers = {"ETag": info.etag, "Content-Type": info.content_type}
    with opened[1] as handle:
        return await send_object(
            request, handle, size=info.size, span=span, status=status, headers=headers
        )


def _span(header: str | None, size: int) -> tuple[int, int] | None:
    """The bytes a ``Range`` asks for by RFC 9110 rules; None for the whole file.

    Raises:
        ValueError: The range cannot be satisfied.
    """
    span = requested_span(header, size, standard=True)
    return None if span == (0, size - 1) else span


def _unsatisfiable(size: int) -> web.Response:
    headers = {"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"}
    return web.Response(status=416, text="Range not satisfiable\n", headers=headers)


def _etags(header: str | None) -> set[str]:
    """The entity tags of an ``If-None-Match`` header (weak ones compared strong)."""
    if not header:
        return set()
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}

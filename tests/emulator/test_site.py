"""The hosted website at ``/_site/<SpaceId>/...`` and ``<SpaceId>.site.localhost``.

The space and its files are seeded straight into the state; the site is fetched over
HTTP from a running emulator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from multidict import CIMultiDict

from aiompsls.emulator import Emulator
from aiompsls.emulator.handlers.webhosting_files import put_hosting_file
from aiompsls.emulator.site import site_host
from aiompsls.emulator.state import EmulatorState, Space

SPACE = "0c0ffee0-0000-4000-8000-000000000001"
FILES = {
    "index.html": ("<h1>home</h1>", "text/html"),
    "docs/index.html": ("<h1>docs</h1>", "text/html"),
    "app.js": ("console.log(1)", "application/javascript"),
    "404.html": ("<h1>missing</h1>", "text/html"),
    "spa.html": ("<div id=app></div>", "text/html"),
}


def seeded(status: str = "IN_SERVICE", **config: str) -> EmulatorState:
    state = EmulatorState()
    space = Space(
        space_id=SPACE, name="site", created_ms=0, api_key="k", private_key="p"
    )
    space.web_hosting.status = status
    for name, value in config.items():
        setattr(space.web_hosting, name, value)
    state.spaces[SPACE] = space
    for path, (text, content_type) in FILES.items():
        put_hosting_file(
            state.objects,
            SPACE,
            path,
            text.encode(),
            content_type=content_type,
            modified_ms=0,
        )
    return state


@pytest.fixture
async def site(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """The site's base URL on a running emulator (state from the ``state`` param)."""
    state = getattr(request, "param", None) or seeded()
    emulator = Emulator(access_key_id="id", access_key_secret="secret", state=state)
    async with emulator.running() as running:
        yield f"{running.endpoint}/_site/{SPACE}"


async def fetch(
    url: str, method: str = "GET", **headers: str
) -> tuple[int, str, CIMultiDict[str]]:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, headers=headers, allow_redirects=False) as answer,
    ):
        return answer.status, await answer.text(), CIMultiDict(answer.headers)


@pytest.mark.parametrize(
    ("path", "status", "body", "content_type"),
    [
        ("/", 200, "<h1>home</h1>", "text/html"),
        ("/index.html", 200, "<h1>home</h1>", "text/html"),
        ("/docs/", 200, "<h1>docs</h1>", "text/html"),
        ("/docs", 200, "<h1>docs</h1>", "text/html"),
        ("/app.js", 200, "console.log(1)", "application/javascript"),
        ("/nothing.png", 404, "<h1>missing</h1>", "text/html"),
        ("/some/route", 200, "<div id=app></div>", "text/html"),
    ],
)
@pytest.mark.parametrize(
    "site",
    [seeded(error_path="404.html", history_mode_path="spa.html")],
    indirect=True,
    ids=["configured"],
)
async def test_paths_answer_as_the_hosting_configuration_says(
    site: str, path: str, status: int, body: str, content_type: str
) -> None:
    got_status, got_body, headers = await fetch(site + path)
    assert (got_status, got_body) == (status, body)
    assert headers["Content-Type"] == content_type


async def test_without_an_error_page_a_missing_file_is_a_plain_404(site: str) -> None:
    status, body, _ = await fetch(site + "/some/route")
    assert status == 404
    assert "Not found: /some/route" in body


async def test_the_bare_space_path_redirects_to_its_folder(site: str) -> None:
    status, _, headers = await fetch(site)
    assert status == 301
    assert headers["Location"] == f"/_site/{SPACE}/"


async def test_a_matching_etag_is_a_304_and_head_sends_no_body(site: str) -> None:
    _, _, headers = await fetch(site + "/app.js")
    etag = headers["ETag"]
    assert etag.startswith('"')
    assert etag == etag.upper()
    status, body, _ = await fetch(site + "/app.js", **{"If-None-Match": etag})
    assert (status, body) == (304, "")
    status, body, headers = await fetch(site + "/app.js", "HEAD")
    assert (status, body, headers["Content-Length"]) == (200, "", "14")
    other = await fetch(site + "/app.js", **{"If-None-Match": '"OTHER"'})
    assert other[:2] == (200, "console.log(1)")


@pytest.mark.parametrize(
    "site", [seeded(status="OPENING")], indirect=True, ids=["opening"]
)
async def test_a_site_not_in_service_is_not_served(site: str) -> None:
    status, body, _ = await fetch(site + "/")
    assert status == 404
    assert "is not open" in body


async def test_an_unknown_space_is_not_served(site: str) -> None:
    status, body, _ = await fetch(site.replace(SPACE, "nope") + "/")
    assert (status, "is not open" in body) == (404, True)


async def test_the_host_name_form_serves_the_same_site(site: str) -> None:
    root = site.removesuffix(f"/_site/{SPACE}")
    status, body, _ = await fetch(root + "/", Host=f"{SPACE}.site.localhost")
    assert (status, body) == (200, "<h1>home</h1>")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        (f"{SPACE}.site.localhost", SPACE),
        (f"{SPACE}.site.localhost:8080", SPACE),
        ("127.0.0.1:8080", None),
        ("site.localhost", None),
    ],
)
def test_site_host_names(host: str, expected: str | None) -> None:
    assert site_host(host) == expected


@pytest.mark.parametrize(
    ("header", "status", "body", "content_range"),
    [
        ("bytes=0-6", 206, "console", "bytes 0-6/14"),
        ("bytes=-3", 206, "(1)", "bytes 11-13/14"),
        ("bytes=8-99", 206, "log(1)", "bytes 8-13/14"),
        ("bytes=0-", 200, "console.log(1)", None),
        ("lines=1-2", 200, "console.log(1)", None),
        ("bytes=14-", 416, "Range not satisfiable\n", "bytes */14"),
    ],
)
async def test_a_range_of_a_page_is_206_and_one_past_its_end_416(
    site: str, header: str, status: int, body: str, content_range: str | None
) -> None:
    got_status, got_body, headers = await fetch(site + "/app.js", Range=header)
    assert (got_status, got_body) == (status, body)
    assert headers.get("Content-Range") == content_range
    assert headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize(
    "site", [seeded(error_path="404.html")], indirect=True, ids=["error-page"]
)
async def test_the_error_page_ignores_a_range(site: str) -> None:
    status, body, headers = await fetch(site + "/nothing.png", Range="bytes=0-3")
    assert (status, body) == (404, "<h1>missing</h1>")
    assert "Content-Range" not in headers

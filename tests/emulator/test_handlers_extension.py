"""The extension catalogue: paging by PageNumber and enabling."""

from __future__ import annotations

import pytest

from aiompsls import models as m


@pytest.mark.parametrize(
    ("page_number", "page_size", "count"),
    [(None, None, 3), (1, 2, 2), (2, 2, 1), (3, 2, 0)],
)
def test_the_catalogue_pages_by_page_number(call, page_number, page_size, count):
    answer = call(m.ListExtensionsRequest(page_number=page_number, page_size=page_size))
    assert len(answer.extensions) == count
    assert answer.total_count == 3
    assert answer.page_number == (page_number or 1)
    assert answer.page_size == (page_size or 10)


def test_enabling_an_extension_shows_in_the_list(call):
    first = call(m.ListExtensionsRequest()).extensions[0]
    assert (first.extension_id, first.enabled) == (
        "ext-5d53a4fb1c9d446e2075a2cc",
        "false",
    )
    call(m.EnableExtensionRequest(extension_id=first.extension_id))
    call(m.EnableExtensionRequest(extension_id=first.extension_id))
    enabled = [e.enabled for e in call(m.ListExtensionsRequest()).extensions]
    assert enabled == ["true", "false", "false"]


def test_an_unknown_extension_is_not_found(fails):
    request = m.EnableExtensionRequest(extension_id="ext-nope")
    assert "'ext-nope'" in fails(request, "InvalidExtensionId.NotFound", 404).message

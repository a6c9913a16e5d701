"""The pagination state machine over both styles of this API."""

from __future__ import annotations

import pytest

from aiompsls import models as m
from aiompsls._core.operations import PAGINATORS
from aiompsls._core.paging import first_request, get_path, next_request, page_items

SPACES = PAGINATORS["ListSpace"]
FUNCTIONS = PAGINATORS["ListFunction"]
FILES = PAGINATORS["ListWebHostingFiles"]


def _spaces(n: int, count: int | None) -> m.ListSpaceResponse:
    items = tuple(m.ListSpaceSpaces(space_id=f"s{i}") for i in range(n))
    return m.ListSpaceResponse(request_id="r", spaces=items, count=count)


def test_list_space_counts_pages_from_zero():
    first = first_request(SPACES, m.ListSpaceRequest(page_size=2))
    assert first.page_num == 0
    second = next_request(SPACES, first, _spaces(2, 5), seen=2)
    assert second == m.ListSpaceRequest(page_num=1, page_size=2)


def test_other_lists_count_pages_from_one():
    first = first_request(FUNCTIONS, m.ListFunctionRequest(space_id="s"))
    assert first.page_num == 1


def test_an_explicit_start_page_is_kept():
    request = m.ListFunctionRequest(space_id="s", page_num=4)
    assert first_request(FUNCTIONS, request) is request


@pytest.mark.parametrize(
    ("items", "total", "seen", "size", "more"),
    [
        (2, 5, 2, 2, True),  # a full page, more to come
        (2, 4, 4, 2, False),  # the total is reached
        (1, None, 3, 2, False),  # a short page ends the walk
        (0, None, 0, 2, False),  # an empty page ends the walk
        (2, None, 2, None, True),  # no size, no total: keep going until empty
    ],
)
def test_page_number_termination(items, total, seen, size, more):
    request = m.ListSpaceRequest(page_num=0, page_size=size)
    following = next_request(SPACES, request, _spaces(items, total), seen=seen)
    assert (following is not None) is more


def test_nested_total_path():
    response = m.ListFunctionResponse(
        request_id="r",
        data_list=(m.ListFunctionDataList(name="a"),),
        paginator=m.ListFunctionPaginator(total=1),
    )
    request = m.ListFunctionRequest(space_id="s", page_num=1)
    assert page_items(FUNCTIONS, response) == response.data_list
    assert next_request(FUNCTIONS, request, response, seen=1) is None


def _files(marker: str | None) -> m.ListWebHostingFilesResponse:
    data = m.ListWebHostingFilesData(
        next_marker=marker,
        web_hosting_files=(m.ListWebHostingFilesWebHostingFiles(file_path="/a"),),
    )
    return m.ListWebHostingFilesResponse(request_id="r", data=data)


@pytest.mark.parametrize(
    ("current", "marker", "expected"),
    [
        (None, "k2", "k2"),
        ("k1", "k2", "k2"),
        ("k2", "k2", None),  # a repeated marker would loop forever
        ("k1", "", None),
        ("k1", None, None),
    ],
)
def test_marker_walk(current, marker, expected):
    request = m.ListWebHostingFilesRequest(prefix="/", space_id="s", marker=current)
    following = next_request(FILES, request, _files(marker), seen=1)
    assert (following.marker if following else None) == expected


def test_page_items_of_a_response_without_the_list():
    response = m.ListWebHostingFilesResponse(request_id="r")
    assert page_items(FILES, response) == ()
    assert get_path(response, ("data", "next_marker")) is None

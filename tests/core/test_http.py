"""Response headers read lower-cased, copied at once or over the received headers."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator, Mapping
from types import MappingProxyType

import pytest

from aiompsls._core.http import HttpRequest, HttpResponse

SENT = {"Content-Type": "application/json", "X-Acs-Request-Id": "r", "DATE": "d"}
LOWER = {"content-type": "application/json", "x-acs-request-id": "r", "date": "d"}


class CountingHeaders(Mapping[str, str]):
    """Read-only headers that count how often they are read through."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers
        self.reads = 0

    def __getitem__(self, name: str) -> str:
        self.reads += 1
        return self.headers[name]

    def __iter__(self) -> Iterator[str]:
        self.reads += 1
        return iter(self.headers)

    def __len__(self) -> int:
        return len(self.headers)


def _both(headers: Mapping[str, str]) -> list[HttpResponse]:
    return [
        HttpResponse(status=503, headers=headers, body=b"{}"),
        HttpResponse.received(status=503, headers=headers, body=b"{}"),
    ]


@pytest.mark.parametrize(
    "response", _both(MappingProxyType(SENT)), ids=["copy", "view"]
)
def test_response_header_names_read_lower_cased(response: HttpResponse):
    headers = response.headers
    assert dict(headers) == LOWER
    assert list(headers) == list(LOWER)
    assert (headers["date"], headers.get("x-acs-request-id"), len(headers)) == (
        "d",
        "r",
        3,
    )
    assert "content-type" in headers
    assert "Content-Type" not in headers
    assert headers.get("Date") is None
    with pytest.raises(KeyError):
        headers["DATE"]


def test_received_response_equals_and_prints_as_a_copied_one():
    copied, received = _both(MappingProxyType(SENT))
    assert received == copied
    assert copied == received
    assert repr(received) == repr(copied)
    assert received != HttpResponse(status=503, headers={"date": "d"}, body=b"{}")


def test_received_headers_are_lower_cased_once_and_only_when_read():
    sent = CountingHeaders(dict(SENT))
    response = HttpResponse.received(status=200, headers=sent, body=b"{}")
    assert sent.reads == 0
    assert response.headers["date"] == "d"
    reads = sent.reads
    assert (response.headers.get("date"), len(response.headers)) == ("d", 3)
    assert sent.reads == reads


def test_constructed_response_copies_headers_that_change_later():
    sent = dict(SENT)
    response = HttpResponse(status=200, headers=sent, body=b"")
    sent["Retry-After"] = "5"
    assert "retry-after" not in response.headers


def test_a_name_sent_twice_keeps_its_last_value_either_way():
    sent = {"Date": "first", "date": "second"}
    assert [dict(r.headers) for r in _both(sent)] == [{"date": "second"}] * 2


@pytest.mark.parametrize("protocol", [0, pickle.HIGHEST_PROTOCOL])
def test_a_received_response_pickles_and_copies_with_plain_headers(protocol: int):
    response = HttpResponse.received(
        status=200, headers=CountingHeaders(SENT), body=b"x"
    )
    clone = pickle.loads(pickle.dumps(response, protocol=protocol))  # noqa: S301
    assert clone == response
    assert type(clone.headers) is dict
    assert copy.deepcopy(response) == response


def test_request_header_names_are_lower_cased():
    request = HttpRequest(method="POST", url="http://h/", headers=SENT)
    assert request.headers == LOWER

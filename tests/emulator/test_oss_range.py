"""Which bytes a GetObject ``Range`` asks for, by the rules OSS documents.

help.aliyun.com, "HTTP Range requests" (a 1,000-byte object; valid 0-999; by default
an invalid or out-of-range header is ignored: 200 with the whole object) and the
range-download page of the OSS SDK for PHP v2 (with ``x-oss-range-behavior:
standard``: bytes=500-2000 gives 500-999 with 206, bytes=1000-2000 gives 416
InvalidRange). "HTTP status code 416": several ranges are InvalidRange; bytes=-500
is the last 500 bytes, bytes=500- from byte 500 to the end, bytes=0- the whole object.
"""

from __future__ import annotations

import pytest

from aiompsls.emulator.oss_range import invalid_range, requested_span

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "default", "standard"),
    [
        (None, None, None),
        ("bytes=0-499", (0, 499), (0, 499)),
        ("bytes=-500", (500, 999), (500, 999)),
        ("bytes=500-", (500, 999), (500, 999)),
        ("bytes=0-", (0, 999), (0, 999)),
        ("bytes=500-2000", None, (500, 999)),
        ("bytes=-2000", None, (0, 999)),
        ("bytes = 10 - 19", (10, 19), (10, 19)),
        ("bytes=20-10", None, None),
        ("bytes=-", None, None),
        ("bytes=-0", None, None),
        ("items=0-9", None, None),
        ("bytes=x-9", None, None),
    ],
)
def test_the_documented_ranges(header, default, standard):
    assert requested_span(header, SIZE, standard=False) == default
    assert requested_span(header, SIZE, standard=True) == standard


@pytest.mark.parametrize("header", ["bytes=1000-2000", "bytes=1000-"])
def test_a_range_starting_past_the_end_is_ignored_unless_standard(header):
    assert requested_span(header, SIZE, standard=False) is None
    with pytest.raises(ValueError, match="past the end"):
        requested_span(header, SIZE, standard=True)


@pytest.mark.parametrize("standard", [False, True])
def test_several_ranges_are_an_invalid_range(standard):
    with pytest.raises(ValueError, match="one range"):
        requested_span("bytes=0-9,20-29", SIZE, standard=standard)


def test_an_empty_object_has_no_range_to_serve():
    assert requested_span("bytes=0-9", 0, standard=False) is None
    assert requested_span("bytes=-5", 0, standard=True) is None
    with pytest.raises(ValueError, match="past the end"):
        requested_span("bytes=0-9", 0, standard=True)


def test_the_invalid_range_answer():
    denial = invalid_range(SIZE)
    assert (denial.status, denial.code) == (416, "InvalidRange")
    assert denial.message == "The requested range cannot be satisfied"

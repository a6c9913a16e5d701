"""Clock skew from the server's Date header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aiompsls._core.clock import skew_from_date

LOCAL = datetime(2026, 11, 29, 6, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "skew"),
    [
        ("Sun, 29 Nov 2026 07:00:00 GMT", timedelta(hours=1)),
        ("Sun, 29 Nov 2026 05:59:30 GMT", timedelta(seconds=-30)),
        (None, None),
        ("", None),
        ("yesterday", None),
        ("Sun, 29 Nov 2026 07:00:00 -0000", None),  # RFC 2822: unknown zone
    ],
)
def test_skew_from_date(header: str | None, skew: timedelta | None):
    assert skew_from_date(header, local_now=LOCAL) == skew

"""Clock-skew correction from the server's ``Date`` header.

Imports: stdlib only. The gateway rejects a ``Timestamp`` more than 15 minutes away from
its own clock (``InvalidTimeStamp.Expired``); the answer's ``Date`` header tells how far
off the local clock is, so the next attempt can be stamped with the server's time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime


def skew_from_date(date_header: str | None, *, local_now: datetime) -> timedelta | None:
    """Server time minus local time, or None when the header is absent or unreadable."""
    if not date_header:
        return None
    try:
        server = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return None
    if server.tzinfo is None:
        return None
    return server - local_now

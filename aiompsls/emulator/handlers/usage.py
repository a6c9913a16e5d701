"""Handlers of resource usage and quota (section 16 of the API reference).

DescribeResourceUsage answers one row per UTC day from the day of StartTime up to
EndTime (default: today). Counters (invocations and their compute, DB reads and
writes, file uploads and downloads, bytes sent by file storage and by the hosted
website) are what the emulator counted on that day; CloudFunction.Compute is the
day's configured memory × billed duration in GB·s, rounded up. Data sizes are the
space's current totals, as the emulator keeps no history of them. Function traffic
stays 0 (the emulator has no public function endpoint). Times are read as UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    SUCCESS,
    invalid_param,
    paginate,
    space_of,
    state_of,
)
from aiompsls.emulator.handlers.webhosting_files import hosting_files
from aiompsls.emulator.objects import ObjectStore
from aiompsls.emulator.state import Space

DAY = timedelta(days=1)
STATIC_WEB_QUOTA_GB = 2.0
CLOUD_STORAGE_QUOTA_GB = 10.0
#: MB·ms in one GB·s, the unit of CloudFunction.Compute.
_MB_MS_PER_GBS = 1024 * 1000
_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S")


def _parse_time(name: str, value: str) -> datetime:
    for pattern in _FORMATS:
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise invalid_param(name, "expected yyyy-MM-ddTHH:mm:ssZ")


def _window(ctx: Context, req: m.DescribeResourceUsageRequest) -> tuple[datetime, int]:
    """The first day's midnight and the number of daily rows."""
    today = ctx.now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = _parse_time("StartTime", req.start_time) if req.start_time else today
    end = _parse_time("EndTime", req.end_time) if req.end_time else None
    first = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if end is None:
        return first, 1
    if end <= start:
        raise invalid_param("EndTime", "must be later than StartTime")
    return first, -((first - end) // DAY)


@handles(m.DescribeResourceUsageRequest)
def describe_resource_usage(
    ctx: Context, req: m.DescribeResourceUsageRequest
) -> m.DescribeResourceUsageResponse:
    """Daily usage rows between StartTime and EndTime, a page at a time."""
    space = space_of(ctx, req.space_id)
    first, days = _window(ctx, req)
    page = paginate(range(days), req.page_number or 1, req.page_size or 30)
    sizes = _sizes(space, state_of(ctx).objects)
    rows = tuple(_row(space, first + index * DAY, sizes) for index in page.items)
    return m.DescribeResourceUsageResponse(
        request_id=ctx.request_id,
        data_list=rows,
        paginator=page.paginator(m.DescribeResourceUsagePaginator),
        code=SUCCESS,
        http_status_code=HTTP_OK,
        success=True,
    )


def _sizes(space: Space, objects: ObjectStore) -> tuple[int, int, int]:
    """Current bytes in file storage, the database and the static website."""
    storage = sum(f.size for f in space.files.files.values() if f.registered)
    database = sum(
        len(json.dumps(doc, separators=(",", ":")).encode())
        for docs in space.db.collections.values()
        for doc in docs
    )
    web = sum(f.size for f in hosting_files(objects, space.space_id))
    return storage, database, web


def _row(
    space: Space, day: datetime, sizes: tuple[int, int, int]
) -> m.DescribeResourceUsageDataList:
    used = space.usage.seen(day)
    storage, database, web = sizes
    return m.DescribeResourceUsageDataList(
        start_time=f"{day:%Y-%m-%dT%H:%M:%SZ}",
        end_time=f"{day + DAY:%Y-%m-%dT%H:%M:%SZ}",
        cloud_storage=m.DescribeResourceUsageCloudStorage(
            data_size=storage,
            traffic=used.storage_traffic,
            upload=used.storage_uploads,
            download=used.storage_downloads,
        ),
        cloud_db=m.DescribeResourceUsageCloudDB(
            data_size=database, write=used.db_writes, read=used.db_reads
        ),
        cloud_function=m.DescribeResourceUsageCloudFunction(
            compute=-(-used.function_mb_ms // _MB_MS_PER_GBS),
            count=used.function_count,
            traffic=0,
        ),
        static_web=m.DescribeResourceUsageStaticWeb(
            data_size=web, traffic=used.web_traffic
        ),
    )


@handles(m.DescribeResourceQuotaRequest)
def describe_resource_quota(
    ctx: Context, req: m.DescribeResourceQuotaRequest
) -> m.DescribeResourceQuotaResponse:
    """The space's storage quotas in GB (the reference example's values)."""
    space_of(ctx, req.space_id)
    return m.DescribeResourceQuotaResponse(
        request_id=ctx.request_id,
        static_web_data_size_quota=STATIC_WEB_QUOTA_GB,
        cloud_storage_data_size_quota=CLOUD_STORAGE_QUOTA_GB,
    )

"""The records the emulator keeps per service space, one small attrs class per thing.

Plain mutable data (strings, ints, bytes, lists, dicts of JSON values and of other
records), so that the state can be written to SQLite later; the documents of the
database live in :mod:`aiompsls.emulator.docdb` (SQLite already). Times are epoch
milliseconds (UTC).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from aiompsls.emulator.docdb import BackupInfo, BackupsView, CollectionsView, SpaceDB

Document = dict[str, Any]


@attrs.define(kw_only=True)
class FunctionRecord:
    """A cloud function's metadata; memory in MB, timeout in seconds."""

    name: str
    desc: str = ""
    runtime: str = "nodejs12"
    memory: int = 512
    timeout: int = 5
    instance_concurrency: int = 1
    http_trigger_path: str = ""
    timing_trigger_config: str = ""
    created_ms: int
    modified_ms: int


@attrs.define(kw_only=True)
class DeploymentRecord:
    """A code deployment of a function: created with an upload URL, then deployed.

    ``status`` is ``CREATED`` until DeployFunction, then ``DEPLOY_SUCCESS`` or
    ``DEPLOY_FAILED`` (``reason`` says why); ``deployed_order`` orders deployments by
    when they were deployed. The package is the object ``object_key`` of the function
    bucket.
    """

    deployment_id: str
    function_name: str
    object_key: str
    version_no: str
    status: str = "CREATED"
    reason: str = ""
    deployed_order: int = 0
    created_ms: int
    modified_ms: int


@attrs.define(kw_only=True)
class LogRecord:
    """One invocation's log of a function.

    ``request_id`` is the runtime request id (RunFunction's ``RuntimeMeta.RequestId``),
    ``status`` ``SUCCESS`` or ``FAIL``, ``timestamp_ms`` the invocation's start.
    ``contents``, ``levels`` and ``timestamps`` are parallel: one entry per log line
    (the formatted line, its level, its epoch milliseconds).
    """

    request_id: str
    function_name: str
    status: str
    timestamp_ms: int
    contents: list[str] = attrs.Factory(list)
    levels: list[str] = attrs.Factory(list)
    timestamps: list[int] = attrs.Factory(list)


@attrs.define(kw_only=True)
class FunctionStore:
    """Functions of a space with their deployments and logs."""

    functions: dict[str, FunctionRecord] = attrs.Factory(dict)
    deployments: dict[str, DeploymentRecord] = attrs.Factory(dict)
    logs: list[LogRecord] = attrs.Factory(list)


@attrs.define(kw_only=True)
class DbTask:
    """A database export, import or restore task and its progress.

    ``kind`` is ``export``, ``import`` or ``restore``; an export's file and an
    import's upload are the object ``file_key`` of the share bucket
    (:mod:`..db_objects`). ``started_ms`` is the time of the first status query
    (set in time-driven mode only).
    """

    task_id: str
    kind: str
    status: str
    collection: str = ""
    file_type: str = "JSON"
    fields: list[str] = attrs.Factory(list)
    mode: str = "INSERT"
    file_key: str = ""
    backup_id: str = ""
    origin_collections: list[str] = attrs.Factory(list)
    new_collections: list[str] = attrs.Factory(list)
    success_count: int = 0
    failed_count: int = 0
    detail_message: str = ""
    created_ms: int
    started_ms: int | None = None


@attrs.define(kw_only=True)
class DbStore:
    """A space's document database (a view of a :class:`DocumentDB`) and its tasks.

    ``docs`` defaults to a private in-memory database; a persistent emulator passes
    ``DocumentDB(path).space(space_id)``. ``collections`` and ``backups`` are
    read-only views for code that only looks.
    """

    docs: SpaceDB = attrs.Factory(SpaceDB.in_memory)
    tasks: dict[str, DbTask] = attrs.Factory(dict)

    @property
    def collections(self) -> Mapping[str, list[Document]]:
        """Collection name -> its documents (read from the database on access)."""
        return CollectionsView(self.docs)

    @property
    def backups(self) -> Mapping[str, BackupInfo]:
        """Backup id -> the backup's id, time and collection names."""
        return BackupsView(self.docs)


@attrs.define(kw_only=True)
class StoredFile:
    """A file of file storage; visible to ListFile once ``registered``."""

    file_id: str
    name: str
    content_type: str
    size: int
    object_key: str
    registered: bool = False
    created_ms: int
    modified_ms: int


@attrs.define(kw_only=True)
class FileStore:
    """A space's file storage, by file id."""

    files: dict[str, StoredFile] = attrs.Factory(dict)


@attrs.define(kw_only=True)
class PolicyRecord:
    """A permission rule: a preset name and its JSON text."""

    policy_name: str
    policy: str


@attrs.define(kw_only=True)
class PolicyStore:
    """A space's permission rules, keyed ``db/<collection>``, ``db/*`` or ``file``."""

    policies: dict[str, PolicyRecord] = attrs.Factory(dict)


@attrs.define(kw_only=True)
class AntConfig:
    """An Alipay (Ant) open platform configuration."""

    app_id: str
    private_key: str
    sign_mode: str
    public_key: str | None = None
    app_cert: str | None = None
    public_cert: str | None = None
    root_cert: str | None = None


@attrs.define(kw_only=True)
class SecretConfig:
    """A WeChat or DingTalk open platform configuration: an app id and its secret."""

    app_id: str
    app_secret: str
    created_ms: int
    updated_ms: int


@attrs.define(kw_only=True)
class OpenPlatformStore:
    """A space's open platform configurations, by app id."""

    ant: dict[str, AntConfig] = attrs.Factory(dict)
    wechat: dict[str, SecretConfig] = attrs.Factory(dict)
    dingtalk: dict[str, SecretConfig] = attrs.Factory(dict)


@attrs.define(kw_only=True)
class CorsStore:
    """A space's CORS domains: domain id -> domain."""

    domains: dict[str, str] = attrs.Factory(dict)


@attrs.define(kw_only=True)
class HttpTriggerStore:
    """A space's HTTP trigger settings."""

    enable_service: bool = False
    custom_domain: str = ""
    certificate: str = ""
    private_key: str = ""
    certificate_info: str = ""


@attrs.define(kw_only=True)
class Certificate:
    """An HTTPS certificate attached to a web hosting custom domain."""

    name: str
    cert_type: str
    server_certificate: str = ""
    private_key: str = ""
    expires_ms: int


@attrs.define(kw_only=True)
class CustomDomain:
    """A custom domain bound to a space's static website."""

    domain: str
    cname: str
    status: str = "online"
    description: str = ""
    force_redirect_type: str = "OFF"
    enable_cors: bool = False
    access_control_allow_origin: str = "*"
    certificate: Certificate | None = None
    created_ms: int
    updated_ms: int


@attrs.define(kw_only=True)
class WebHostingStore:
    """A space's static website: status, configuration and domains.

    Its files are the objects ``<SpaceId>/<path>`` of the static bucket.
    """

    status: str = "UNUSED"
    index_path: str = "index.html"
    error_path: str = ""
    history_mode_path: str = ""
    allowed_ips: str = ""
    domains: dict[str, CustomDomain] = attrs.Factory(dict)
    verification_contents: dict[str, str] = attrs.Factory(dict)
    verified_domains: list[str] = attrs.Factory(list)


@attrs.define(kw_only=True)
class DailyUsage:
    """What a space used on one UTC day (counters only; sizes are current totals).

    Attributes:
        function_count: RunFunction calls.
        function_mb_ms: Their configured memory (MB) times billed duration (ms).
        db_reads: Documents read by RunDBCommand.
        db_writes: Documents written by RunDBCommand.
        storage_uploads: Files uploaded to file storage (counted at RegisterFile).
        storage_downloads: GETs of file storage objects.
        storage_traffic: Bytes those GETs sent.
        web_traffic: Bytes the hosted static website sent.
    """

    function_count: int = 0
    function_mb_ms: int = 0
    db_reads: int = 0
    db_writes: int = 0
    storage_uploads: int = 0
    storage_downloads: int = 0
    storage_traffic: int = 0
    web_traffic: int = 0


@attrs.define(kw_only=True)
class UsageStore:
    """A space's usage counters by day (``YYYY-MM-DD``)."""

    days: dict[str, DailyUsage] = attrs.Factory(dict)

    def on(self, moment: datetime) -> DailyUsage:
        """The counters of ``moment``'s UTC day, created on first use."""
        return self.days.setdefault(_day(moment), DailyUsage())

    def seen(self, moment: datetime) -> DailyUsage:
        """The counters of ``moment``'s UTC day; zeros (not kept) if it has none."""
        return self.days.get(_day(moment)) or DailyUsage()


def _day(moment: datetime) -> str:
    """The key of ``moment``'s UTC day in :attr:`UsageStore.days`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


@attrs.define(kw_only=True)
class Extension:
    """An extension of the catalogue; enabling is account-wide."""

    extension_id: str
    name: str
    desc: str
    documentation_link: str | None = None
    enabled: bool = False

"""The emulator's state: service spaces with their per-group stores, and id minting.

One :class:`EmulatorState` instance per emulator (never a global). Identifiers, keys and
secrets come from a counter hashed with the instance's seed, so two states with the
same seed that see the same calls hand out the same ids. Uploaded content lives in
the state's :class:`~.objects.ObjectStore` (on disk, outside the records).
"""

from __future__ import annotations

import base64
import hashlib
import textwrap
import uuid

import attrs

from aiompsls._core.oss import OssKey
from aiompsls.emulator._registry import EmulatedError
from aiompsls.emulator.buckets import space_prefixes
from aiompsls.emulator.docdb import DocumentDB
from aiompsls.emulator.objects import ObjectStore
from aiompsls.emulator.records import (
    CorsStore,
    DbStore,
    Extension,
    FileStore,
    FunctionStore,
    HttpTriggerStore,
    OpenPlatformStore,
    PolicyStore,
    UsageStore,
    WebHostingStore,
)

__all__ = ["EmulatorState", "Space", "default_extensions"]

DEFAULT_SEED = "aiompsls-emulator"


@attrs.define(kw_only=True)
class Space:
    """A service space: its own fields plus one store per API group."""

    space_id: str
    name: str
    desc: str = ""
    status: str = "IN_SERVICE"
    workspace_id: int | None = None
    created_ms: int
    api_key: str
    private_key: str
    functions: FunctionStore = attrs.Factory(FunctionStore)
    db: DbStore = attrs.Factory(DbStore)
    files: FileStore = attrs.Factory(FileStore)
    policies: PolicyStore = attrs.Factory(PolicyStore)
    open_platform: OpenPlatformStore = attrs.Factory(OpenPlatformStore)
    cors: CorsStore = attrs.Factory(CorsStore)
    http_trigger: HttpTriggerStore = attrs.Factory(HttpTriggerStore)
    web_hosting: WebHostingStore = attrs.Factory(WebHostingStore)
    usage: UsageStore = attrs.Factory(UsageStore)


def default_extensions() -> dict[str, Extension]:
    """The extension catalogue: the reference's example plus two made-up entries."""
    entries = (
        Extension(
            extension_id="ext-5d53a4fb1c9d446e2075a2cc",
            name="云调用",
            desc="支持开发者在云函数中快速调用小程序生态的业务API。",
            documentation_link="https://help.aliyun.com/document_detail/137586.html",
        ),
        Extension(
            extension_id="ext-5d53a5121c9d446e2075a2cd",
            name="内容安全",
            desc="在云函数中检测文本和图片中的违规内容（模拟器条目）。",
        ),
        Extension(
            extension_id="ext-5d53a5261c9d446e2075a2ce",
            name="短信服务",
            desc="在云函数中发送验证码和通知短信（模拟器条目）。",
        ),
    )
    return {entry.extension_id: entry for entry in entries}


def _oss_key_id(state: EmulatorState) -> str:
    return "LTAI" + hashlib.sha256(f"{state.seed}:oss-id".encode()).hexdigest()[:16]


def _oss_secret(state: EmulatorState, kind: str = "oss-secret") -> str:
    digest = hashlib.sha256(f"{state.seed}:{kind}".encode()).digest()
    return base64.b64encode(digest[:22]).decode().rstrip("=")


@attrs.define(kw_only=True)
class EmulatorState:
    """Everything the emulator knows.

    Attributes:
        seed: Mixed into every minted id; equal seeds give equal id sequences.
        serial: How many ids have been minted so far.
        spaces: The service spaces by id, in creation order.
        extensions: The extension catalogue (account-wide, no space).
        fc_status: What DescribeFCOpenStatus answers.
        oss_access_key_id: The access key id in the OSS URLs the emulator mints.
        oss_access_key_secret: The secret those URLs are signed with.
        objects: The uploaded objects (not part of equality; :meth:`reset` empties
            it and keeps its folder).
        documents: The database every space's documents live in (not part of
            equality); None gives each space a private in-memory one.
    """

    seed: str = DEFAULT_SEED
    serial: int = 0
    spaces: dict[str, Space] = attrs.Factory(dict)
    extensions: dict[str, Extension] = attrs.Factory(default_extensions)
    fc_status: str = "Opened"
    oss_access_key_id: str = attrs.Factory(_oss_key_id, takes_self=True)
    oss_access_key_secret: str = attrs.Factory(_oss_secret, takes_self=True)
    objects: ObjectStore = attrs.field(factory=ObjectStore, eq=False, repr=False)
    documents: DocumentDB | None = attrs.field(default=None, eq=False, repr=False)

    def reset(self) -> None:
        """Forget everything: back to the state of a fresh instance with this seed.

        The object store and the document database stay (with their files) and are
        emptied.
        """
        for space in self.spaces.values():
            space.db.docs.clear()
        fresh = EmulatorState(
            seed=self.seed, objects=self.objects, documents=self.documents
        )
        for field in attrs.fields(EmulatorState):
            setattr(self, field.name, getattr(fresh, field.name))
        self.objects.clear()

    def new_db_store(self, space_id: str) -> DbStore:
        """The database store of a new space: in :attr:`documents` if set."""
        if self.documents is None:
            return DbStore()
        return DbStore(docs=self.documents.space(space_id))

    def remove_space(self, space_id: str) -> None:
        """Delete a space with its collections, backups and objects (it must exist)."""
        space = self.spaces.pop(space_id)
        space.db.docs.clear()
        for bucket, prefix in space_prefixes(space_id):
            self.objects.delete_prefix(bucket, prefix)

    def oss_key(self) -> OssKey:
        """The OSS key presigned URLs and DB import policies are signed with."""
        return OssKey(
            access_key_id=self.oss_access_key_id,
            access_key_secret=self.oss_access_key_secret,
        )

    def oss_sts_key(self) -> OssKey:
        """The STS key (with its token) of web hosting upload credentials."""
        tag = hashlib.sha256(f"{self.seed}:oss-sts-id".encode()).hexdigest()[:24]
        return OssKey(
            access_key_id=f"STS.{tag}",
            access_key_secret=_oss_secret(self, "oss-sts-secret"),
            security_token=_oss_secret(self, "oss-sts-token") * 4,
        )

    def oss_keys(self) -> dict[str, OssKey]:
        """Every OSS key the emulator's buckets accept, by id."""
        keys = (self.oss_key(), self.oss_sts_key())
        return {key.access_key_id: key for key in keys}

    def space(self, space_id: str) -> Space:
        """The space with this id; ``InvalidSpaceId.NotFound`` (404) if none."""
        found = self.spaces.get(space_id)
        if found is None:
            raise EmulatedError(
                "InvalidSpaceId.NotFound",
                "The specified SpaceId does not exist.",
                status=404,
            )
        return found

    def next_serial(self) -> int:
        """Advance the id counter and return its new value (orders events, too)."""
        self.serial += 1
        return self.serial

    def _digest(self, kind: str) -> bytes:
        serial = self.next_serial()
        return hashlib.sha256(f"{self.seed}:{kind}:{serial}".encode()).digest()

    def new_uuid(self) -> str:
        """A fresh UUID-shaped id (``8-4-4-4-12`` lower-case hex, version 4)."""
        return str(uuid.UUID(bytes=self._digest("uuid")[:16], version=4))

    def new_hex(self, length: int = 24) -> str:
        """A fresh lower-case hex string of ``length`` (at most 64) digits."""
        return self._digest("hex").hex()[:length]

    def new_token(self, size: int = 16) -> str:
        """A fresh base64 token of ``size`` (at most 32) random-looking bytes."""
        return base64.b64encode(self._digest("token")[:size]).decode()

    def new_private_key(self) -> str:
        """A fresh PEM-shaped private key (random-looking bytes, not a usable key)."""
        body = b"".join(self._digest("key") for _ in range(8))
        lines = textwrap.wrap(base64.b64encode(body).decode(), 64)
        return "\n".join(
            ["-----BEGIN PRIVATE KEY-----", *lines, "-----END PRIVATE KEY-----"]
        )

"""SQLite storage of the document database: collections of JSON documents.

One :class:`DocumentDB` per database file (or ``":memory:"``), never a global. Rows
hold ``(space, collection, _id key, JSON text)``; ``seq`` keeps insertion ("natural")
order and survives updates. The ``_id`` key is the canonical JSON of the ``_id`` so
that ``1`` and ``1.0`` collide as in MongoDB. Work runs in savepoints
(:meth:`DocumentDB.transaction`): a failed command leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from aiompsls.emulator.docdb.errors import (
    CollectionExistsError,
    CollectionNotFoundError,
    DuplicateKeyError,
)
from aiompsls.emulator.docdb.values import Document, canonical, dumps, loads

if TYPE_CHECKING:
    from aiompsls.emulator.docdb.space import SpaceDB

SCHEMA = """
CREATE TABLE IF NOT EXISTS collections (
    space TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (space, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY,
    space TEXT NOT NULL,
    collection TEXT NOT NULL,
    id_key TEXT NOT NULL,
    body TEXT NOT NULL CHECK (json_valid(body)),
    UNIQUE (space, collection, id_key)
);
CREATE INDEX IF NOT EXISTS documents_order ON documents (space, collection, seq);
CREATE TABLE IF NOT EXISTS backups (
    space TEXT NOT NULL, backup_id TEXT NOT NULL, dump_ms INTEGER NOT NULL,
    PRIMARY KEY (space, backup_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS backup_collections (
    space TEXT NOT NULL, backup_id TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (space, backup_id, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS backup_documents (
    space TEXT NOT NULL, backup_id TEXT NOT NULL, collection TEXT NOT NULL,
    seq INTEGER NOT NULL, id_key TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (space, backup_id, collection, seq)
) WITHOUT ROWID;
"""

Stored = tuple[int, Document]

_FORGET = (
    "DELETE FROM documents WHERE space = ?",
    "DELETE FROM collections WHERE space = ?",
    "DELETE FROM backups WHERE space = ?",
    "DELETE FROM backup_collections WHERE space = ?",
    "DELETE FROM backup_documents WHERE space = ?",
)


class DocumentDB:
    """A document database in one SQLite file, shared by any number of spaces.

    Args:
        path: The database file, or ``":memory:"`` for a private in-memory one.

    The connection may be used from any one thread at a time; transactions are
    serialised by a lock.
    """

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        self.path = os.fspath(path)
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.RLock()
        self._depth = 0
        self._finalizer = weakref.finalize(self, self._conn.close)
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database file (idempotent)."""
        self._finalizer()

    def __enter__(self) -> DocumentDB:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A savepoint: committed when the block ends, rolled back if it raises."""
        with self._lock:
            name = f"sp{self._depth}"
            self._conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._conn.execute(f"ROLLBACK TO {name}")
                raise
            finally:
                self._depth -= 1
                self._conn.execute(f"RELEASE {name}")

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """Run one SQL statement on the connection."""
        return self._conn.execute(sql, params)

    def space(self, space_id: str) -> SpaceDB:
        """The :class:`~aiompsls.emulator.docdb.space.SpaceDB` view of one space."""
        from aiompsls.emulator.docdb.space import SpaceDB

        return SpaceDB(db=self, space_id=space_id)

    def collection(self, space: str, name: str) -> Collection:
        """A handle on one collection of one space (it need not exist yet)."""
        return Collection(db=self, space=space, name=name)

    def collection_names(self, space: str) -> list[str]:
        """The space's collections, sorted by name."""
        rows = self.execute(
            "SELECT name FROM collections WHERE space = ? ORDER BY name", (space,)
        )
        return [name for (name,) in rows]

    def drop(self, space: str, name: str) -> bool:
        """Drop a collection and its documents; whether it existed."""
        with self.transaction():
            self.execute(
                "DELETE FROM documents WHERE space = ? AND collection = ?",
                (space, name),
            )
            gone = self.execute(
                "DELETE FROM collections WHERE space = ? AND name = ?", (space, name)
            )
            return gone.rowcount > 0

    def rename(self, space: str, old: str, new: str) -> None:
        """Rename a collection; CollectionNotFoundError / CollectionExistsError."""
        with self.transaction():
            if not self.collection(space, old).exists():
                raise CollectionNotFoundError(old)
            if self.collection(space, new).exists():
                raise CollectionExistsError(new)
            self.execute(
                "UPDATE collections SET name = ? WHERE space = ? AND name = ?",
                (new, space, old),
            )
            self.execute(
                "UPDATE documents SET collection = ? "
                "WHERE space = ? AND collection = ?",
                (new, space, old),
            )

    def data_size(self, space: str) -> int:
        """The bytes of the space's documents as compact UTF-8 JSON."""
        (size,) = self.execute(
            "SELECT COALESCE(SUM(LENGTH(CAST(body AS BLOB))), 0) "
            "FROM documents WHERE space = ?",
            (space,),
        ).fetchone()
        return int(size)

    def forget_space(self, space: str) -> None:
        """Delete everything a space holds (its collections and backups)."""
        with self.transaction():
            for statement in _FORGET:
                self.execute(statement, (space,))


@attrs.frozen(kw_only=True)
class Collection:
    """One collection of one space: the row operations commands are built from."""

    db: DocumentDB
    space: str
    name: str

    def exists(self) -> bool:
        """Whether the collection exists (it may be empty)."""
        row = self.db.execute(
            "SELECT 1 FROM collections WHERE space = ? AND name = ?",
            (self.space, self.name),
        ).fetchone()
        return row is not None

    def create(self) -> None:
        """Make the collection exist (no-op when it does)."""
        self.db.execute(
            "INSERT OR IGNORE INTO collections (space, name) VALUES (?, ?)",
            (self.space, self.name),
        )

    def scan(self) -> Iterator[Stored]:
        """Every document with its ``seq``, in natural (insertion) order."""
        cursor = self.db.execute(
            "SELECT seq, body FROM documents WHERE space = ? AND collection = ? "
            "ORDER BY seq",
            (self.space, self.name),
        )
        for seq, body in cursor:
            yield seq, loads(body)

    def by_id(self, value: object) -> Stored | None:
        """The document whose ``_id`` equals ``value``, if any."""
        row = self.db.execute(
            "SELECT seq, body FROM documents "
            "WHERE space = ? AND collection = ? AND id_key = ?",
            (self.space, self.name, canonical(value)),
        ).fetchone()
        return None if row is None else (row[0], loads(row[1]))

    def count(self) -> int:
        """How many documents the collection holds."""
        (count,) = self.db.execute(
            "SELECT COUNT(*) FROM documents WHERE space = ? AND collection = ?",
            (self.space, self.name),
        ).fetchone()
        return int(count)

    def insert(self, doc: Document) -> None:
        """Store a new document (it has an ``_id``); DuplicateKeyError if taken."""
        key = canonical(doc["_id"])
        self.create()
        try:
            self.db.execute(
                "INSERT INTO documents (space, collection, id_key, body) "
                "VALUES (?, ?, ?, ?)",
                (self.space, self.name, key, dumps(doc)),
            )
        except sqlite3.IntegrityError as exc:
            raise DuplicateKeyError(self.name, key) from exc

    def update(self, seq: int, doc: Document) -> None:
        """Overwrite the document at ``seq`` (its ``_id`` is unchanged)."""
        self.db.execute(
            "UPDATE documents SET body = ? WHERE seq = ?", (dumps(doc), seq)
        )

    def delete(self, seq: int) -> None:
        """Remove the document at ``seq``."""
        self.db.execute("DELETE FROM documents WHERE seq = ?", (seq,))

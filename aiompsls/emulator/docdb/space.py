"""One service space's view of a :class:`DocumentDB`: what the emulator's handlers use.

:meth:`SpaceDB.run` runs a RunDBCommand body; the other methods serve
DeleteDBCollection, RenameDBCollection, the export, import and restore tasks, and
backups. Each write (a command, an import, a restore) is one transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from aiompsls.emulator.docdb import backups as _backups
from aiompsls.emulator.docdb.backups import BackupInfo
from aiompsls.emulator.docdb.command import Command, NewId, Outcome, parse_command
from aiompsls.emulator.docdb.errors import (
    CollectionNotFoundError,
    UnsupportedOperatorError,
)
from aiompsls.emulator.docdb.reads import READS, Runner
from aiompsls.emulator.docdb.storage import Collection, DocumentDB
from aiompsls.emulator.docdb.transfer import (
    ImportCounts,
    Target,
    export_chunks,
    export_documents,
    import_documents,
)
from aiompsls.emulator.docdb.values import Document
from aiompsls.emulator.docdb.writes import WRITES

COMMANDS: dict[str, Runner] = {**READS, **WRITES}


def object_id() -> str:
    """A fresh ObjectId-like id: 24 random lower-case hex digits."""
    return secrets.token_hex(12)


@attrs.frozen(kw_only=True)
class SpaceDB:
    """The collections and backups of one space in a :class:`DocumentDB`.

    Attributes:
        db: The database holding them.
        space_id: The space's key in it.
    """

    db: DocumentDB
    space_id: str

    @classmethod
    def in_memory(cls) -> SpaceDB:
        """A space in a private in-memory database of its own."""
        return cls(db=DocumentDB(":memory:"), space_id="")

    def collection(self, name: str) -> Collection:
        """A handle on one collection (it need not exist)."""
        return self.db.collection(self.space_id, name)

    def run(
        self, body: str | bytes | dict[str, Any] | Command, *, new_id: NewId = object_id
    ) -> Outcome:
        """Run one command; raises InvalidCommandError, DuplicateKeyError..."""
        command = body if isinstance(body, Command) else parse_command(body)
        runner = COMMANDS.get(command.name)
        if runner is None:
            raise UnsupportedOperatorError(command.name, "command")
        with self.db.transaction():
            return runner(self.collection(command.collection), command, new_id)

    def collection_names(self) -> list[str]:
        """The space's collections, sorted by name."""
        return self.db.collection_names(self.space_id)

    def has_collection(self, name: str) -> bool:
        """Whether the collection exists (it may be empty)."""
        return self.collection(name).exists()

    def documents(self, name: str) -> Iterator[Document]:
        """The collection's documents in natural order."""
        return (doc for _, doc in self.collection(name).scan())

    def drop(self, name: str) -> bool:
        """Drop a collection; whether it existed."""
        return self.db.drop(self.space_id, name)

    def rename(self, old: str, new: str) -> None:
        """Rename a collection; CollectionNotFoundError / CollectionExistsError."""
        self.db.rename(self.space_id, old, new)

    def data_size(self) -> int:
        """The bytes of all the space's documents as compact UTF-8 JSON."""
        return self.db.data_size(self.space_id)

    def clear(self) -> None:
        """Forget every collection and backup of the space."""
        self.db.forget_space(self.space_id)

    def export(
        self, name: str, target: Target, file_type: str, fields: Sequence[str] = ()
    ) -> int:
        """Write a collection to an export file (path or binary stream); the count.

        CollectionNotFoundError when it does not exist.
        """
        with self.db.transaction():
            if not self.has_collection(name):
                raise CollectionNotFoundError(name)
            return export_documents(self.documents(name), target, file_type, fields)

    def export_chunks(
        self, name: str, file_type: str, fields: Sequence[str] = ()
    ) -> Iterator[bytes]:
        """A collection's export file as byte chunks, read as they are consumed.

        CollectionNotFoundError (raised now, not when iterating) when it does not
        exist; :meth:`count` gives the number of documents the chunks will hold.
        """
        if not self.has_collection(name):
            raise CollectionNotFoundError(name)
        return export_chunks(self.documents(name), file_type, fields)

    def count(self, name: str) -> int:
        """How many documents a collection holds (0 when it does not exist)."""
        return self.collection(name).count()

    def import_file(
        self,
        name: str,
        source: Target,
        file_type: str,
        mode: str,
        *,
        new_id: NewId = object_id,
    ) -> ImportCounts:
        """Read an import file (path or binary stream) into a collection."""
        with self.db.transaction():
            coll = self.collection(name)
            coll.create()
            return import_documents(coll, source, file_type, mode, new_id)

    def backup(self, backup_id: str, dump_ms: int) -> BackupInfo:
        """Snapshot every collection of the space now."""
        return _backups.take_backup(self.db, self.space_id, backup_id, dump_ms)

    def backups(self) -> list[BackupInfo]:
        """The space's backups, oldest first."""
        return _backups.list_backups(self.db, self.space_id)

    def backup_info(self, backup_id: str) -> BackupInfo:
        """One backup; BackupNotFoundError if there is none."""
        return _backups.get_backup(self.db, self.space_id, backup_id)

    def delete_backup(self, backup_id: str) -> None:
        """Forget a backup."""
        _backups.delete_backup(self.db, self.space_id, backup_id)

    def check_restore(
        self, backup_id: str, pairs: Sequence[tuple[str, str]]
    ) -> BackupInfo:
        """The errors :meth:`restore` would raise, without restoring."""
        return _backups.check_restore(self.db, self.space_id, backup_id, pairs)

    def restore(self, backup_id: str, pairs: Sequence[tuple[str, str]]) -> int:
        """Copy ``(origin, new name)`` collections of a backup; documents copied."""
        return _backups.restore(self.db, self.space_id, backup_id, pairs)

    def backup_size(self, backup_id: str, origins: Sequence[str]) -> int:
        """How many documents the named collections of a backup hold."""
        return _backups.count_backup_documents(
            self.db, self.space_id, backup_id, origins
        )

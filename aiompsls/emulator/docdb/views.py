"""Read-only mapping views of a space's collections and backups.

They let code that only looks (counts, sizes, summaries) treat the database like the
dictionaries it replaced; every access reads the database afresh.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from aiompsls.emulator.docdb.backups import BackupInfo
from aiompsls.emulator.docdb.errors import BackupNotFoundError
from aiompsls.emulator.docdb.space import SpaceDB
from aiompsls.emulator.docdb.values import Document


class CollectionsView(Mapping[str, list[Document]]):
    """Collection name -> its documents in natural order (loaded on access)."""

    def __init__(self, space: SpaceDB) -> None:
        self._space = space

    def __getitem__(self, name: str) -> list[Document]:
        if not self._space.has_collection(name):
            raise KeyError(name)
        return list(self._space.documents(name))

    def __iter__(self) -> Iterator[str]:
        return iter(self._space.collection_names())

    def __len__(self) -> int:
        return len(self._space.collection_names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._space.has_collection(name)


class BackupsView(Mapping[str, BackupInfo]):
    """Backup id -> :class:`BackupInfo`, oldest first."""

    def __init__(self, space: SpaceDB) -> None:
        self._space = space

    def __getitem__(self, backup_id: str) -> BackupInfo:
        try:
            return self._space.backup_info(backup_id)
        except BackupNotFoundError:
            raise KeyError(backup_id) from None

    def __iter__(self) -> Iterator[str]:
        return iter([info.backup_id for info in self._space.backups()])

    def __len__(self) -> int:
        return len(self._space.backups())

"""Backups of a space's collections and restores of them under new names.

A backup copies every collection of the space (empty ones too) inside SQLite, with
the time it was taken; a restore copies chosen collections of a backup into
collections that must not exist yet, all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from aiompsls.emulator.docdb.errors import (
    BackupNotFoundError,
    CollectionExistsError,
    CollectionNotFoundError,
    InvalidCommandError,
)
from aiompsls.emulator.docdb.storage import DocumentDB


@attrs.frozen(kw_only=True)
class BackupInfo:
    """A backup: its id, when it was taken (epoch ms) and its collections."""

    backup_id: str
    dump_ms: int
    collections: tuple[str, ...]


def take_backup(db: DocumentDB, space: str, backup_id: str, dump_ms: int) -> BackupInfo:
    """Snapshot every collection of ``space`` as ``backup_id`` (replacing any)."""
    with db.transaction():
        delete_backup(db, space, backup_id)
        db.execute(
            "INSERT INTO backups (space, backup_id, dump_ms) VALUES (?, ?, ?)",
            (space, backup_id, dump_ms),
        )
        db.execute(
            "INSERT INTO backup_collections (space, backup_id, name) "
            "SELECT space, ?, name FROM collections WHERE space = ?",
            (backup_id, space),
        )
        db.execute(
            "INSERT INTO backup_documents "
            "(space, backup_id, collection, seq, id_key, body) "
            "SELECT space, ?, collection, seq, id_key, body FROM documents "
            "WHERE space = ?",
            (backup_id, space),
        )
        return get_backup(db, space, backup_id)


def get_backup(db: DocumentDB, space: str, backup_id: str) -> BackupInfo:
    """The backup with this id; BackupNotFoundError if there is none."""
    row = db.execute(
        "SELECT dump_ms FROM backups WHERE space = ? AND backup_id = ?",
        (space, backup_id),
    ).fetchone()
    if row is None:
        raise BackupNotFoundError(backup_id)
    names = db.execute(
        "SELECT name FROM backup_collections WHERE space = ? AND backup_id = ? "
        "ORDER BY name",
        (space, backup_id),
    )
    return BackupInfo(
        backup_id=backup_id, dump_ms=row[0], collections=tuple(n for (n,) in names)
    )


def list_backups(db: DocumentDB, space: str) -> list[BackupInfo]:
    """The space's backups, oldest first."""
    rows = db.execute(
        "SELECT backup_id FROM backups WHERE space = ? ORDER BY dump_ms, backup_id",
        (space,),
    ).fetchall()
    return [get_backup(db, space, backup_id) for (backup_id,) in rows]


def delete_backup(db: DocumentDB, space: str, backup_id: str) -> None:
    """Forget a backup (no-op when there is none)."""
    with db.transaction():
        for table in ("backups", "backup_collections", "backup_documents"):
            db.execute(_DELETE[table], (space, backup_id))


_DELETE = {
    "backups": "DELETE FROM backups WHERE space = ? AND backup_id = ?",
    "backup_collections": (
        "DELETE FROM backup_collections WHERE space = ? AND backup_id = ?"
    ),
    "backup_documents": (
        "DELETE FROM backup_documents WHERE space = ? AND backup_id = ?"
    ),
}


def check_restore(
    db: DocumentDB, space: str, backup_id: str, pairs: Sequence[tuple[str, str]]
) -> BackupInfo:
    """Check a restore without doing it: the errors :func:`restore` would raise."""
    backup = get_backup(db, space, backup_id)
    targets = [target for _, target in pairs]
    if not pairs or len(set(targets)) != len(targets):
        raise InvalidCommandError("restore needs distinct new collection names")
    for origin, target in pairs:
        if origin not in backup.collections:
            raise CollectionNotFoundError(origin)
        if db.collection(space, target).exists():
            raise CollectionExistsError(target)
    return backup


def restore(
    db: DocumentDB, space: str, backup_id: str, pairs: Sequence[tuple[str, str]]
) -> int:
    """Copy ``(origin, new name)`` collections of a backup; the documents copied."""
    copied = 0
    with db.transaction():
        check_restore(db, space, backup_id, pairs)
        for origin, target in pairs:
            db.collection(space, target).create()
            cursor = db.execute(
                "INSERT INTO documents (space, collection, id_key, body) "
                "SELECT space, ?, id_key, body FROM backup_documents "
                "WHERE space = ? AND backup_id = ? AND collection = ? ORDER BY seq",
                (target, space, backup_id, origin),
            )
            copied += cursor.rowcount
    return copied


def count_backup_documents(
    db: DocumentDB, space: str, backup_id: str, origins: Sequence[str]
) -> int:
    """How many documents the named collections of a backup hold."""
    total = 0
    for origin in origins:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM backup_documents "
            "WHERE space = ? AND backup_id = ? AND collection = ?",
            (space, backup_id, origin),
        ).fetchone()
        total += int(count)
    return total

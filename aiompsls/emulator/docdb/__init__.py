"""A MongoDB-flavoured document database on SQLite, behind the emulator's DB actions.

:class:`DocumentDB` is one SQLite file (or ``":memory:"``) shared by spaces;
:class:`SpaceDB` is one space's view of it, running RunDBCommand bodies
(:meth:`SpaceDB.run`), renames and drops, exports and imports, backups and restores.
Supported commands, operators and stages are listed in the modules: :mod:`.query`
(filters), :mod:`.update` (update operators), :mod:`.projection` (projection, sort),
:mod:`.aggregate` and :mod:`.expressions` (pipelines), :mod:`.reads` and
:mod:`.writes` (commands and their Result shapes), :mod:`.transfer` (files).
Stdlib and attrs only; no emulator imports, so it can be tested on its own.
"""

from __future__ import annotations

from aiompsls.emulator.docdb.backups import BackupInfo
from aiompsls.emulator.docdb.command import Command, Outcome, parse_command
from aiompsls.emulator.docdb.errors import (
    BackupNotFoundError,
    CollectionExistsError,
    CollectionNotFoundError,
    DocDBError,
    DuplicateKeyError,
    InvalidCommandError,
    InvalidFileError,
    UnsupportedOperatorError,
    WriteError,
)
from aiompsls.emulator.docdb.space import COMMANDS, SpaceDB, object_id
from aiompsls.emulator.docdb.storage import DocumentDB
from aiompsls.emulator.docdb.transfer import ImportCounts
from aiompsls.emulator.docdb.views import BackupsView, CollectionsView

__all__ = [
    "COMMANDS",
    "BackupInfo",
    "BackupNotFoundError",
    "BackupsView",
    "CollectionExistsError",
    "CollectionNotFoundError",
    "CollectionsView",
    "Command",
    "DocDBError",
    "DocumentDB",
    "DuplicateKeyError",
    "ImportCounts",
    "InvalidCommandError",
    "InvalidFileError",
    "Outcome",
    "SpaceDB",
    "UnsupportedOperatorError",
    "WriteError",
    "object_id",
    "parse_command",
]

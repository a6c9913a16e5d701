"""The errors the document database raises; the emulator maps each to a service code.

Every error carries a message that names what was wrong (the command, the operator,
the collection), so the handler can pass it on unchanged.
"""

from __future__ import annotations

import json


class DocDBError(Exception):
    """Base class of every document database error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidCommandError(DocDBError):
    """A command, option, filter or update the database cannot read (400)."""


class UnsupportedOperatorError(InvalidCommandError):
    """An operator, stage or command this emulator does not implement.

    Attributes:
        name: The operator as written (``$where``, ``$lookup``, ``mapReduce``).
    """

    def __init__(self, name: str, where: str = "operator") -> None:
        super().__init__(f"unsupported {where} '{name}'")
        self.name = name


class WriteError(InvalidCommandError):
    """An update that cannot apply to a stored document (``$inc`` on a string...)."""


class DuplicateKeyError(DocDBError):
    """A document with this ``_id`` is already in the collection (409).

    Attributes:
        key: The ``_id`` as compact JSON text.
    """

    def __init__(self, collection: str, key: str) -> None:
        super().__init__(
            f"E11000 duplicate key error collection: {collection} "
            f"index: _id_ dup key: {{ _id: {key} }}"
        )
        self.collection = collection
        self.key = key

    @property
    def id_text(self) -> str:
        """The ``_id`` for messages: a string id as it is, other ids as JSON."""
        value = json.loads(self.key)
        return value if isinstance(value, str) else self.key


class CollectionNotFoundError(DocDBError):
    """The named collection does not exist (404)."""

    def __init__(self, collection: str) -> None:
        super().__init__(f"collection '{collection}' does not exist")
        self.collection = collection


class CollectionExistsError(DocDBError):
    """A collection with the target name already exists (409)."""

    def __init__(self, collection: str) -> None:
        super().__init__(f"collection '{collection}' already exists")
        self.collection = collection


class BackupNotFoundError(DocDBError):
    """No backup has this id (404)."""

    def __init__(self, backup_id: str) -> None:
        super().__init__(f"backup '{backup_id}' does not exist")
        self.backup_id = backup_id


class InvalidFileError(DocDBError):
    """An import file that cannot be read as the declared format at all."""

"""The emulator's state folder: records in SQLite, documents and objects beside them.

Layout of a state folder: ``emulator.sqlite`` (the control-plane records, one JSON
row per space plus one for the account-wide fields, and the saved access key),
``documents.sqlite`` (the document database of every space), ``objects/`` (the
object store) and ``lock`` (held while an emulator uses the folder, so one emulator
per folder). :meth:`StateFolder.save` writes only the rows whose JSON changed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import cattrs

from aiompsls.emulator.docdb import DocumentDB
from aiompsls.emulator.objects import ObjectStore, ObjectStoreError
from aiompsls.emulator.records import DbStore, DbTask, Extension
from aiompsls.emulator.state import EmulatorState, Space

__all__ = [
    "ENV_VAR",
    "FORMAT_VERSION",
    "StateError",
    "StateFolder",
    "default_state_dir",
]

#: The environment variable naming the default state folder.
ENV_VAR = "AIOMPSLS_EMULATOR_STATE"
#: The layout version written to ``emulator.sqlite``; newer files are refused.
FORMAT_VERSION = 1
STATE_FILE = "emulator.sqlite"
DOCUMENTS_FILE = "documents.sqlite"
OBJECTS_DIR = "objects"
LOCK_FILE = "lock"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, body TEXT NOT NULL);
"""
_ACCOUNT = "account"
_SPACE = "space/"


class StateError(Exception):
    """The state folder cannot be used: locked by another emulator, corrupt or newer."""


def default_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$AIOMPSLS_EMULATOR_STATE``, else ``${XDG_DATA_HOME:-~/.local/share}/...``.

    Args:
        environ: The environment to read; ``os.environ`` if None.

    Returns:
        The folder ``serve`` keeps its state in when none is named.
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR]).expanduser()
    data_home = env.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    return Path(data_home) / "aiompsls" / "emulator"


def _converter() -> cattrs.Converter:
    """Records to JSON values and back; a space's database handle is left out."""
    converter = cattrs.Converter()
    converter.register_unstructure_hook(
        DbStore, lambda db: {"tasks": converter.unstructure(db.tasks)}
    )
    converter.register_structure_hook(
        DbStore,
        lambda data, _: DbStore(
            tasks=converter.structure(data["tasks"], dict[str, DbTask])
        ),
    )
    return converter


_CONVERTER = _converter()


def _lock(path: Path) -> IO[bytes]:
    """Hold an exclusive lock on ``path``; StateError if another process holds it."""
    handle = path.open("a+b")
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StateError(
            f"{path.parent}: another emulator is using this state folder "
            f"(it holds the lock file {path})"
        ) from None
    return handle


def _connect(path: Path) -> sqlite3.Connection:
    """Open ``emulator.sqlite`` and check its format; StateError naming it if bad."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.executescript(_SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is None:
            conn.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT_VERSION,))
            return conn
        version = int(row[0])
    except (sqlite3.Error, ValueError) as exc:
        raise StateError(f"{path}: not an emulator state file ({exc})") from None
    if version > FORMAT_VERSION:
        conn.close()
        raise StateError(
            f"{path}: written by a newer emulator (format {version}; this one "
            f"reads up to {FORMAT_VERSION})"
        )
    return conn


class StateFolder:
    """An open, locked state folder (see the module docstring for its layout).

    Use :meth:`open`; close it (or leave its ``with`` block) to release the lock.
    """

    def __init__(
        self, root: Path, conn: sqlite3.Connection, lock: IO[bytes], docs: DocumentDB
    ) -> None:
        self.root = root
        self._conn = conn
        self._lock = lock
        self._docs = docs
        self._written: dict[str, str] = {}

    @classmethod
    def open(cls, root: str | os.PathLike[str]) -> StateFolder:
        """Create (if missing), lock and open a state folder.

        Raises:
            StateError: Another emulator holds the folder, or a file in it is not an
                emulator state file or comes from a newer emulator.
        """
        folder = Path(root)
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds the key
        except OSError as exc:
            message = f"{folder}: cannot create the state folder ({exc})"
            raise StateError(message) from None
        lock = _lock(folder / LOCK_FILE)
        try:
            conn = _connect(folder / STATE_FILE)
            docs = _open_documents(folder / DOCUMENTS_FILE)
        except BaseException:
            lock.close()
            raise
        return cls(folder, conn, lock, docs)

    def __enter__(self) -> StateFolder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the files and release the lock (idempotent)."""
        self._conn.close()
        self._docs.close()
        self._lock.close()

    @property
    def state_file(self) -> Path:
        """The SQLite file of the control-plane records."""
        return self.root / STATE_FILE

    def load(self) -> EmulatorState:
        """The saved state (a fresh one if nothing was saved) over this folder's files.

        Raises:
            StateError: A saved record cannot be read.
        """
        rows = dict(self._conn.execute("SELECT key, body FROM records").fetchall())
        try:
            objects = ObjectStore(self.root / OBJECTS_DIR)
        except ObjectStoreError as exc:
            raise StateError(str(exc)) from None
        state = EmulatorState(objects=objects, documents=self._docs)
        if _ACCOUNT not in rows:
            return state
        try:
            self._restore(state, rows)
        except (ValueError, KeyError, TypeError, cattrs.BaseValidationError) as exc:
            raise StateError(
                f"{self.state_file}: a record cannot be read ({exc})"
            ) from None
        self._written = rows
        return state

    def _restore(self, state: EmulatorState, rows: dict[str, str]) -> None:
        account: dict[str, Any] = json.loads(rows[_ACCOUNT])
        state.seed, state.serial = account["seed"], account["serial"]
        state.fc_status = account["fc_status"]
        state.oss_access_key_id = account["oss_access_key_id"]
        state.oss_access_key_secret = account["oss_access_key_secret"]
        state.extensions = _CONVERTER.structure(
            account["extensions"], dict[str, Extension]
        )
        for space_id in account["spaces"]:
            space = _CONVERTER.structure(json.loads(rows[_SPACE + space_id]), Space)
            space.db.docs = self._docs.space(space_id)
            state.spaces[space_id] = space

    def save(self, state: EmulatorState) -> None:
        """Write the records of ``state`` that changed since the last save or load."""
        rows = _rows(state)
        changed = [(k, v) for k, v in rows.items() if self._written.get(k) != v]
        gone = [k for k in self._written if k not in rows]
        if not changed and not gone:
            return
        with self._conn:
            self._conn.execute("BEGIN")
            self._conn.executemany(
                "INSERT OR REPLACE INTO records VALUES (?, ?)", changed
            )
            self._conn.executemany(
                "DELETE FROM records WHERE key = ?", [(k,) for k in gone]
            )
        self._written = rows

    def saved_key(self) -> tuple[str, str] | None:
        """The access key id and secret saved by :meth:`save_key`, if any."""
        rows = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        key_id, secret = rows.get("access_key_id"), rows.get("access_key_secret")
        return (key_id, secret) if key_id and secret else None

    def save_key(self, access_key_id: str, access_key_secret: str) -> None:
        """Remember the access key clients sign with, for the next start."""
        pairs = [
            ("access_key_id", access_key_id),
            ("access_key_secret", access_key_secret),
        ]
        with self._conn:
            self._conn.execute("BEGIN")
            self._conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", pairs)


def _open_documents(path: Path) -> DocumentDB:
    try:
        return DocumentDB(path)
    except sqlite3.Error as exc:
        raise StateError(f"{path}: not a document database ({exc})") from None


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _rows(state: EmulatorState) -> dict[str, str]:
    """The records of ``state`` as ``key -> JSON text`` rows."""
    account = {
        "seed": state.seed,
        "serial": state.serial,
        "fc_status": state.fc_status,
        "oss_access_key_id": state.oss_access_key_id,
        "oss_access_key_secret": state.oss_access_key_secret,
        "extensions": _CONVERTER.unstructure(state.extensions),
        "spaces": list(state.spaces),
    }
    rows = {_ACCOUNT: _dumps(account)}
    for space_id, space in state.spaces.items():
        rows[_SPACE + space_id] = _dumps(_CONVERTER.unstructure(space))
    return rows

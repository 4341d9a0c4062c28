"""The one way into the app's SQLite file: connections, pragmas, the write lock, row mapping."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from typing import Any

TIMEOUT = 30.0  # seconds a connection waits for another writer (busy timeout)


class StorageError(RuntimeError):
    """The database cannot be used; the message is one line naming the file."""


def connect(path: str) -> sqlite3.Connection:
    """A connection with the app's pragmas; rows come back as sqlite3.Row."""
    db = sqlite3.connect(path, check_same_thread=False, timeout=TIMEOUT)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


@contextmanager
def reading(path: str) -> Iterator[sqlite3.Connection]:
    """A short-lived connection for reads (WAL lets it run beside the writer)."""
    with closing(connect(path)) as db:
        yield db


def as_dict(row: sqlite3.Row, json_columns: Iterable[str] = ()) -> dict[str, Any]:
    """A row as a dict, with the named JSON columns decoded (NULL stays None)."""
    out = dict(row)
    for key in json_columns:
        if out.get(key) is not None:
            out[key] = json.loads(out[key])
    return out


class Database:
    """One app's file: every write goes through one connection under one lock, in WAL mode."""

    def __init__(self, path: str, schemas: Iterable[str] = ()) -> None:
        self.path = path
        self.lock = threading.Lock()
        try:
            self._db = connect(path)
            self._db.execute("PRAGMA journal_mode=WAL")
            for schema in schemas:
                self._db.executescript(schema)
        except sqlite3.Error as exc:
            raise StorageError(unusable(path, exc)) from None

    def add_schema(self, schema: str) -> None:
        with self.write() as db:
            db.executescript(schema)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """The writer connection in a transaction, under the lock (committed on exit)."""
        with self.lock, self._db:
            yield self._db

    def read(self) -> Any:
        """A fresh connection for reads: `with database.read() as db: ...`."""
        return reading(self.path)

    def close(self) -> None:
        with self.lock:
            self._db.close()


def unusable(path: str, exc: BaseException) -> str:
    """One line saying which file cannot be used and why."""
    where = os.path.dirname(os.path.abspath(path))
    hint = "" if os.access(where, os.W_OK) else f" (the folder {where} is not writable)"
    return f"cannot use the database {path}: {exc}{hint}"

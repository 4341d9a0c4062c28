"""The embedded database: one SQLite file in WAL mode, one writer connection under a lock.

Several processes may share the file (docs/scaling.md): every write transaction starts with
BEGIN IMMEDIATE, so it waits up to TIMEOUT for another process's writer instead of failing,
and so does the schema migration, which processes started together run one after the other.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager

from app import migrations
from app.db import StorageError, unusable

TIMEOUT = 30.0  # seconds a connection waits for another writer (busy timeout)


def connect(path: str, isolation_level: str | None = "IMMEDIATE") -> sqlite3.Connection:
    """A connection with the app's pragmas; rows come back as sqlite3.Row."""
    db = sqlite3.connect(
        path, check_same_thread=False, timeout=TIMEOUT, isolation_level=isolation_level
    )
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def columns_of(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def use_wal(db: sqlite3.Connection, deadline: float) -> None:
    """Switch the file to WAL. It needs the file to itself for an instant: another process
    starting at the same moment may hold it, so this waits (the busy handler does not)."""
    while True:
        try:
            if db.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("could not switch the database to WAL mode")
        time.sleep(0.05)


def migrate(path: str) -> list[int]:
    """Bring the file's schema up to date; processes doing it at once take turns."""
    with closing(connect(path, isolation_level=None)) as db:
        use_wal(db, time.monotonic() + TIMEOUT)
        db.execute("BEGIN IMMEDIATE")  # waits (busy timeout) while another process migrates
        try:
            applied = migrations.apply(db, 0, columns_of)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return applied


class SQLiteDatabase:
    """One app's file: every write goes through one connection under one lock."""

    insertion_order = "rowid"

    def __init__(self, path: str) -> None:
        self.path = self.name = path
        self.lock = threading.Lock()
        try:
            migrate(path)
            self._db = connect(path)
        except sqlite3.Error as exc:
            raise StorageError(unusable(path, exc)) from None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """The writer connection in a transaction, under the lock (committed on exit)."""
        with self.lock, self._db:
            yield self._db

    def read(self) -> closing[sqlite3.Connection]:
        """A short-lived connection for reads (WAL lets it run beside the writer)."""
        return closing(connect(self.path))

    def json_field(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')"

    def size_mb(self) -> float:
        """The file's pages in use, as SQLite counts them (deleted runs' pages are free)."""
        with self.read() as db:
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            free = db.execute("PRAGMA freelist_count").fetchone()[0]
            size = db.execute("PRAGMA page_size").fetchone()[0]
        return (pages - free) * size / 1e6

    def close(self) -> None:
        with self.lock:
            self._db.close()

"""The one way into the app's database: which one (SQLite file or PostgreSQL URL), opened
with its schema migrated, and what every store module may use of it.

The stores write portable SQL with `?` placeholders against `Database.read()` and
`Database.write()`; what differs between the two (types, JSON fields, insertion order, size)
is named on the database itself. SQLite: app/sqlite_db.py; PostgreSQL: app/postgres_db.py
(its driver is imported only when a PostgreSQL URL is configured); the schema:
app/migrations.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class StorageError(RuntimeError):
    """The database cannot be used; the message is one line naming it."""


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """What a store may do with a connection: DB-API execute with `?` placeholders."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any: ...


class Database(Protocol):
    """An open, migrated database. Rows support `row[0]`, `row["name"]` and `dict(row)`."""

    name: str  # shown to operators: the file, or the server and database (no password)
    #: an expression that orders rows of a table by insertion (ties of `created`)
    insertion_order: str

    def write(self) -> AbstractContextManager[Connection]:
        """A connection in a transaction, committed on exit (rolled back on an exception)."""

    def read(self) -> AbstractContextManager[Connection]:
        """A connection for reads beside the writers."""

    def json_field(self, column: str, key: str) -> str:
        """An SQL expression: the top-level `key` of the JSON text in `column`, as text."""

    def size_mb(self) -> float:
        """The space the app's data takes, in MB (the storage quota, STORE_MAX_MB)."""

    def close(self) -> None: ...


def is_postgres(target: str) -> bool:
    return target.startswith(POSTGRES_SCHEMES)


def open_database(target: str) -> Database:
    """A PostgreSQL URL or an SQLite file path, opened and migrated to the current schema."""
    if is_postgres(target):
        from app.postgres_db import PostgresDatabase

        return PostgresDatabase(target)
    from app.sqlite_db import SQLiteDatabase

    return SQLiteDatabase(target)


def database_of(database: Database | str) -> Database:
    """A store's database: given, or opened from a path or URL (tests, scripts)."""
    return open_database(database) if isinstance(database, str) else database


def as_dict(row: Any, json_columns: Iterable[str] = ()) -> dict[str, Any]:
    """A row as a dict, with the named JSON columns decoded (NULL stays None)."""
    out = dict(row)
    for key in json_columns:
        if out.get(key) is not None:
            out[key] = json.loads(out[key])
    return out


def unusable(path: str, exc: BaseException) -> str:
    """One line saying which file cannot be used and why."""
    where = os.path.dirname(os.path.abspath(path))
    hint = "" if os.access(where, os.W_OK) else f" (the folder {where} is not writable)"
    return f"cannot use the database {path}: {exc}{hint}"


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (drivers' messages span several)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def chunks(statements: str) -> Iterator[str]:
    """The statements of an SQL script (none of ours has a `;` inside a literal)."""
    for part in statements.split(";"):
        if part.strip():
            yield part.strip()

"""The server database: PostgreSQL through psycopg 3 and its connection pool.

Chosen by SAGALAB_DATABASE_URL=postgresql://... (or `python -m app --database URL`); every
process and machine of a deployment uses the same URL. psycopg is imported only here, so an
install without it serves SQLite. Under gunicorn's gevent worker psycopg waits cooperatively
(psycopg >= 3.1.14 detects gevent's patching itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from app import migrations
from app.db import StorageError, one_line
from app.requires import require

psycopg = require("psycopg", "psycopg[binary]", "a PostgreSQL database (DATABASE_URL)")
ConnectionPool = require(
    "psycopg_pool", "psycopg-pool", "a PostgreSQL database (DATABASE_URL)"
).ConnectionPool

POOL_MIN, POOL_MAX = 2, 10  # connections per process (PostgreSQL's default limit is 100)
CONNECT_SECONDS = 10  # how long opening waits for the server
MIGRATION_LOCK = 0x5A6A_1AB0  # pg_advisory_xact_lock key: one process migrates at a time


class Row(tuple):
    """A row that answers `row[0]`, `row["name"]` and `dict(row)`, as sqlite3.Row does."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def row_factory(cursor: Any) -> Any:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    cls = type("Row", (Row,), {"names": names})
    return lambda values: cls(values)


@lru_cache(maxsize=512)
def placeholders(sql: str) -> str:
    """The stores' `?` placeholders as psycopg's `%s` (a literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


def storable(params: Sequence[Any]) -> tuple[Any, ...]:
    """PostgreSQL's text cannot hold U+0000 (SQLite's can): it is kept as U+FFFD, so a look-up
    of an id with one finds nothing, as on SQLite, instead of failing. JSON columns are not
    concerned: their writers escape it."""
    return tuple(
        value.replace("\x00", "\ufffd") if type(value) is str and "\x00" in value else value
        for value in params
    )


class Connection:
    """A pooled psycopg connection that speaks the stores' dialect (`?` placeholders)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(placeholders(sql), storable(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        cursor = self.conn.cursor()
        cursor.executemany(placeholders(sql), [storable(row) for row in rows])
        return cursor


def redacted(url: str) -> str:
    """The URL without its password (what an error or a log line may show)."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(a URL psycopg cannot parse)"
    user = f"{info['user']}@" if info.get("user") else ""
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{info.get('host') or ''}{port}/{info.get('dbname') or ''}"


def columns_of(conn: Connection, table: str) -> set[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ?",
        (table,),
    ).fetchall()
    return {row[0] for row in rows}


def migrate(url: str) -> list[int]:
    """Bring the schema up to date; processes doing it at once take turns (an advisory lock)."""
    connect = psycopg.connect(url, connect_timeout=CONNECT_SECONDS, row_factory=row_factory)
    with connect as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        return migrations.apply(Connection(conn), 1, columns_of)


class PostgresDatabase:
    """A PostgreSQL database shared by every process: a pool of connections per process."""

    insertion_order = "n"

    def __init__(self, url: str) -> None:
        self.name = redacted(url)
        try:
            migrate(url)
        except psycopg.Error as exc:
            raise StorageError(f"cannot use the database {self.name}: {one_line(exc)}") from None
        self.pool = ConnectionPool(
            url,
            min_size=POOL_MIN,
            max_size=POOL_MAX,
            kwargs={"row_factory": row_factory},
            name="sagalab",
            open=True,
        )

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.pool.connection() as conn:
            yield Connection(conn)

    read = write  # PostgreSQL's MVCC: a reader is a connection like any other

    def json_field(self, column: str, key: str) -> str:
        return f"(({column})::jsonb ->> '{key}')"

    def size_mb(self) -> float:
        """The runs' stored JSON and a measured overhead per event row, and the other tables.

        Not the tables' size on disk: PostgreSQL reuses a deleted run's space without giving
        it back, so that size would stay at the quota after runs are deleted to make room.
        """
        with self.read() as conn:
            stored, events = conn.execute(
                "SELECT COALESCE(SUM(stored_bytes), 0), COALESCE(SUM(event_count), 0) FROM runs"
            ).fetchone()
            others = conn.execute(
                "SELECT pg_total_relation_size('experiments') + pg_total_relation_size('polls')"
            ).fetchone()[0]
        return (int(stored) + int(events) * EVENT_ROW_BYTES + int(others)) / 1e6

    def close(self) -> None:
        self.pool.close()


#: bytes an event row takes besides its JSON (tuple header, run id, seq, index entry): 86
#: measured on PostgreSQL 15 over 50,000 events of 60-300 bytes (tests/test_store.py checks
#: the estimate against the quota's bounds on both databases)
EVENT_ROW_BYTES = 90

"""SQLite store of runs and their events: one schema, WAL mode, safe across threads."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import closing
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    preset TEXT,
    params TEXT NOT NULL,
    speed TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    summary TEXT,
    t REAL NOT NULL DEFAULT 0,
    event_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created DESC);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
"""

LIVE_STATES = ("pending", "running", "paused")
RUN_COLUMNS = "id, created, preset, params, speed, status, reason, summary, t, event_count"


class Store:
    """Writes go through one connection under a lock; each read opens its own connection."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = self._connect()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def mark_interrupted(self) -> int:
        """Runs left live by an earlier server are marked interrupted; returns how many."""
        marks = ",".join("?" * len(LIVE_STATES))
        with self._lock, self._db:
            cur = self._db.execute(
                f"UPDATE runs SET status='interrupted', reason='the server stopped during the run'"
                f" WHERE status IN ({marks})",
                LIVE_STATES,
            )
        return cur.rowcount

    def create_run(
        self, run_id: str, preset: str | None, params: dict[str, Any], speed: Any, status: str
    ) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO runs (id, created, preset, params, speed, status)"
                " VALUES (?,?,?,?,?,?)",
                (run_id, time.time(), preset, json.dumps(params), json.dumps(speed), status),
            )

    def append_events(
        self, run_id: str, lines: Iterable[tuple[int, str]], t: float, event_count: int
    ) -> None:
        """Store (seq, json line) pairs and the run's progress in one transaction."""
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO events (run_id, seq, json) VALUES (?,?,?)",
                ((run_id, seq, line) for seq, line in lines),
            )
            self._db.execute(
                "UPDATE runs SET t=?, event_count=? WHERE id=?", (t, event_count, run_id)
            )

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Set status, reason, speed, summary, params or t (JSON-encoding the containers)."""
        for key in ("speed", "summary", "params"):
            if key in fields:
                fields[key] = json.dumps(fields[key])
        assignments = ", ".join(f"{key}=?" for key in fields)
        with self._lock, self._db:
            self._db.execute(
                f"UPDATE runs SET {assignments} WHERE id=?", (*fields.values(), run_id)
            )

    def delete_run(self, run_id: str) -> bool:
        """Delete a run and its events; False if there was no such run."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM events WHERE run_id=?", (run_id,))
            return self._db.execute("DELETE FROM runs WHERE id=?", (run_id,)).rowcount > 0

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        with closing(self._connect()) as db:
            row = db.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE id=?", (run_id,)).fetchone()
        return _run_dict(row) if row else None

    def list_runs(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Runs, newest first."""
        with closing(self._connect()) as db:
            rows = db.execute(
                f"SELECT {RUN_COLUMNS} FROM runs ORDER BY created DESC, rowid DESC"
                " LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [_run_dict(row) for row in rows]

    def count_runs(self) -> int:
        with closing(self._connect()) as db:
            return db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    def event_lines(
        self, run_id: str, first: int = 0, last: int | None = None, chunk: int = 5_000
    ) -> Iterator[list[tuple[int, str]]]:
        """Stored (seq, json line) pairs with first <= seq <= last, in chunks, seq order."""
        upper = last if last is not None else 2**62
        with closing(self._connect()) as db:
            seq = first
            while seq <= upper:
                rows = db.execute(
                    "SELECT seq, json FROM events WHERE run_id=? AND seq>=? AND seq<=?"
                    " ORDER BY seq LIMIT ?",
                    (run_id, seq, upper, chunk),
                ).fetchall()
                if not rows:
                    return
                yield rows
                seq = rows[-1][0] + 1


def _run_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    run_id, created, preset, params, speed, status, reason, summary, t, count = row
    return {
        "id": run_id,
        "created": created,
        "preset": preset,
        "params": json.loads(params),
        "speed": json.loads(speed),
        "status": status,
        "reason": reason,
        "summary": json.loads(summary) if summary else None,
        "t": t,
        "event_count": count,
    }

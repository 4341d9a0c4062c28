"""SQLite table of batch experiments, beside the runs in the app's database file."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS experiments (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    progress TEXT NOT NULL,
    points TEXT NOT NULL DEFAULT '[]',
    error TEXT
);
CREATE INDEX IF NOT EXISTS experiments_created ON experiments (created DESC);
"""
COLUMNS = "id, created, name, spec, status, progress, points, error"
UNFINISHED = ("queued", "running")


class ExperimentStore:
    """One connection shared under a lock: writes are few (a point at a time)."""

    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def mark_interrupted(self) -> int:
        """Experiments an earlier server left unfinished are marked interrupted."""
        with self._lock, self._db:
            cur = self._db.execute(
                "UPDATE experiments SET status='interrupted', "
                "error='the server stopped during the experiment' WHERE status IN (?, ?)",
                UNFINISHED,
            )
        return cur.rowcount

    def create(self, exp_id: str, spec: dict[str, Any], progress: dict[str, Any]) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO experiments (id, created, name, spec, status, progress) "
                "VALUES (?, ?, ?, ?, 'queued', ?)",
                (exp_id, time.time(), spec.get("name") or "", json.dumps(spec),
                 json.dumps(progress)),
            )  # fmt: skip

    def update(
        self,
        exp_id: str,
        status: str,
        progress: dict[str, Any],
        points: list[dict[str, Any]] | None = None,
        error: str | None = None,
    ) -> None:
        """Record status and progress, and the points so far when given."""
        with self._lock, self._db:
            self._db.execute(
                "UPDATE experiments SET status=?, progress=?, error=? WHERE id=?",
                (status, json.dumps(progress), error, exp_id),
            )
            if points is not None:
                self._db.execute(
                    "UPDATE experiments SET points=? WHERE id=?", (json.dumps(points), exp_id)
                )

    def get(self, exp_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {COLUMNS} FROM experiments WHERE id=?", (exp_id,)
            ).fetchone()
        return _row(row) if row else None

    def list(self, limit: int = 100) -> list[dict[str, Any]]:
        """Newest first, without the points."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {COLUMNS} FROM experiments ORDER BY created DESC LIMIT ?", (limit,)
            ).fetchall()
        out = []
        for row in rows:
            item = _row(row)
            item["points_done"] = len(item.pop("points"))
            out.append(item)
        return out


def _row(row: tuple) -> dict[str, Any]:
    exp_id, created, name, spec, status, progress, points, error = row
    return {
        "id": exp_id,
        "created": created,
        "name": name,
        "spec": json.loads(spec),
        "status": status,
        "progress": json.loads(progress),
        "points": json.loads(points),
        "error": error,
    }

"""The table of batch experiments, beside the runs in the app's database (app/db.py)."""

from __future__ import annotations

import json
import time
from typing import Any

from app.db import Database, as_dict, database_of

COLUMNS = "id, created, name, spec, status, progress, points, error"
UNFINISHED = ("queued", "running")
JSON_COLUMNS = ("spec", "progress", "points")


class ExperimentStore:
    """Experiments in the app's database; writes are few (a point at a time)."""

    def __init__(self, database: Database | str) -> None:
        self.db = database_of(database)

    def close(self) -> None:
        self.db.close()

    def mark_interrupted(self) -> int:
        """Experiments an earlier server left unfinished are marked interrupted."""
        with self.db.write() as db:
            cur = db.execute(
                "UPDATE experiments SET status='interrupted', "
                "error='the server stopped during the experiment' WHERE status IN (?, ?)",
                UNFINISHED,
            )
        return cur.rowcount

    def create(self, exp_id: str, spec: dict[str, Any], progress: dict[str, Any]) -> None:
        with self.db.write() as db:
            db.execute(
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
        with self.db.write() as db:
            db.execute(
                "UPDATE experiments SET status=?, progress=?, error=? WHERE id=?",
                (status, json.dumps(progress), error, exp_id),
            )
            if points is not None:
                db.execute(
                    "UPDATE experiments SET points=? WHERE id=?", (json.dumps(points), exp_id)
                )

    def get(self, exp_id: str) -> dict[str, Any] | None:
        with self.db.read() as db:
            row = db.execute(f"SELECT {COLUMNS} FROM experiments WHERE id=?", (exp_id,)).fetchone()
        return as_dict(row, JSON_COLUMNS) if row else None

    def list(self, limit: int = 100) -> list[dict[str, Any]]:
        """Newest first, without the points."""
        with self.db.read() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM experiments ORDER BY created DESC LIMIT ?", (limit,)
            ).fetchall()
        out = []
        for row in rows:
            item = as_dict(row, JSON_COLUMNS)
            item["points_done"] = len(item.pop("points"))
            out.append(item)
        return out

"""Stored saga definitions in the app's database: one row per user saga, keyed by its name."""

from __future__ import annotations

import json
import time
from typing import Any

from app.db import Database
from sim.saga import BUILTIN, Saga


class SagaFull(RuntimeError):
    """The store holds as many sagas as it may."""


class SagaStore:
    """User sagas (checked definitions); a built-in's name is never stored.

    Invariant: every stored definition passed `check_saga` and its name is no built-in's.
    """

    def __init__(self, database: Database, limit: int) -> None:
        self.db = database  # its `sagas` table: app/migrations.py, step 3
        self.limit = limit

    def get(self, name: str) -> dict[str, Any] | None:
        """A stored saga's definition, or None."""
        with self.db.read() as db:
            row = db.execute("SELECT definition FROM sagas WHERE name=?", (name,)).fetchone()
        return None if row is None else json.loads(row[0])

    def token_digest(self, name: str) -> str | None:
        with self.db.read() as db:
            row = db.execute("SELECT token_digest FROM sagas WHERE name=?", (name,)).fetchone()
        return None if row is None else row[0]

    def listing(self) -> list[dict[str, Any]]:
        """Every stored saga, newest change first: name, title, steps, when."""
        with self.db.read() as db:
            rows = db.execute(
                "SELECT definition, created, updated FROM sagas ORDER BY updated DESC"
            ).fetchall()
        return [summary(json.loads(r[0]), created=r[1], updated=r[2]) for r in rows]

    def add(self, saga: Saga, digest: str) -> bool:
        """Store a new saga; False if the name is taken. SagaFull past the limit."""
        if saga.name in BUILTIN:
            return False
        now = time.time()
        with self.db.write() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM sagas").fetchone()
            if count >= self.limit:
                raise SagaFull(f"this server stores at most {self.limit} sagas")
            cursor = db.execute(
                "INSERT INTO sagas (name, created, updated, definition, token_digest) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                (saga.name, now, now, json.dumps(saga.to_dict(), ensure_ascii=False), digest),
            )
        return cursor.rowcount == 1

    def replace(self, saga: Saga) -> bool:
        """Store a new version of a stored saga; False if there is none by that name."""
        with self.db.write() as db:
            cursor = db.execute(
                "UPDATE sagas SET definition=?, updated=? WHERE name=?",
                (json.dumps(saga.to_dict(), ensure_ascii=False), time.time(), saga.name),
            )
        return cursor.rowcount == 1

    def delete(self, name: str) -> bool:
        with self.db.write() as db:
            return db.execute("DELETE FROM sagas WHERE name=?", (name,)).rowcount == 1


def summary(definition: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """What a listing says of one saga."""
    return {
        "name": definition["name"],
        "title": definition["title"],
        "description": definition["description"],
        "steps": [{"name": s["name"], "kind": s["kind"]} for s in definition["steps"]],
        **extra,
    }

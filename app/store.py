"""The runs and their events: their queries, on SQLite or PostgreSQL (app/db.py; the schema:
app/migrations.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from app.db import Database, as_dict, database_of
from sim.trace.vocabulary import LIVE_STATES

DELETE_CHUNK = 20_000  # events deleted per transaction
QUOTA_CHECK_SECONDS = 1.0  # while runs write, the size is measured again this often,
GROWTH_PER_BYTE = 1.5  # or once the last size plus this times the JSON since reaches the quota
RUN_COLUMNS = "id, created, preset, params, speed, status, reason, summary, t, event_count"


class Store:
    """The runs and their events, in the app's database (one writer, reads beside it)."""

    def __init__(self, database: Database | str) -> None:
        self.db = database_of(database)
        self.name = self.db.name
        self._measured = (float("-inf"), 0, 0.0)  # (when, bytes written, MB): quota_reached
        self._written = 0  # bytes of event JSON appended by this store
        self._counted = (float("-inf"), 0)  # (when, runs): see count_runs

    def close(self) -> None:
        self.db.close()

    def mark_interrupted(
        self,
        elsewhere: Callable[[str], bool] | None = None,
        reason: str = "the server stopped during the run",
    ) -> int:
        """Runs left live by an earlier server are marked interrupted; returns how many.

        With several processes, `elsewhere(run_id)` is true for a run that another live
        process is executing: those are left alone.
        """
        marks = ",".join("?" * len(LIVE_STATES))
        with self.db.read() as db:
            rows = db.execute(f"SELECT id FROM runs WHERE status IN ({marks})", LIVE_STATES)
            ids = [row[0] for row in rows.fetchall()]
        ids = [run_id for run_id in ids if elsewhere is None or not elsewhere(run_id)]
        with self.db.write() as db:
            marked = sum(
                db.execute(
                    f"UPDATE runs SET status='interrupted', reason=? "
                    f"WHERE id=? AND status IN ({marks})",
                    (reason, run_id, *LIVE_STATES),
                ).rowcount
                for run_id in ids
            )
        return marked

    def create_run(
        self,
        run_id: str,
        preset: str | None,
        params: dict[str, Any],
        speed: Any,
        status: str,
        token_digest: str | None = None,
    ) -> None:
        with self.db.write() as db:
            db.execute(
                "INSERT INTO runs (id, created, preset, params, speed, status, token_digest)"
                " VALUES (?,?,?,?,?,?,?)",
                (run_id, time.time(), preset, json.dumps(params), json.dumps(speed), status)
                + (token_digest,),
            )
        self._counted = (float("-inf"), 0)

    def token_digest(self, run_id: str) -> str | None:
        """The SHA-256 of the run's control token (None for runs stored before it was kept)."""
        with self.db.read() as db:
            row = db.execute("SELECT token_digest FROM runs WHERE id=?", (run_id,)).fetchone()
        return row[0] if row else None

    def append_events(
        self, run_id: str, lines: Sequence[tuple[int, str]], t: float, event_count: int
    ) -> None:
        """Store (seq, json line) pairs and the run's progress in one transaction."""
        size = sum(len(line) for _seq, line in lines)
        with self.db.write() as db:
            db.executemany(
                "INSERT INTO events (run_id, seq, json) VALUES (?,?,?)",
                ((run_id, seq, line) for seq, line in lines),
            )
            db.execute(
                "UPDATE runs SET t=?, event_count=?, stored_bytes=stored_bytes+? WHERE id=?",
                (t, event_count, size, run_id),
            )
            self._written += size

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Set status, reason, speed, summary, params, t or event_count (JSON-encoding speed,
        summary and params)."""
        for key in ("speed", "summary", "params"):
            if key in fields:
                fields[key] = json.dumps(fields[key])
        assignments = ", ".join(f"{key}=?" for key in fields)
        with self.db.write() as db:
            db.execute(f"UPDATE runs SET {assignments} WHERE id=?", (*fields.values(), run_id))

    def delete_run(self, run_id: str, chunk: int = DELETE_CHUNK) -> bool:
        """Delete a run and its events; False if there was no such run.

        Events go in chunks, each its own short transaction, so live runs' writes never wait
        long for the lock; the run's row goes last (deleting it first would cascade to every
        event in one transaction).
        """
        if self.get_run(run_id) is None:
            return False
        while True:
            with self.db.write() as db:
                gone = db.execute(
                    "DELETE FROM events WHERE run_id=? AND seq IN"
                    " (SELECT seq FROM events WHERE run_id=? ORDER BY seq LIMIT ?)",
                    (run_id, run_id, chunk),
                ).rowcount
            if gone < chunk:
                break
        with self.db.write() as db:
            deleted = db.execute("DELETE FROM runs WHERE id=?", (run_id,)).rowcount > 0
        self._counted = (float("-inf"), 0)
        return deleted

    def size_mb(self) -> float:
        """The space the stored runs take, in MB (app/db.py's size_mb)."""
        return self.db.size_mb()

    def over_quota(self, max_mb: int) -> str | None:
        """Why nothing more may be stored (STORE_MAX_MB reached), or None; 0: no quota."""
        if max_mb <= 0:
            return None
        used = self.size_mb()
        if used < max_mb:
            return None
        return (
            f"the run store is full ({used:,.1f} MB of {max_mb:,} MB, STORE_MAX_MB): "
            "delete old runs on /runs to make room"
        )

    def quota_reached(self, max_mb: int, adding: int) -> str | None:
        """over_quota for a writer about to add `adding` bytes of JSON: would the store then
        be over? Cheap per batch: the size is measured again only after
        QUOTA_CHECK_SECONDS, or when the last size plus an overestimate of what was written
        since (and of this batch) reaches the quota."""
        if max_mb <= 0:
            return None
        when, written, used = self._measured
        now = time.monotonic()
        batch = adding * GROWTH_PER_BYTE / 1e6
        estimate = used + (self._written - written) * GROWTH_PER_BYTE / 1e6 + batch
        if now - when < QUOTA_CHECK_SECONDS and estimate < max_mb:
            return None
        used = self.size_mb()
        self._measured = (now, self._written, used)
        if used + batch < max_mb:
            return None
        return (
            f"the run store cannot take the next {adding / 1e6:,.1f} MB of events "
            f"({used:,.1f} MB of {max_mb:,} MB used, STORE_MAX_MB): delete old runs on /runs "
            "to make room"
        )

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        with self.db.read() as db:
            row = db.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE id=?", (run_id,)).fetchone()
        return run_dict(row) if row else None

    def list_runs(
        self, limit: int = 100, offset: int = 0, preset: str | None = None, mode: str | None = None
    ) -> list[dict[str, Any]]:
        """Runs, newest first; only those of `preset` and `mode` when given."""
        where, args = self._where(preset, mode)
        with self.db.read() as db:
            rows = db.execute(
                f"SELECT {RUN_COLUMNS} FROM runs{where} ORDER BY created DESC,"
                f" {self.db.insertion_order} DESC LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        return [run_dict(row) for row in rows]

    def count_matching(self, preset: str | None = None, mode: str | None = None) -> int:
        """How many stored runs used `preset` and `mode` (all of them without either)."""
        where, args = self._where(preset, mode)
        with self.db.read() as db:
            return int(db.execute(f"SELECT COUNT(*) FROM runs{where}", args).fetchone()[0])

    def presets(self) -> list[str]:
        """The preset names that stored runs used (for the history filter)."""
        with self.db.read() as db:
            rows = db.execute(
                "SELECT DISTINCT preset FROM runs WHERE preset IS NOT NULL ORDER BY preset"
            ).fetchall()
        return [row[0] for row in rows]

    def _where(self, preset: str | None, mode: str | None) -> tuple[str, list[Any]]:
        clauses, args = [], []
        if preset:
            clauses.append("preset = ?")
            args.append(preset)
        if mode:
            clauses.append(f"{self.db.json_field('params', 'mode')} = ?")
            args.append(mode)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def count_runs(self, max_age: float = 0.0) -> int:
        """How many runs are stored; a count up to max_age seconds old will do (this
        process's own creations and deletions are always counted)."""
        when, count = self._counted
        now = time.monotonic()
        if now - when <= max_age:
            return count
        with self.db.read() as db:
            count = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        self._counted = (now, count)
        return count

    def event_lines(
        self, run_id: str, first: int = 0, last: int | None = None, chunk: int = 5_000
    ) -> Iterator[list[tuple[int, str]]]:
        """Stored (seq, json line) pairs with first <= seq <= last, in chunks, seq order."""
        upper = last if last is not None else 2**62
        with self.db.read() as db:
            seq = first
            while seq <= upper:
                rows = db.execute(
                    "SELECT seq, json FROM events WHERE run_id=? AND seq>=? AND seq<=?"
                    " ORDER BY seq LIMIT ?",
                    (run_id, seq, upper, chunk),
                ).fetchall()
                if not rows:
                    return
                yield [(row[0], row[1]) for row in rows]
                seq = rows[-1][0] + 1


def run_dict(row: Any) -> dict[str, Any]:
    """A runs row as the API shows it."""
    return as_dict(row, ("params", "speed", "summary"))

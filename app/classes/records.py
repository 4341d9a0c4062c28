"""Questions stored with their run (SQLite, beside the runs): tallies, answers, exports."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from typing import Any

from app.classes.polls import Poll

SCHEMA = """
CREATE TABLE IF NOT EXISTS polls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    class_code TEXT NOT NULL,
    created REAL NOT NULL,
    seq INTEGER NOT NULL,
    question TEXT NOT NULL,
    choices TEXT NOT NULL,
    rule TEXT,
    counts TEXT NOT NULL,
    open INTEGER NOT NULL,
    answer TEXT
);
CREATE INDEX IF NOT EXISTS polls_run ON polls (run_id, id);
"""
COLUMNS = "id, class_code, created, seq, question, choices, rule, counts, open, answer"


class PollRecords:
    """One short connection per write: questions are asked a few times an hour."""

    def __init__(self, path: str) -> None:
        self.path = path
        with closing(self._connect()) as db, db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def add(self, poll: Poll, class_code: str) -> None:
        """Store a new poll and give it its id."""
        with closing(self._connect()) as db, db:
            cur = db.execute(
                "INSERT INTO polls (run_id, class_code, created, seq, question, choices, rule,"
                " counts, open, answer) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    poll.run_id,
                    class_code,
                    time.time(),
                    poll.seq,
                    poll.question,
                    json.dumps(poll.choices),
                    json.dumps(poll.rule) if poll.rule else None,
                    json.dumps(poll.counts()),
                    int(poll.open),
                    poll.answer,
                ),
            )
            poll.id = int(cur.lastrowid or 0)

    def save(self, poll: Poll) -> None:
        """Store the poll's tally, whether it is open and its answer."""
        with closing(self._connect()) as db, db:
            db.execute(
                "UPDATE polls SET counts=?, open=?, answer=? WHERE id=?",
                (json.dumps(poll.counts()), int(poll.open), poll.answer, poll.id),
            )

    def for_run(self, run_id: str) -> list[dict[str, Any]]:
        """The run's questions in the order they were asked."""
        with closing(self._connect()) as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM polls WHERE run_id=? ORDER BY id", (run_id,)
            ).fetchall()
        return [_poll_dict(row) for row in rows]


def _poll_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    pid, code, created, seq, question, choices, rule, counts, is_open, answer = row
    return {
        "id": pid,
        "class": code,
        "created": created,
        "seq": seq,
        "question": question,
        "choices": json.loads(choices),
        "rule": json.loads(rule) if rule else None,
        "counts": json.loads(counts),
        "open": bool(is_open),
        "answer": answer,
    }

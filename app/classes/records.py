"""Questions stored with their run (SQLite, beside the runs): tallies, answers, exports."""

from __future__ import annotations

import json
import time
from typing import Any

from app.classes.polls import Poll
from app.db import Database, as_dict

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
COLUMNS = "id, class_code AS class, created, seq, question, choices, rule, counts, open, answer"


class PollRecords:
    """The polls table of the app's database (app/db.py)."""

    def __init__(self, database: Database) -> None:
        self.db = database
        database.add_schema(SCHEMA)

    def add(self, poll: Poll, class_code: str) -> None:
        """Store a new poll and give it its id."""
        with self.db.write() as db:
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
        with self.db.write() as db:
            db.execute(
                "UPDATE polls SET counts=?, open=?, answer=? WHERE id=?",
                (json.dumps(poll.counts()), int(poll.open), poll.answer, poll.id),
            )

    def for_run(self, run_id: str) -> list[dict[str, Any]]:
        """The run's questions in the order they were asked."""
        with self.db.read() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM polls WHERE run_id=? ORDER BY id", (run_id,)
            ).fetchall()
        out = [as_dict(row, ("choices", "rule", "counts")) for row in rows]
        for poll in out:
            poll["open"] = bool(poll["open"])
        return out

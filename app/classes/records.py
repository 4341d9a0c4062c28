"""Questions stored with their run (beside the runs, app/db.py): tallies, answers, exports."""

from __future__ import annotations

import json
import time
from typing import Any

from app.classes.polls import Poll
from app.db import Database, as_dict

COLUMNS = "id, class_code AS class, created, seq, question, choices, rule, counts, open, answer"


class PollRecords:
    """The polls table of the app's database (app/db.py)."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def add(self, poll: Poll, class_code: str) -> None:
        """Store a new poll and give it its id."""
        with self.db.write() as db:
            row = db.execute(
                "INSERT INTO polls (run_id, class_code, created, seq, question, choices, rule,"
                " counts, open, answer) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
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
            ).fetchone()
            poll.id = int(row[0])

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

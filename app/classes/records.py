"""Questions stored with their run (beside the runs, app/db.py), and their votes: tallies,
answers, exports.

The functions taking a `Connection` run inside a transaction of the class store
(app/classes/store.py), so that a question, its class and its votes change together.
"""

from __future__ import annotations

import json
import time
from typing import Any

from app.classes.polls import Poll
from app.db import Connection, Database, as_dict

COLUMNS = "id, class_code AS class, created, seq, question, choices, rule, counts, open, answer"
POLL_COLUMNS = "id, run_id, seq, question, choices, rule, counts, open, answer"


class PollRecords:
    """The polls table of the app's database (app/db.py)."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def add(self, poll: Poll, class_code: str) -> None:
        """Store a new poll and give it its id."""
        with self.db.write() as db:
            insert(db, poll, class_code)

    def set_answer(self, poll_id: int, answer: str) -> None:
        """The trace settled the question (open or revealed)."""
        with self.db.write() as db:
            db.execute("UPDATE polls SET answer=? WHERE id=?", (answer, poll_id))

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


def insert(db: Connection, poll: Poll, class_code: str) -> None:
    """Store a new poll (no votes yet) and give it its id."""
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
            json.dumps(poll.tally()),
            int(poll.open),
            poll.answer,
        ),
    ).fetchone()
    poll.id = int(row[0])


def load(db: Connection, poll_id: int, class_code: str, tally: bool = True) -> Poll | None:
    """The poll with its tally: the live one of the class's devices while it is open (and
    how many could vote), the one kept at the reveal once closed; `tally` False: the
    question without the live tally (a vote's checks)."""
    row = db.execute(f"SELECT {POLL_COLUMNS} FROM polls WHERE id=?", (poll_id,)).fetchone()
    if row is None:  # its run was deleted
        return None
    stored = as_dict(row, ("choices", "rule", "counts"))
    poll = Poll(
        stored["run_id"],
        stored["question"],
        stored["choices"],
        stored["rule"],
        int(stored["seq"]),
        id=int(stored["id"]),
        open=bool(stored["open"]),
        answer=stored["answer"],
        counts=stored["counts"],
    )
    if poll.open and tally:
        poll.counts = live_tally(db, poll_id, class_code)
        poll.connected = int(
            db.execute(
                "SELECT COUNT(*) FROM class_members WHERE class_code=? AND voter IS NOT NULL",
                (class_code,),
            ).fetchone()[0]
        )
    return poll


def live_tally(db: Connection, poll_id: int, class_code: str) -> dict[str, int]:
    """Votes per choice of the devices still in the class (a vote of a device that left
    does not count; it counts again when the device rejoins with its voter id)."""
    rows = db.execute(
        "SELECT v.choice, COUNT(*) FROM poll_votes v JOIN class_members m"
        " ON m.class_code=? AND m.voter=v.voter WHERE v.poll_id=? GROUP BY v.choice",
        (class_code, poll_id),
    ).fetchall()
    return {row[0]: int(row[1]) for row in rows}


def cast(db: Connection, poll_id: int, voter: str, choice: str) -> None:
    """Record (or change) a device's vote."""
    db.execute(
        "INSERT INTO poll_votes (poll_id, voter, choice) VALUES (?,?,?)"
        " ON CONFLICT (poll_id, voter) DO UPDATE SET choice=excluded.choice",
        (poll_id, voter, choice),
    )


def vote_of(db: Connection, poll_id: int, voter: str | None) -> str | None:
    if not voter:
        return None
    row = db.execute(
        "SELECT choice FROM poll_votes WHERE poll_id=? AND voter=?", (poll_id, voter)
    ).fetchone()
    return row[0] if row else None


def close(db: Connection, poll: Poll, answer: str | None = None) -> None:
    """Voting ends: the tally is kept as it is now (with the answer, if one is given)."""
    if not poll.open:
        return
    poll.open, poll.connected = False, None
    poll.answer = answer if answer is not None else poll.answer
    db.execute(  # an answer the trace settled meanwhile (another process) is kept
        "UPDATE polls SET counts=?, open=0, answer=COALESCE(?, answer) WHERE id=?",
        (json.dumps(poll.tally()), answer, poll.id),
    )

"""Who may vote in a class: one id per joined device, bound to the connection that joined.

A student's `join_class` is given a voter id (docs/protocol.md); a vote must carry it. The
id counts only while its connection is still in the class: a vote cast by a device that
has gone no longer counts (it counts again if the device rejoins with its id), so a script
that joins, votes and leaves, again and again, adds nothing. A device that comes back with
its id (a reconnect, to any process) takes it over from its old connection. At most `limit`
devices hold an id at once (the class size), and each id may vote `per_minute` times a
minute.

The ids live in the database (table class_voters; the connection holding one is its row in
class_members), so every server process sees the same ones. These functions run inside a
transaction of the class store (app/classes/store.py) that has locked the class's row.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from app.classes.errors import ClassError
from app.db import Connection

VOTER_ID_BYTES = 12
RATE_WINDOW = 60.0  # seconds over which a voter's votes are counted for the rate limit


def held(db: Connection, code: str) -> int:
    """How many devices of the class hold a voter id now."""
    return int(
        db.execute(
            "SELECT COUNT(*) FROM class_members WHERE class_code=? AND voter IS NOT NULL", (code,)
        ).fetchone()[0]
    )


def join(db: Connection, code: str, previous: Any, limit: int) -> str | None:
    """An id for a device joining the class: the one it had if it comes back with it (from
    a connection that has gone, or has not been noticed gone yet: a page holds one
    connection, and only that page knows its id), else a new one; None when the class
    already has `limit` voters. The caller binds the id to the device's new connection."""
    if isinstance(previous, str):
        moved = db.execute(
            "DELETE FROM class_members WHERE class_code=? AND voter=?", (code, previous)
        ).rowcount
        if moved:  # its old connection (on any process) no longer holds it
            return previous
    if held(db, code) >= limit:
        return None
    if isinstance(previous, str):
        back = db.execute(
            "UPDATE class_voters SET left_at=NULL WHERE class_code=? AND voter=?"
            " AND left_at IS NOT NULL",
            (code, previous),
        ).rowcount
        if back:
            return previous
    voter = secrets.token_urlsafe(VOTER_ID_BYTES)
    db.execute("INSERT INTO class_voters (class_code, voter) VALUES (?, ?)", (code, voter))
    return voter


def leave(db: Connection, code: str, voter: str, now: float, limit: int) -> None:
    """The device holding `voter` left: its id stops counting until it rejoins with it; the
    oldest departures beyond `limit` are forgotten (with their votes' rate counts)."""
    db.execute(
        "UPDATE class_voters SET left_at=? WHERE class_code=? AND voter=?", (now, code, voter)
    )
    gone = int(
        db.execute(
            "SELECT COUNT(*) FROM class_voters WHERE class_code=? AND left_at IS NOT NULL", (code,)
        ).fetchone()[0]
    )
    if gone > limit:
        oldest = db.execute(
            "SELECT voter FROM class_voters WHERE class_code=? AND left_at IS NOT NULL"
            " ORDER BY left_at, voter LIMIT ?",
            (code, gone - limit),
        ).fetchall()
        db.executemany(
            "DELETE FROM class_voters WHERE class_code=? AND voter=?",
            [(code, row[0]) for row in oldest],
        )


def admit(db: Connection, code: str, voter: Any, now: float, per_minute: int) -> str:
    """The voter id of a vote, if it is held by a joined device and under its rate limit;
    ClassError 403 or 429 otherwise. An admitted vote counts towards the limit. The voter's
    row is locked (written) first: one device's votes take turns, other devices' do not."""
    row = None
    if isinstance(voter, str):
        row = db.execute(
            "UPDATE class_voters SET recent=recent WHERE class_code=? AND voter=? AND EXISTS"
            " (SELECT 1 FROM class_members m WHERE m.class_code=? AND m.voter=?)"
            " RETURNING recent",
            (code, voter, code, voter),
        ).fetchone()
    if row is None:
        raise ClassError(
            403,
            "a vote needs the voter id this device got when it joined the class "
            "(join_class), while it stays connected",
            "voter",
        )
    recent = [t for t in json.loads(row[0]) if now - t <= RATE_WINDOW]
    if len(recent) >= per_minute:
        wait = max(1, int(RATE_WINDOW - (now - recent[0])) + 1)
        raise ClassError(429, f"at most {per_minute} votes a minute per device", "vote").retry(wait)
    recent.append(now)
    db.execute(
        "UPDATE class_voters SET recent=? WHERE class_code=? AND voter=?",
        (json.dumps(recent), code, voter),
    )
    return voter

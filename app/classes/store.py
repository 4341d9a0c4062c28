"""Classes in the app's database, so that every server process serves every class: a short
code, the presenter's token (its SHA-256), the run shown, the question asked, and who is
in the class from which process (app/db.py; the schema: app/migrations.py, step 4).

A class lives while it is used: it expires after CLASS_IDLE_SECONDS without a presenter
action, a vote or a device joining, whichever process served them. A server restart ends
no class; the connections it had leave it (`drop_hosts`).

Every change to a class is one transaction that starts by writing the class's row (its
`active` time): on PostgreSQL that row lock makes changes to one class from several
processes take turns (SQLite has one writer anyway), so a class size holds exactly across
processes. Votes lock only their voter's row (a rate limit holds exactly; the class's many
devices vote side by side) and count as the class's activity every VOTE_TOUCH_EVERY.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from app.access import digest, same
from app.classes import records, voters
from app.classes.errors import ClassError
from app.classes.polls import Poll
from app.db import Connection, Database
from app.inputs import token_shaped

#: code letters: no 0/O, 1/I/L, so a code read off a projector is typed right
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CLASS_COLUMNS = "code, token_digest, active, run_id, owns_run, poll_id, polls_asked"
VOTE_TOUCH_EVERY = 10.0  # seconds: votes count as the class's activity this often at most


@dataclass(frozen=True)
class Classroom:
    """A class as stored when it was read."""

    code: str
    token_digest: str
    active: float  # the store's clock at the last activity
    run_id: str | None = None
    owns_run: bool = False  # the run was started for this class: a reveal may resume it
    poll_id: int | None = None
    polls_asked: int = 0


@dataclass(frozen=True)
class Joined:
    """A device in a class: the class as its join read it, its voter id and vote."""

    room: Classroom
    voter: str | None
    left: str | None  # the class this connection left to join (as presenter: maybe this one)
    your_vote: str | None
    poll_open: bool | None  # whether the class's question is open (None: there is none)


def _room(row: Any) -> Classroom:
    return Classroom(
        row["code"],
        row["token_digest"],
        float(row["active"]),
        row["run_id"],
        bool(row["owns_run"]),
        None if row["poll_id"] is None else int(row["poll_id"]),
        int(row["polls_asked"]),
    )


class ClassStore:
    """Every class of the deployment; `clock` (wall time: processes share it) is injectable
    for the expiry tests; `host` names this process in class_members."""

    def __init__(
        self,
        database: Database,
        config: Any,
        host: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = database
        self.config = config
        self.host = host or secrets.token_hex(6)
        self.clock = clock

    def _limit(self, key: str) -> int:
        return int(self.config[key])

    @contextmanager
    def _changing(self, code: str, touch: bool = True) -> Iterator[tuple[Connection, Classroom]]:
        """A transaction on the class: its row written first (the lock that orders changes;
        its activity time, if `touch`), then read; ClassError 404 if there is no such class."""
        active = "?" if touch else "active"
        with self.db.write() as db:
            row = db.execute(
                f"UPDATE classes SET active={active} WHERE code=? RETURNING {CLASS_COLUMNS}",
                (self.clock(), code) if touch else (code,),
            ).fetchone()
            if row is None:
                raise _missing(code)
            yield db, _room(row)

    # ----- the class -------------------------------------------------------------------

    def create(self) -> tuple[Classroom, str]:
        """A new class and its presenter token (given once, kept only as a digest)."""
        limit = self._limit("MAX_CLASSES")
        token = secrets.token_urlsafe(18)
        with self.db.write() as db:
            if int(db.execute("SELECT COUNT(*) FROM classes").fetchone()[0]) >= limit:
                raise ClassError(
                    429, f"this server has {limit} classes open already (the limit)", "classes"
                )
            now = self.clock()
            while True:
                code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
                made = db.execute(
                    "INSERT INTO classes (code, token_digest, created, active) VALUES (?,?,?,?)"
                    " ON CONFLICT (code) DO NOTHING",
                    (code, digest(token), now, now),
                ).rowcount
                if made:
                    return Classroom(code, digest(token), now), token

    def get(self, code: str) -> Classroom | None:
        with self.db.read() as db:
            row = db.execute(
                f"SELECT {CLASS_COLUMNS} FROM classes WHERE code=?", (code.upper(),)
            ).fetchone()
        return _room(row) if row else None

    def find(self, code: Any) -> Classroom:
        """The class with this code (any case), or ClassError 404."""
        room = self.get(code) if isinstance(code, str) else None
        if room is None:
            raise _missing(code)
        return room

    def presenter(self, code: Any, token: Any) -> Classroom:
        """The class, if `token` is its presenter token; ClassError 404 or 403 otherwise."""
        room = self.find(code)
        if not token_shaped(token) or not same(digest(token), room.token_digest):
            raise _not_presenter()
        self.touch(room.code)
        return room

    def touch(self, code: str) -> None:
        with self.db.write() as db:
            db.execute("UPDATE classes SET active=? WHERE code=?", (self.clock(), code))

    def count(self) -> int:
        with self.db.read() as db:
            return int(db.execute("SELECT COUNT(*) FROM classes").fetchone()[0])

    def remove(self, code: str) -> Classroom | None:
        """End the class: its open question closes with the tally as it is; None if it had
        ended already (another process ended it)."""
        with self.db.write() as db:
            row = db.execute(
                f"SELECT {CLASS_COLUMNS} FROM classes WHERE code=?", (code,)
            ).fetchone()
            if row is None:
                return None
            room = _room(row)
            self._close_poll(db, room)
            db.execute("DELETE FROM classes WHERE code=?", (code,))  # members, voters too
        return room

    def expired(self) -> list[Classroom]:
        """Remove and return the classes idle for longer than CLASS_IDLE_SECONDS."""
        since = self.clock() - float(self.config["CLASS_IDLE_SECONDS"])
        with self.db.read() as db:
            rows = db.execute("SELECT code FROM classes WHERE active < ?", (since,)).fetchall()
        gone = [self.remove(row[0]) for row in rows]
        return [room for room in gone if room is not None]

    # ----- what the room sees ----------------------------------------------------------

    def state(self, code: str, full: bool, db: Connection | None = None) -> dict[str, Any] | None:
        """`GET /api/classes/<code>` and the `class_state` message (None: no such class)."""
        if db is None:
            with self.db.read() as reader:
                return self.state(code, full, reader)
        row = db.execute(f"SELECT {CLASS_COLUMNS} FROM classes WHERE code=?", (code,)).fetchone()
        if row is None:
            return None
        room = _room(row)
        viewers = db.execute(
            "SELECT COUNT(*) FROM class_members WHERE class_code=? AND presenter=0", (code,)
        ).fetchone()[0]
        poll = records.load(db, room.poll_id, code) if room.poll_id else None
        return {
            "code": code,
            "run_id": room.run_id,
            "viewers": int(viewers),
            "poll": poll.view(full) if poll else None,
        }

    def states(self, code: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The class as its students and as its presenter see it, read once."""
        presenter = self.state(code, full=True)
        if presenter is None:
            return None
        poll = presenter["poll"]
        if poll is None or not poll["open"]:
            return presenter, presenter
        return {**presenter, "poll": {**poll, "counts": None, "answer": None}}, presenter

    # ----- who is in it ----------------------------------------------------------------

    def join(
        self,
        code: Any,
        sid: str,
        presenting: bool,
        token: Any,
        previous: Any,
        was_in: str | None = None,
    ) -> Joined:
        """Connection `sid` (of this process) follows the class, or presents it (with the
        presenter `token`); a student gets a voter id (voters.py). `was_in`: the class the
        connection is in (this process knows its own connections), which it leaves if it
        is another. ClassError 404 or 403."""
        if not isinstance(code, str):
            raise _missing(code)
        code = code.upper()
        left = None
        if was_in is not None and (was_in != code or presenting):
            left = self.leave(sid, was_in)
        with self._changing(code) as (db, room):
            if presenting and not (token_shaped(token) and same(digest(token), room.token_digest)):
                raise _not_presenter()
            mine = None
            if was_in == code and not presenting:  # only then can it have a row here
                mine = db.execute(
                    "SELECT voter FROM class_members WHERE sid=? AND class_code=?", (sid, code)
                ).fetchone()
            if mine is not None and mine["voter"] and not presenting:
                voter = mine["voter"]  # joined already: the same id
            else:
                if mine is not None:  # e.g. a watcher of a full class trying again
                    self._release(db, code, sid)
                size = self._limit("MAX_CLASS_SIZE")
                voter = None if presenting else voters.join(db, code, previous, size)
                db.execute(
                    "INSERT INTO class_members (sid, class_code, host, presenter, voter)"
                    " VALUES (?,?,?,?,?) ON CONFLICT (sid) DO UPDATE SET"
                    " class_code=excluded.class_code, host=excluded.host,"
                    " presenter=excluded.presenter, voter=excluded.voter",
                    (sid, code, self.host, int(presenting), voter),
                )
            your_vote, poll_open = None, None
            if room.poll_id is not None:
                poll = records.load(db, room.poll_id, code, tally=False)
                poll_open = poll.open if poll else None
                if voter is not None and voter in (previous, mine and mine["voter"]):  # back
                    your_vote = records.vote_of(db, room.poll_id, voter)
        return Joined(room, voter, left, your_vote, poll_open)

    def leave(self, sid: str, code: str) -> str | None:
        """Connection `sid` leaves class `code` (this process knows which class its own
        connections are in); the class, or None if it was not in it (any more)."""
        try:
            with self._changing(code, touch=False) as (db, _room):
                gone = self._release(db, code, sid)
        except ClassError:  # the class ended meanwhile: its members went with it
            return None
        return code if gone else None

    def _release(self, db: Connection, code: str, sid: str) -> bool:
        """Take the connection out of the class (its voter id left); False if it was not in."""
        row = db.execute(
            "DELETE FROM class_members WHERE sid=? AND class_code=? RETURNING voter", (sid, code)
        ).fetchone()
        if row is not None and row[0]:
            voters.leave(db, code, row[0], self.clock(), self._limit("MAX_CLASS_SIZE"))
        return row is not None

    def drop_hosts(self, alive: Callable[[str], bool]) -> set[str]:
        """The connections of server processes that are gone leave their classes; the
        classes they were in."""
        with self.db.read() as db:
            hosts = [row[0] for row in db.execute("SELECT DISTINCT host FROM class_members")]
            dead = [host for host in hosts if not alive(host)]
            rows = [
                (row[0], row[1])
                for host in dead
                for row in db.execute(
                    "SELECT sid, class_code FROM class_members WHERE host=?", (host,)
                ).fetchall()
            ]
        for sid, code in rows:
            try:
                with self._changing(code, touch=False) as (db, _room):
                    self._release(db, code, sid)
            except ClassError:
                pass
        return {code for _sid, code in rows}

    # ----- run, questions, votes -------------------------------------------------------

    def show(self, code: str, run_id: str, owns: bool) -> bool:
        """Make run_id the class's run (its open question closes); False if it was already."""
        with self._changing(code) as (db, room):
            if room.run_id == run_id:
                if owns and not room.owns_run:
                    db.execute("UPDATE classes SET owns_run=1 WHERE code=?", (code,))
                return False
            self._close_poll(db, room)
            db.execute(
                "UPDATE classes SET run_id=?, owns_run=?, poll_id=NULL WHERE code=?",
                (run_id, int(owns), code),
            )
        return True

    def ask(self, code: str, make: Callable[[Classroom], Poll]) -> Poll:
        """Store the question `make(room)` builds as the class's (made while the class is
        locked: none other is asked meanwhile). ClassError 409 while one is open, 429
        past MAX_POLLS_PER_CLASS."""
        limit = self._limit("MAX_POLLS_PER_CLASS")
        with self._changing(code) as (db, room):
            current = records.load(db, room.poll_id, code, False) if room.poll_id else None
            if current is not None and current.open:
                raise ClassError(409, "reveal the open question before asking another", "poll")
            if room.polls_asked >= limit:
                raise ClassError(429, f"a class may ask at most {limit} questions", "poll")
            poll = make(room)
            records.insert(db, poll, code)
            db.execute(
                "UPDATE classes SET poll_id=?, polls_asked=polls_asked+1 WHERE code=?",
                (poll.id, code),
            )
        return poll

    def reveal(self, code: str, answer_of: Callable[[Poll], str | None]) -> tuple[Classroom, Poll]:
        """Close the open question with the answer `answer_of(poll)` gives (or raises)."""
        with self._changing(code) as (db, room):
            poll = records.load(db, room.poll_id, code) if room.poll_id else None
            if poll is None or not poll.open:
                raise ClassError(409, "there is no open question to reveal", "poll")
            records.close(db, poll, answer_of(poll))
        return room, poll

    def current_poll(self, room: Classroom) -> Poll | None:
        if room.poll_id is None:
            return None
        with self.db.read() as db:
            return records.load(db, room.poll_id, room.code, tally=False)

    def vote(self, code: str, body: Any) -> tuple[Classroom, str]:
        """A joined device's vote {"voter", "choice", "poll"?}: the class and the choice,
        or ClassError. A vote refused for its question or choice still counts towards the
        device's rate limit."""
        refused: ClassError | None = None
        now = self.clock()
        with self.db.write() as db:  # the class's row is not locked: votes go side by side
            row = db.execute(
                f"SELECT {CLASS_COLUMNS} FROM classes WHERE code=?", (code,)
            ).fetchone()
            if row is None:
                raise _missing(code)
            room = _room(row)
            if not isinstance(body, dict):
                raise ClassError(
                    400, "must be a JSON object (Content-Type: application/json)", "body"
                )
            voter = voters.admit(db, code, body.get("voter"), now, self._limit("VOTES_PER_MINUTE"))
            if now - room.active >= VOTE_TOUCH_EVERY:  # the class is active
                db.execute(
                    "UPDATE classes SET active=? WHERE code=? AND active<?",
                    (now, code, now - VOTE_TOUCH_EVERY),
                )
            poll = records.load(db, room.poll_id, code, tally=False) if room.poll_id else None
            try:
                if poll is None or body.get("poll", poll.id) != poll.id:
                    raise ClassError(409, "that question is closed", "vote")
                records.cast(db, poll.id, voter, poll.check_vote(body.get("choice")))
            except ClassError as exc:
                refused = exc
        if refused is not None:
            raise refused
        return room, body["choice"]

    def _close_poll(self, db: Connection, room: Classroom) -> None:
        poll = records.load(db, room.poll_id, room.code) if room.poll_id else None
        if poll is not None:
            records.close(db, poll)


def _not_presenter() -> ClassError:
    return ClassError(403, "only the presenter (with the class's presenter token) may")


def _missing(code: Any) -> ClassError:
    return ClassError(404, f"there is no class with code {code!r} (it may have ended)")

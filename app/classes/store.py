"""Classes in memory: a short code, the presenter's token, the run shown, who is watching.

A class lives while it is used: it expires after CLASS_IDLE_SECONDS without a presenter
action, a vote or a device joining. A server restart ends every class (its runs are
interrupted anyway); the questions asked stay stored with their runs.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.access import same
from app.classes.errors import ClassError
from app.classes.polls import Poll
from app.classes.voters import Voters
from app.inputs import token_shaped

#: code letters: no 0/O, 1/I/L, so a code read off a projector is typed right
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


@dataclass
class Classroom:
    code: str
    token: str
    active: float  # the store's clock at the last activity
    run_id: str | None = None
    owns_run: bool = False  # the run was started for this class: a reveal may resume it
    poll: Poll | None = None
    polls_asked: int = 0
    viewers: set[str] = field(default_factory=set)  # students' Socket.IO sids
    voters: Voters = field(default_factory=lambda: Voters(0, 0))  # who may vote (voters.py)
    presenters: set[str] = field(default_factory=set)

    def state(self, full: bool) -> dict[str, Any]:
        """`GET /api/classes/<code>` and the `class_state` message."""
        return {
            "code": self.code,
            "run_id": self.run_id,
            "viewers": len(self.viewers),
            "poll": self.poll.view(full) if self.poll else None,
        }


class ClassStore:
    """Every class of one server; thread-safe; `clock` is injectable for the expiry tests."""

    def __init__(self, config: Any, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self.lock = threading.Lock()
        self._classes: dict[str, Classroom] = {}

    def create(self) -> Classroom:
        limit = int(self.config["MAX_CLASSES"])
        with self.lock:
            if len(self._classes) >= limit:
                raise ClassError(
                    429, f"this server has {limit} classes open already (the limit)", "classes"
                )
            code = _new_code(self._classes)
            voters = Voters(
                int(self.config["MAX_CLASS_SIZE"]), int(self.config["VOTES_PER_MINUTE"])
            )
            room = Classroom(code, secrets.token_urlsafe(18), self.clock(), voters=voters)
            self._classes[code] = room
            return room

    def get(self, code: str) -> Classroom | None:
        with self.lock:
            return self._classes.get(code.upper())

    def find(self, code: Any) -> Classroom:
        """The class with this code (any case), or ClassError 404."""
        room = self.get(code) if isinstance(code, str) else None
        if room is None:
            raise ClassError(404, f"there is no class with code {code!r} (it may have ended)")
        return room

    def presenter(self, code: Any, token: Any) -> Classroom:
        """The class, if `token` is its presenter token; ClassError 404 or 403 otherwise."""
        room = self.find(code)
        if not token_shaped(token) or not same(token, room.token):
            raise ClassError(403, "only the presenter (with the class's presenter token) may")
        self.touch(room)
        return room

    def touch(self, room: Classroom) -> None:
        room.active = self.clock()

    def remove(self, code: str) -> Classroom | None:
        with self.lock:
            return self._classes.pop(code, None)

    def expired(self) -> list[Classroom]:
        """Remove and return the classes idle for longer than CLASS_IDLE_SECONDS."""
        idle = float(self.config["CLASS_IDLE_SECONDS"])
        now = self.clock()
        with self.lock:
            gone = [c for c in self._classes.values() if now - c.active > idle]
            for room in gone:
                del self._classes[room.code]
        return gone

    def all(self) -> list[Classroom]:
        with self.lock:
            return list(self._classes.values())

    def holding(self, sid: str) -> list[Classroom]:
        """The classes this connection watches or presents."""
        return [c for c in self.all() if sid in c.viewers or sid in c.presenters]


def _new_code(taken: dict[str, Classroom]) -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code

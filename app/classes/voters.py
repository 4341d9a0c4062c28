"""Who may vote in a class: one id per joined device, bound to the connection that joined.

A student's `join_class` is given a voter id (docs/protocol.md); a vote must carry it. The
id counts only while its connection is still in the class: a vote cast by a device that
has gone no longer counts (it counts again if the device rejoins with its id), so a script
that joins, votes and leaves, again and again, adds nothing. At most `limit` devices hold
an id at once (the class size), and each id may vote `per_minute` times a minute.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from app.classes.errors import ClassError

VOTER_ID_BYTES = 12
RATE_WINDOW = 60.0  # seconds over which a voter's votes are counted for the rate limit


class Voters:
    """The voter ids of one class; thread-safe."""

    def __init__(
        self, limit: int, per_minute: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._sid_of: dict[str, str] = {}  # voter id -> the connection holding it
        self._id_of: dict[str, str] = {}  # connection -> its voter id
        self._left: OrderedDict[str, None] = OrderedDict()  # ids whose device left (rejoinable)
        self._recent: dict[str, deque[float]] = {}  # voter id -> times of its recent votes

    def join(self, sid: str, previous: Any = None) -> str | None:
        """An id for the device joining on `sid`: its previous one if it left and comes back
        with it, else a new one; None when the class already has `limit` voters."""
        with self._lock:
            if sid in self._id_of:
                return self._id_of[sid]
            if len(self._sid_of) >= self.limit:
                return None
            if isinstance(previous, str) and previous in self._left:
                del self._left[previous]
                voter = previous
            else:
                voter = secrets.token_urlsafe(VOTER_ID_BYTES)
            self._sid_of[voter], self._id_of[sid] = sid, voter
            return voter

    def leave(self, sid: str) -> None:
        """The device on `sid` left: its id stops counting until it rejoins with it."""
        with self._lock:
            voter = self._id_of.pop(sid, None)
            if voter is None:
                return
            del self._sid_of[voter]
            self._left[voter] = None
            while len(self._left) > self.limit:  # the oldest departures are forgotten
                gone, _ = self._left.popitem(last=False)
                self._recent.pop(gone, None)

    def admit(self, voter: Any) -> str:
        """The voter id of a vote, if it is held by a joined device and under its rate
        limit; ClassError 403 or 429 otherwise."""
        with self._lock:
            if not isinstance(voter, str) or voter not in self._sid_of:
                raise ClassError(
                    403,
                    "a vote needs the voter id this device got when it joined the class "
                    "(join_class), while it stays connected",
                    "voter",
                )
            now = self._clock()
            recent = self._recent.setdefault(voter, deque())
            while recent and now - recent[0] > RATE_WINDOW:
                recent.popleft()
            if len(recent) >= self.per_minute:
                wait = max(1, int(RATE_WINDOW - (now - recent[0])) + 1)
                raise ClassError(
                    429, f"at most {self.per_minute} votes a minute per device", "vote"
                ).retry(wait)
            recent.append(now)
            return voter

    def connected(self) -> frozenset[str]:
        """The ids held by devices still in the class (the votes that count)."""
        with self._lock:
            return frozenset(self._sid_of)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sid_of)

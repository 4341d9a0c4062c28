"""How far behind each viewer is, measured with acknowledged `run_sync` probes.

After a batch goes out, a viewer with no probe outstanding (and none in the last
PROBE_EVERY seconds, unless someone waits for it) gets a tiny `run_sync` message that its
client acknowledges once it has handled everything sent before it (a socket delivers in
order). So `sent - confirmed` is how many batches the viewer has not taken yet, without
reading the transport's queues. A viewer still behind with no probe outstanding is probed
again every PROBE_EVERY seconds (`overdue`), so one that stops reading is noticed whether or
not more batches follow (a paused or ended run). Flask-SocketIO's test client delivers
synchronously and never acknowledges: with it (no async handlers) nobody is ever behind.
"""

from __future__ import annotations

import threading
import time
from typing import Any

PROBE_EVERY = 2.0  # seconds between a viewer's probes while it keeps up


class Viewer:
    """One client receiving one run's batches."""

    def __init__(
        self, server: Any, sid: str, run_id: str, first: int = 0, remote: bool = False
    ) -> None:
        self.sid = sid
        # connected to another process (message queue): its probes and their acks go through
        # the queue, and that process reports when it has gone (app/runs/cluster.py)
        self.remote = remote
        self._server, self._run_id = server, run_id
        self._tracked = bool(server.async_handlers)
        self._cond = threading.Condition()
        self.sent = 0  # batches sent
        self.sent_seq = first - 1  # the last seq sent
        self.confirmed = 0  # batches the client has acknowledged taking
        self.confirmed_seq = first - 1  # the last seq it acknowledged (it rejoins after it)
        self._probe_at: float | None = None  # when the outstanding probe went out
        self._last_probe = 0.0

    def sent_batch(self, seq: int) -> None:
        """A batch ending at seq was sent; probe now and then (never two at once)."""
        with self._cond:
            self.sent += 1
            self.sent_seq = seq
            if self._probe_at is None and time.monotonic() - self._last_probe >= PROBE_EVERY:
                self._probe(seq)

    def behind(self) -> int:
        """Batches sent that the client has not confirmed (0 for untracked clients)."""
        return self.sent - self.confirmed if self._tracked else 0

    def behind_by_more_than(self, batches: int) -> bool:
        """More than `batches` unconfirmed; if so, make sure a probe is on its way."""
        with self._cond:
            if self.behind() <= batches:
                return False
            if self._probe_at is None:
                self._probe(self.sent_seq)
            return True

    def overdue(self, max_seconds: float, now: float) -> bool:
        """Behind, with its probe unanswered for more than max_seconds (a viewer behind with
        no probe outstanding gets one when PROBE_EVERY has passed since the last)."""
        with self._cond:
            if self.behind() <= 0:
                return False
            if self._probe_at is None:
                if now - self._last_probe >= PROBE_EVERY:
                    self._probe(self.sent_seq)
                return False
            return now - self._probe_at > max_seconds

    def wait(self, max_behind: int, timeout: float) -> bool:
        """Block until at most max_behind batches are unconfirmed; False on timeout or
        when the client disconnects meanwhile."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.behind() > max_behind:
                if self._probe_at is None:
                    self._probe(self.sent_seq)
                left = deadline - time.monotonic()
                if left <= 0 or not self.connected():
                    return False
                self._cond.wait(min(left, 0.5))
        return True

    def connected(self) -> bool:
        """Still connected, as far as this process can tell (a remote viewer: until its
        process says it has gone)."""
        return self.remote or self._server.manager.is_connected(self.sid, "/")

    def _probe(self, seq: int) -> None:
        if not self._tracked:
            return
        self._probe_at = self._last_probe = time.monotonic()
        batches = self.sent
        self._server.emit(
            "run_sync",
            {"run_id": self._run_id, "seq": seq},
            to=self.sid,
            callback=lambda *_: self._confirm(batches, seq),
        )

    def _confirm(self, batches: int, seq: int) -> None:
        with self._cond:
            self.confirmed = max(self.confirmed, batches)
            self.confirmed_seq = max(self.confirmed_seq, seq)
            self._probe_at = None
            self._cond.notify_all()


class Viewers:
    """The viewers of one live run (the run's lock guards calls from the producer)."""

    def __init__(self, server: Any) -> None:
        self._server = server
        self._lock = threading.Lock()
        self._by_sid: dict[str, Viewer] = {}

    def add(self, viewer: Viewer) -> None:
        with self._lock:
            self._by_sid[viewer.sid] = viewer

    def remove(self, sid: str) -> None:
        with self._lock:
            self._by_sid.pop(sid, None)

    def all(self) -> list[Viewer]:
        """The viewers still connected (those gone are forgotten here)."""
        with self._lock:
            for sid in [sid for sid, viewer in self._by_sid.items() if not viewer.connected()]:
                del self._by_sid[sid]
            return list(self._by_sid.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_sid)

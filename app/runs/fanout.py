"""A live run's room: its batches and statuses go out here, to its viewers and watchers; it
tracks each viewer's pace and drops those that stop reading (app/runs/viewers.py).

With several processes (app/runs/cluster.py), viewers connected to another process get the
room's messages through the message queue. While the queue is away those are lost: each
such viewer is marked with the first seq it missed and skipped by the room's messages until
the run resends it the rest from the store (LiveRun.resend_to_other_processes). Viewers of
this process are not affected (an emit reaches them before the queue is asked).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask_socketio import SocketIO

from app.runs.queue import QueueHealth
from app.runs.replay import tell_dropped
from app.runs.viewers import Viewer, Viewers

LAG_CHECK_EVERY = 0.5  # wall seconds between checks of the viewers' lag (at most)

Watcher = Callable[[list[dict[str, Any]]], None]


def room(run_id: str) -> str:
    return f"run:{run_id}"


class Fanout:
    """Sends one run's batches and statuses to its room; the viewers' pace and gaps."""

    def __init__(
        self,
        socketio: SocketIO,
        run_id: str,
        config: dict[str, Any],
        health: QueueHealth | None = None,
    ) -> None:
        self.socketio = socketio
        self.run_id = run_id
        self.room = room(run_id)
        self.viewers = Viewers(socketio.server)
        self.watchers: list[Watcher] = []  # see every released batch (classes settle polls)
        self._health = health
        self._max_behind = int(config["VIEWER_MAX_BATCHES_BEHIND"])
        self._max_lag = float(config["VIEWER_MAX_LAG_SECONDS"])
        self._gaps: dict[str, int] = {}  # sid of a viewer elsewhere -> first seq it missed
        self._last_lag_check = 0.0

    # ----- sending -----------------------------------------------------------------------

    def batch(self, events: list[dict[str, Any]]) -> None:
        """Send a batch to the room (viewers with a gap excepted), then to the watchers."""
        message = {"run_id": self.run_id, "events": events, "sent_at": time.time()}
        self._emit("run_events", message)
        seq = events[-1]["seq"]
        for viewer in self.viewers.all():
            if viewer.sid not in self._gaps:
                viewer.sent_batch(seq)
        for watch in list(self.watchers):
            watch(events)

    def status(self, status: dict[str, Any], to: str | None = None) -> None:
        """A run_status to the room (viewers with a gap get theirs when it is filled), or
        to one client."""
        if to is not None:
            self.socketio.emit("run_status", status, to=to)
            return
        self._emit("run_status", status)

    def _emit(self, name: str, message: dict[str, Any]) -> bool:
        """Emit to the room; False if viewers elsewhere missed it (they are marked)."""
        health = self._health
        if health is not None and not health.available():
            self._mark_gaps()
        failures = health.failures if health is not None else 0
        skip = list(self._gaps) or None
        self.socketio.emit(name, message, to=self.room, skip_sid=skip)
        if health is not None and health.failures != failures:
            self._mark_gaps()
            return False
        return True

    def _mark_gaps(self) -> None:
        """Every viewer on another process not yet marked misses what follows its last seq."""
        for viewer in self.viewers.all():
            if viewer.remote and viewer.sid not in self._gaps:
                self._gaps[viewer.sid] = viewer.sent_seq + 1

    def gaps(self) -> dict[str, int]:
        """The viewers elsewhere that missed messages: sid -> the first seq they missed."""
        return dict(self._gaps)

    # ----- viewers -----------------------------------------------------------------------

    def add(self, viewer: Viewer) -> None:
        """A viewer that has caught up enters the room (a gap it had is filled)."""
        self.socketio.server.enter_room(viewer.sid, self.room, namespace="/")
        self._gaps.pop(viewer.sid, None)
        self.viewers.add(viewer)

    def remove(self, sid: str) -> None:
        """sid no longer receives this run's messages."""
        self._gaps.pop(sid, None)
        self.viewers.remove(sid)
        self.socketio.server.leave_room(sid, self.room, namespace="/")

    def _tracked(self) -> list[Viewer]:
        """The viewers whose pace can be measured now (not those elsewhere while the queue is
        away or they have a gap: their probes cannot cross)."""
        queue_ok = self._health is None or self._health.available()
        return [
            viewer
            for viewer in self.viewers.all()
            if viewer.sid not in self._gaps and (queue_ok or not viewer.remote)
        ]

    def congested(self) -> bool:
        """A viewer has more than VIEWER_MAX_BATCHES_BEHIND batches it has not taken yet: an
        instant run waits for it (one that stays behind is dropped: drop_laggards)."""
        return any(viewer.behind_by_more_than(self._max_behind) for viewer in self._tracked())

    def anyone_behind(self) -> bool:
        return any(viewer.behind() for viewer in self._tracked())

    def drop_laggards(self, force: bool = False) -> None:
        """Drop the viewers overdue by over VIEWER_MAX_LAG_SECONDS (checked every
        LAG_CHECK_EVERY seconds in every state: a viewer that stops reading is noticed even
        when no batch follows); they can rejoin from their last confirmed seq."""
        now = time.monotonic()
        if not force and now - self._last_lag_check < LAG_CHECK_EVERY:
            return
        self._last_lag_check = now
        for viewer in self._tracked():
            if viewer.overdue(self._max_lag, now):
                self.remove(viewer.sid)
                reason = f"fell behind by over {self._max_lag:g} s"
                tell_dropped(self.socketio, viewer, self.run_id, viewer.confirmed_seq + 1, reason)

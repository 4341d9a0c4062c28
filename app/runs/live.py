"""One live run: its simulation, paced against the wall clock by a background task.

Every change to the simulation, every store write and every emit to the run's room happens
under the run's lock, so a joining client can catch up from the store and enter the room
without missing or repeating an event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask_socketio import SocketIO

from app.runs.breakpoints import first_hit, hit_info, names
from app.runs.replay import Dropped, send_stored, tell_dropped
from app.runs.request import INSTANT, Speed
from app.runs.viewers import Viewer, Viewers
from app.store import Store
from sim import Simulation, to_json
from sim.trace.vocabulary import ENDED_STATES

log = logging.getLogger(__name__)

ENDED = ENDED_STATES
STATUS_EVERY = 0.5  # wall seconds between run_status updates while running
CATCHUP_UNDER_LOCK = 2_000  # events a joiner may still be behind when it takes the lock
LAG_CHECK_EVERY = 0.5  # wall seconds between checks of the viewers' lag (at most)


class StoreFailed(ValueError):
    """A batch could not be stored: the run has been marked failed."""


def room(run_id: str) -> str:
    return f"run:{run_id}"


class LiveRun:
    """A simulation the server advances, pauses, steps, stops and injects faults into."""

    def __init__(
        self,
        run_id: str,
        token: str,
        client: str,
        params: Any,
        speed: Speed,
        start_paused: bool,
        store: Store,
        config: dict[str, Any],
        on_end: Callable[[LiveRun], None],
        socketio: SocketIO,
    ) -> None:
        self.id = run_id
        self.token = token
        self.client = client  # who started it (its address), for the per-client limit
        self.bookings = int(params["bookings"])
        self.speed: Speed = speed
        self.state = "pending"
        self.reason: str | None = None
        self.lock = threading.RLock()
        self.t = 0.0
        self.emitted = -1  # last seq stored and emitted to the room
        self.count = 0
        self._start_paused = start_paused
        self._store = store
        self._tick = float(config["TICK_SECONDS"])
        self._chunk = int(config["INSTANT_CHUNK_EVENTS"])
        self._max_events = int(config["MAX_EVENTS_PER_RUN"])
        self._max_mb = int(config["STORE_MAX_MB"])
        self._on_end = on_end
        self._socketio = socketio
        self._config = config
        self._max_behind = int(config["VIEWER_MAX_BATCHES_BEHIND"])
        self._max_lag = float(config["VIEWER_MAX_LAG_SECONDS"])
        self.viewers = Viewers(socketio.server)
        self._pending: list[dict[str, Any]] = []
        self.triggers: frozenset[str] = frozenset()  # event kinds that pause (breakpoints.py)
        self.breakpoint: dict[str, Any] | None = None  # the hit the run is paused at
        self._holding = False  # paused at a breakpoint: computed events wait in _pending
        self.watchers: list[Callable[[list[dict[str, Any]]], None]] = []  # see released batches
        # a live run stays open while an actor is down, so its controller can restart it
        self._sim = Simulation(params, sink=self._pending.append, hold_open=speed != INSTANT)
        self._last_wall = time.monotonic()
        self._started = self._last_wall
        self._last_activity = self._last_wall  # of an event or a control: for the idle timeout
        self._idle_limit = float(config["RUN_IDLE_SECONDS"])
        self._wall_limit = float(config["RUN_MAX_SECONDS"])
        self._last_flush = 0.0
        self._last_status = 0.0
        self._last_lag_check = 0.0
        self._closing = False

    # ----- the background task -------------------------------------------------------------

    def start(self) -> None:
        with self.lock:
            self.state = "paused" if self._start_paused else "running"
            self._last_wall = time.monotonic()
            self._store.update_run(self.id, status=self.state)
            self._emit_status()
        self._socketio.start_background_task(self._loop)

    def _loop(self) -> None:
        try:
            while True:
                with self.lock:
                    if self._closing or self.state in ENDED:
                        break
                    busy = self._tick_once()
                self._socketio.sleep(0 if busy else self._tick)
        except StoreFailed:  # already marked failed and told
            pass
        except Exception as exc:  # the engine failed: end the run, keep the server up
            log.exception("run %s failed", self.id)
            with self.lock:
                self._fail(f"internal error: {exc}")
        self._settle()

    def _settle(self) -> None:
        """After the end: viewers still behind take the rest within the lag limit or are
        dropped, as during the run (none is left holding a backlog nobody watches)."""
        while self.state != "interrupted":
            with self.lock:
                self._drop_laggards(force=True)
                if not any(viewer.behind() for viewer in self.viewers.all()):
                    return
            self._socketio.sleep(self._tick)

    def _fail(self, reason: str) -> None:
        try:
            self._sim.finish(reason)  # report unfinished sagas and run.finished if it still can
            self._end("stopped", reason)
        except StoreFailed:
            return
        except Exception:  # even the summary failed: record what we can
            log.exception("run %s could not be ended cleanly", self.id)
            self.state, self.reason = "stopped", reason
            self._store.update_run(self.id, status="stopped", reason=reason)
            self._on_end(self)

    def _tick_once(self) -> bool:
        """Advance by the wall time since the last tick; True if more work is waiting now."""
        now = time.monotonic()
        wall_dt, self._last_wall = now - self._last_wall, now
        if self._out_of_time(now):
            return False
        busy = False
        self._drop_laggards()
        if self.state == "running":
            if self.speed == INSTANT:
                busy = not self._congested() and self._run_chunk()
            else:
                self.t += float(self.speed) * wall_dt
                self._sim.advance(until=self.t)
        self._after_progress(force_flush=self.speed != INSTANT)
        return busy and self.state not in ENDED

    def _out_of_time(self, now: float) -> bool:
        """End the run when idle over RUN_IDLE_SECONDS or older than RUN_MAX_SECONDS."""
        if now - self._started > self._wall_limit:
            reason = f"reached the limit of {self._wall_limit:g} s per run"
        elif now - self._last_activity > self._idle_limit:
            reason = f"idle ({self.state}, no event) for over {self._idle_limit:g} s"
        else:
            return False
        self._sim.finish("stopped")
        self._end("stopped", reason)
        return True

    def touch(self) -> None:
        """Its controller did something: the idle clock restarts."""
        self._last_activity = time.monotonic()

    def _run_chunk(self) -> bool:
        """Instant speed: a bounded number of events, so the lock is held only briefly.

        Returns False when the simulation had nothing to do (a run held open while an
        actor is down), so the loop idles instead of spinning.
        """
        target = len(self._pending) + self._chunk
        progressed = False
        while not self._sim.done and len(self._pending) < target:
            before = len(self._pending)
            if self._sim.step() == 0:
                break
            progressed = True
            if self.triggers and first_hit(self._pending, self.triggers, before) >= 0:
                break  # compute no further past a breakpoint
        self.t = max(self.t, self._sim.now)
        return progressed

    def _congested(self) -> bool:
        """A viewer has batches it has not taken yet: an instant run waits for it.

        Without this a client slower than the simulation falls ever further behind (the
        server queues without bound). A viewer that stays behind too long is dropped instead
        (it can rejoin from its last seq; see _drop_laggards), so none stalls the run for long.
        """
        return any(viewer.behind_by_more_than(self._max_behind) for viewer in self.viewers.all())

    def _drop_laggards(self, force: bool = False) -> None:
        """Drop the viewers overdue by over VIEWER_MAX_LAG_SECONDS (checked every
        LAG_CHECK_EVERY seconds in every state: a viewer that stops reading is noticed even
        when no batch follows)."""
        now = time.monotonic()
        if not force and now - self._last_lag_check < LAG_CHECK_EVERY:
            return
        self._last_lag_check = now
        for viewer in self.viewers.all():
            if viewer.overdue(self._max_lag, now):
                self.detach(viewer.sid)
                reason = f"fell behind by over {self._max_lag:g} s"
                tell_dropped(self._socketio, viewer, self.id, viewer.confirmed_seq + 1, reason)

    def _after_progress(self, force_flush: bool) -> None:
        """Flush (at most every tick at instant speed), enforce the event limit, notice the end."""
        now = time.monotonic()
        if self._sim.done:
            self._flush()
            if not self._holding:
                self._end("finished", None)
            return
        if self.count + len(self._pending) >= self._max_events:
            self._sim.finish("stopped")
            self._end("stopped", f"reached the limit of {self._max_events:,} events per run")
            return
        # a batch also goes once 4 chunks wait: however fast the simulation, no batch grows to
        # megabytes (the store's quota is checked per batch, viewers take batches whole)
        if force_flush or now - self._last_flush >= self._tick or self._batch_full():
            self._flush()
        if now - self._last_status >= STATUS_EVERY and self.state == "running":
            self._emit_status()

    # ----- store and room ------------------------------------------------------------------

    def _batch_full(self) -> bool:
        return len(self._pending) >= 4 * self._chunk

    def _flush(self, release_all: bool = False) -> None:
        """Store the new events, then emit them to the room as one batch: all of them, or
        with breakpoints up to the first hit, after which the run pauses and holds the rest."""
        self._last_flush = time.monotonic()
        if not self._pending or (self._holding and not release_all):
            return
        hit = -1 if release_all or not self.triggers else first_hit(self._pending, self.triggers)
        if hit < 0:
            self._release(len(self._pending))
            return
        event = self._pending[hit]
        self._release(hit + 1)
        self._pause_at(event)

    def _release(self, n: int) -> None:
        """Store the first n pending events in one transaction and emit them as one batch."""
        batch = self._pending[:n]
        del self._pending[:n]
        self._last_activity = self._last_flush
        lines = [(event["seq"], to_json(event)) for event in batch]
        full = self._store.quota_reached(self._max_mb, sum(len(line) for _seq, line in lines))
        if full:  # as if the write failed: nothing past the quota is stored
            self._write_failed(full)
        try:
            self._store.append_events(self.id, lines, self.t, self.count + len(batch))
        except Exception as exc:
            self._write_failed(f"could not store events ({exc})")
        self.count += len(batch)
        self.emitted = batch[-1]["seq"]
        self._socketio.emit(
            "run_events",
            {"run_id": self.id, "events": batch, "sent_at": time.time()},
            to=room(self.id),
        )
        for viewer in self.viewers.all():
            viewer.sent_batch(self.emitted)
        for watch in list(self.watchers):
            watch(batch)

    def _pause_at(self, event: dict[str, Any]) -> None:
        """A breakpoint was hit: pause, hold what follows, tell the room which one."""
        self._holding = True
        self.breakpoint = hit_info(event)
        if self.state == "running":
            self.state = "paused"
            self._store.update_run(self.id, status="paused", t=self.t)
        self._emit_status()

    def _write_failed(self, problem: str) -> None:
        """No silent hole: stop here, keep what was stored, say why and how much; raise."""
        log.error("run %s: a batch was not stored: %s", self.id, problem)
        reason = f"{problem}; the first {self.count:,} were stored"
        self._closing = True
        self.state, self.reason = "failed", reason
        try:
            self._sim.finish(reason)  # releases the model's processes; these events are dropped
        finally:
            self._pending.clear()
        try:
            self._store.update_run(
                self.id, status="failed", reason=reason, t=self.t, event_count=self.count
            )
        except Exception:  # the next start marks it interrupted; its stored count is true
            log.exception("run %s: could not record the failure", self.id)
        self._emit_status()
        self._on_end(self)
        raise StoreFailed(reason)

    def status(self) -> dict[str, Any]:
        out = {
            "run_id": self.id,
            "state": self.state,
            "t": self.t,
            "speed": self.speed,
            "events": self.count + len(self._pending),
        }
        if self.reason:
            out["reason"] = self.reason
        if self.triggers:
            out["breakpoints"] = names(self.triggers)
        if self.breakpoint is not None and self.state == "paused":
            out["breakpoint"] = self.breakpoint
        return out

    def _emit_status(self, to: str | None = None) -> None:
        self._last_status = time.monotonic()
        self._socketio.emit("run_status", self.status(), to=to or room(self.id))

    def _end(self, state: str, reason: str | None) -> None:
        self.t = max(self.t, self._sim.now)
        self._flush(release_all=True)
        self._holding, self.breakpoint = False, None
        self._store.update_run(
            self.id, status=state, reason=reason, t=self.t, summary=self._sim.summary()
        )
        self.state, self.reason = state, reason  # once stored: its end is never seen unstored
        self._emit_status()
        self._on_end(self)

    # ----- viewers -------------------------------------------------------------------------

    def attach(self, sid: str, first: int = 0, remote: bool = False) -> None:
        """Send sid every event from seq `first` on, then add it to the room: no gap, no repeat.

        A viewer too slow for the catch-up, or gone, is told so (if still there) and not added.
        One that catches up after the run ended is watched here until it takes the rest.
        A remote viewer (connected to another process) gets all of it through the message
        queue, in this order; its probes and their acks go through the queue too.
        """
        sent = first - 1
        viewer = Viewer(self._socketio.server, sid, self.id, first, remote)
        try:
            while True:
                with self.lock:
                    if self.emitted - sent <= CATCHUP_UNDER_LOCK:
                        self._send_stored(viewer, sent + 1, self.emitted)
                        self._socketio.server.enter_room(sid, room(self.id), namespace="/")
                        self.viewers.add(viewer)
                        self._emit_status(to=sid)
                        ended = self.state in ENDED
                        break
                    upto = self.emitted
                sent = max(sent, self._send_stored(viewer, sent + 1, upto))
        except Dropped as dropped:
            dropped.tell(self._socketio, self.id)
            return
        if ended:  # it caught up after the end: nobody else watches its pace now
            self._settle()

    def _send_stored(self, viewer: Viewer, first: int, last: int) -> int:
        return send_stored(
            self._socketio, self._store, self.id, viewer.sid, first, last, self._config, viewer
        )

    def detach(self, sid: str) -> None:
        """sid no longer receives this run's batches."""
        self.viewers.remove(sid)
        self._socketio.server.leave_room(sid, room(self.id), namespace="/")

    def interrupt(self, reason: str) -> None:
        """The server is shutting down: store what happened and mark the run interrupted."""
        with self.lock:
            if self.state in ENDED:
                return
            self._closing = True
            try:
                self._flush(release_all=True)
            except StoreFailed:
                return
            self.state, self.reason = "interrupted", reason
            self._store.update_run(self.id, status="interrupted", reason=reason, t=self.t)
            self._sim.finish(reason)  # releases the model's processes; these events are dropped
            self._pending.clear()
            self._emit_status()

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return self._sim.summary()

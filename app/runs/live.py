"""One live run: its simulation, paced against the wall clock by a background task.

Every change to the simulation, every store write and every emit to the run's room happens
under the run's lock, so a joining client can catch up from the store and enter the room
without missing or repeating an event.

The run's jobs are parts with their own modules: `pace` (the clocks and the idle and age
limits, pacing.py), `pending` (computed events not released yet, and breakpoints, held.py),
`writer` (the store and its quota, writer.py) and `fanout` (the room, the viewers' pace,
what viewers on other processes missed, fanout.py). This class runs the loop and the run's
state, and is what the run manager, the controls and classes use.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_socketio import SocketIO

from app.runs.breakpoints import names
from app.runs.fanout import Fanout, Watcher, room
from app.runs.held import Pending
from app.runs.pacing import Pace
from app.runs.queue import QueueHealth
from app.runs.quota import Quota
from app.runs.replay import Dropped, send_stored
from app.runs.request import INSTANT, Speed
from app.runs.viewers import Viewer
from app.runs.writer import EventWriter, WriteFailed
from app.store import Store
from sim import RunParams, Simulation
from sim.trace.vocabulary import ENDED_STATES

log = logging.getLogger(__name__)

ENDED = ENDED_STATES
STATUS_EVERY = 0.5  # wall seconds between run_status updates while running
CATCHUP_UNDER_LOCK = 2_000  # events a joiner may still be behind when it takes the lock

__all__ = ["ENDED", "LiveRun", "RunSetup", "StoreFailed", "room"]


class StoreFailed(ValueError):
    """A batch could not be stored: the run has been marked failed."""


@dataclass(frozen=True)
class RunSetup:
    """What a live run is made of besides its parameters: who started it, where it is
    stored and shown, and what to call when it ends."""

    store: Store
    quota: Quota
    config: dict[str, Any]
    socketio: SocketIO
    on_end: Callable[[LiveRun], None]
    health: QueueHealth | None = None  # the message queue's, with several processes


class LiveRun:
    """A simulation the server advances, pauses, steps, stops and injects faults into."""

    def __init__(
        self,
        run_id: str,
        token: str,
        client: str,
        params: RunParams,
        speed: Speed,
        start_paused: bool,
        setup: RunSetup,
    ) -> None:
        config = setup.config
        self.id = run_id
        self.token = token
        self.client = client  # its address, or "class:<code>": for the live-slot rule (slots.py)
        self.bookings = int(params["bookings"])
        self.state = "pending"
        self.reason: str | None = None
        self.lock = threading.RLock()
        self.pace = Pace(speed, float(config["RUN_IDLE_SECONDS"]), float(config["RUN_MAX_SECONDS"]))
        self.pending = Pending()
        self.writer = EventWriter(setup.store, run_id, setup.quota)
        self.fanout = Fanout(setup.socketio, run_id, config, setup.health)
        # a live run stays open while an actor is down, so its controller can restart it
        self.sim = Simulation(params, sink=self.pending.add, hold_open=speed != INSTANT)
        self._setup = setup
        self._start_paused = start_paused
        self._tick = float(config["TICK_SECONDS"])
        self._chunk = int(config["INSTANT_CHUNK_EVENTS"])
        self._max_events = int(config["MAX_EVENTS_PER_RUN"])
        self._last_flush = 0.0
        self._last_status = 0.0
        self._closing = False

    # ----- what others read ----------------------------------------------------------------

    @property
    def speed(self) -> Speed:
        return self.pace.speed

    @property
    def t(self) -> float:
        return self.pace.t

    @property
    def emitted(self) -> int:
        """The last seq stored and emitted to the room."""
        return self.writer.emitted

    @property
    def breakpoint(self) -> dict[str, Any] | None:
        return self.pending.breakpoint

    @property
    def watchers(self) -> list[Watcher]:
        return self.fanout.watchers

    def touch(self) -> None:
        """Its controller (or its class) did something: the idle clock restarts."""
        self.pace.touch()

    def idle_seconds(self) -> float:
        """Wall seconds since its last event, control or vote."""
        return self.pace.idle_for(time.monotonic())

    def watched(self) -> bool:
        """Someone is watching it (a viewer on this or another process)."""
        return len(self.fanout.viewers) > 0

    # ----- the background task -------------------------------------------------------------

    def start(self) -> None:
        with self.lock:
            self.state = "paused" if self._start_paused else "running"
            self.pace.restart()
            self.writer.record(status=self.state)
            self.emit_status()
        self._setup.socketio.start_background_task(self._loop)

    def _loop(self) -> None:
        try:
            while True:
                with self.lock:
                    if self._closing or self.state in ENDED:
                        break
                    busy = self._tick_once()
                self._setup.socketio.sleep(0 if busy else self._tick)
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
                self.fanout.drop_laggards(force=True)
                if not self.fanout.anyone_behind():
                    return
            self._setup.socketio.sleep(self._tick)

    def _fail(self, reason: str) -> None:
        try:
            self.sim.finish(reason)  # report unfinished sagas and run.finished if it still can
            self.end("stopped", reason)
        except StoreFailed:
            return
        except Exception:  # even the summary failed: record what we can
            log.exception("run %s could not be ended cleanly", self.id)
            self.state, self.reason = "stopped", reason
            self.writer.record(status="stopped", reason=reason)
            self._setup.on_end(self)

    def _tick_once(self) -> bool:
        """Advance by the wall time since the last tick; True if more work is waiting now."""
        now = time.monotonic()
        running = self.state == "running"
        until = self.pace.tick(now, running)
        expired = self.pace.out_of_time(now, self.state)
        if expired:
            self.sim.finish("stopped")
            self.end("stopped", expired)
            return False
        busy = False
        self.fanout.drop_laggards()
        if running and self.speed == INSTANT:
            busy = not self.fanout.congested() and self._run_chunk()
        elif until is not None:
            self.sim.advance(until=until)
        self.after_progress(force_flush=self.speed != INSTANT)
        return busy and self.state not in ENDED

    def _run_chunk(self) -> bool:
        """Instant speed: a bounded number of events, so the lock is held only briefly.

        Returns False when the simulation had nothing to do (a run held open while an
        actor is down), so the loop idles instead of spinning.
        """
        target = len(self.pending) + self._chunk
        progressed = False
        while not self.sim.done and len(self.pending) < target:
            before = len(self.pending)
            if self.sim.step() == 0:
                break
            progressed = True
            if self.pending.hit_since(before):
                break  # compute no further past a breakpoint
        self.pace.caught_up(self.sim.now)
        return progressed

    def after_progress(self, force_flush: bool) -> None:
        """Flush (at most every tick at instant speed), enforce the event limit, notice the end."""
        now = time.monotonic()
        if self.sim.done:
            self.flush()
            if not self.pending.holding:
                self.end("finished", None)
            return
        if self.writer.count + len(self.pending) >= self._max_events:
            self.sim.finish("stopped")
            self.end("stopped", f"reached the limit of {self._max_events:,} events per run")
            return
        # a batch also goes once 4 chunks wait: however fast the simulation, no batch grows to
        # megabytes (the store's quota is checked per batch, viewers take batches whole)
        full = len(self.pending) >= 4 * self._chunk
        if force_flush or now - self._last_flush >= self._tick or full:
            self.flush()
        if now - self._last_status >= STATUS_EVERY and self.state == "running":
            self.emit_status()

    # ----- store and room ------------------------------------------------------------------

    def flush(self, release_all: bool = False) -> None:
        """Store the new events, then emit them to the room as one batch: all of them, or
        with breakpoints up to the first hit, after which the run pauses and holds the rest."""
        self._last_flush = time.monotonic()
        count, hit = self.pending.next_batch(release_all)
        if count:
            self.release(count)
        if hit is not None:
            self.pause_at(hit)

    def release(self, n: int) -> None:
        """Store the first n pending events in one transaction and emit them as one batch."""
        batch = self.pending.take(n)
        self.pace.touch()
        try:
            self.writer.write(batch, self.t)
        except WriteFailed as exc:
            self._write_failed(str(exc))
        self.fanout.batch(batch)

    def pause_at(self, event: dict[str, Any]) -> None:
        """A breakpoint was hit: pause, hold what follows, tell the room which one."""
        self.pending.hold(event)
        if self.state == "running":
            self.state = "paused"
            self.writer.record(status="paused", t=self.t)
        self.emit_status()

    def _write_failed(self, problem: str) -> None:
        """No silent hole: stop here, keep what was stored, say why and how much; raise."""
        log.error("run %s: a batch was not stored: %s", self.id, problem)
        count = self.writer.count
        reason = f"{problem}; the first {count:,} were stored"
        self._closing = True
        self.state, self.reason = "failed", reason
        try:
            self.sim.finish(reason)  # releases the model's processes; these events are dropped
        finally:
            self.pending.clear()
        try:
            self.writer.record(status="failed", reason=reason, t=self.t, event_count=count)
        except Exception:  # the next start marks it interrupted; its stored count is true
            log.exception("run %s: could not record the failure", self.id)
        self.emit_status()
        self._setup.on_end(self)
        raise StoreFailed(reason)

    def status(self) -> dict[str, Any]:
        out = {
            "run_id": self.id,
            "state": self.state,
            "t": self.t,
            "speed": self.speed,
            "events": self.writer.count + len(self.pending),
        }
        if self.reason:
            out["reason"] = self.reason
        if self.pending.triggers:
            out["breakpoints"] = names(self.pending.triggers)
        if self.breakpoint is not None and self.state == "paused":
            out["breakpoint"] = self.breakpoint
        return out

    def emit_status(self, to: str | None = None) -> None:
        self._last_status = time.monotonic()
        self.fanout.status(self.status(), to=to)

    def end(self, state: str, reason: str | None) -> None:
        """Under the lock: store and send what is pending, then the run's end."""
        self.pace.caught_up(self.sim.now)
        self.flush(release_all=True)
        self.pending.let_go()
        self.writer.record(status=state, reason=reason, t=self.t, summary=self.sim.summary())
        self.state, self.reason = state, reason  # once stored: its end is never seen unstored
        self.emit_status()
        self._setup.on_end(self)

    # ----- viewers -------------------------------------------------------------------------

    def attach(self, sid: str, first: int = 0, remote: bool = False) -> None:
        """Send sid every event from seq `first` on, then add it to the room: no gap, no repeat.

        A viewer too slow for the catch-up, or gone, is told so (if still there) and not added.
        One that catches up after the run ended is watched here until it takes the rest.
        A remote viewer (connected to another process) gets all of it through the message
        queue, in this order; its probes and their acks go through the queue too.
        """
        sent = first - 1
        viewer = Viewer(self._setup.socketio.server, sid, self.id, first, remote)
        try:
            while True:
                with self.lock:
                    if self.emitted - sent <= CATCHUP_UNDER_LOCK:
                        self._send_stored(viewer, sent + 1, self.emitted)
                        self.fanout.add(viewer)
                        self.emit_status(to=sid)
                        ended = self.state in ENDED
                        break
                    upto = self.emitted
                sent = max(sent, self._send_stored(viewer, sent + 1, upto))
        except Dropped as dropped:
            dropped.tell(self._setup.socketio, self.id)
            return
        if ended:  # it caught up after the end: nobody else watches its pace now
            self._settle()

    def _send_stored(self, viewer: Viewer, first: int, last: int) -> int:
        setup = self._setup
        return send_stored(
            setup.socketio, setup.store, self.id, viewer.sid, first, last, setup.config, viewer
        )

    def detach(self, sid: str) -> None:
        """sid no longer receives this run's batches."""
        self.fanout.remove(sid)

    def resend_to_other_processes(self) -> None:
        """The message queue is back: every viewer on another process that missed batches or
        statuses meanwhile gets them from the store, then the live stream again."""
        for sid, first in self.fanout.gaps().items():
            self.attach(sid, first, remote=True)

    def interrupt(self, reason: str) -> None:
        """The server is shutting down: store what happened and mark the run interrupted."""
        with self.lock:
            if self.state in ENDED:
                return
            self._closing = True
            try:
                self.flush(release_all=True)
            except StoreFailed:
                return
            self.state, self.reason = "interrupted", reason
            self.writer.record(status="interrupted", reason=reason, t=self.t)
            self.sim.finish(reason)  # releases the model's processes; these events are dropped
            self.pending.clear()
            self.emit_status()

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return self.sim.summary()

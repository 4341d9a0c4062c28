"""The controller's actions on a live run: pause, resume, step, speed, stop, inject."""

from __future__ import annotations

from typing import Any

from app.runs.breakpoints import kinds
from app.runs.live import ENDED, LiveRun
from app.runs.request import Speed


class ControlledRun(LiveRun):
    """A live run plus what its control token allows; ValueError says why an action cannot be."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._injected: list[dict[str, Any]] = []  # faults the controller injected

    def pause(self) -> None:
        self._switch("running", "paused")

    def resume(self) -> None:
        self._switch("paused", "running")

    def step(self) -> int:
        """Pause if running, then run until at least one more event; returns how many."""
        with self.lock:
            self._require_live()
            self._move("running", "paused")
            if self.pending.holding and len(self.pending):
                emitted = self._step_held()
            else:
                self.pending.let_go()
                emitted = self.sim.step()
                self.pace.caught_up(self.sim.now)
                self.after_progress(force_flush=True)
            if self.state not in ENDED:
                self.emit_status()
            return emitted

    def _step_held(self) -> int:
        """At a breakpoint: release the held events of the next simulated instant (up to the
        next breakpoint among them); the rest stay held."""
        count, event = self.pending.next_instant()
        self.pending.let_go()
        self.release(count)
        if event is not None:
            self.pause_at(event)
        elif len(self.pending):
            self.pending.holding = True  # still at the breakpoint: the rest stay held
        else:
            self.after_progress(force_flush=True)
        return count

    def set_breakpoints(self, names: tuple[str, ...]) -> None:
        """The events that pause this run from now on; none releases a held breakpoint."""
        with self.lock:
            self._require_live()
            self.pending.triggers = kinds(names)
            if not self.pending.triggers:
                self.pending.let_go()
                self.flush()
            self.emit_status()

    def set_speed(self, speed: Speed) -> None:
        with self.lock:
            self._require_live()
            self.pace.set_speed(speed, self.sim.now)
            self.writer.record(speed=speed)
            self.emit_status()

    def stop(self, reason: str = "stopped by its controller") -> None:
        with self.lock:
            self._require_live()
            self.sim.finish("stopped")
            self.end("stopped", reason)

    def inject(self, fault: dict[str, Any]) -> None:
        """A fault at the current simulated time; ValueError if it does not apply. It is
        stored in the run's `faults` parameter with its time, so a re-run replays it."""
        with self.lock:
            self._require_live()
            self.sim.inject(fault)
            self.pending.let_go()  # held events go out before the fault's
            params = self.sim.params.to_dict()
            self._injected.append({"t": round(self.sim.now, 6), **fault})
            params["faults"] = sorted(
                params.get("faults", []) + self._injected, key=lambda f: f["t"]
            )
            self.writer.record(params=params)
            self.after_progress(force_flush=True)

    def _switch(self, was: str, now: str) -> None:
        """Go from state `was` to `now` if the run is in `was`; tell the room either way."""
        with self.lock:
            self._require_live()
            self._move(was, now)
            self.emit_status()

    def _move(self, was: str, now: str) -> None:
        """Under the lock: `was` -> `now`, stored with the current time; the clock restarts."""
        if self.state == was:
            self.state = now
            if now == "running":
                self.pending.let_go()
            self.pace.restart()
            self.writer.record(status=now, t=self.t)

    def _require_live(self) -> None:
        """Every control action starts here: the run must be live; its idle clock restarts."""
        self.touch()
        if self.state in ENDED:
            raise ValueError(f"the run has ended ({self.state})")

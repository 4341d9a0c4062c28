"""The controller's actions on a live run: pause, resume, step, speed, stop, inject."""

from __future__ import annotations

import time
from typing import Any

from app.runs.live import ENDED, LiveRun
from app.runs.request import INSTANT, Speed


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
            emitted = self._sim.step()
            self.t = max(self.t, self._sim.now)
            self._after_progress(force_flush=True)
            if self.state not in ENDED:
                self._emit_status()
            return emitted

    def set_speed(self, speed: Speed) -> None:
        with self.lock:
            self._require_live()
            if self.speed == INSTANT and speed != INSTANT:
                self.t = self._sim.now
            self.speed = speed
            self._last_wall = time.monotonic()
            self._store.update_run(self.id, speed=speed)
            self._emit_status()

    def stop(self) -> None:
        with self.lock:
            self._require_live()
            self._sim.finish("stopped")
            self._end("stopped", "stopped by its controller")

    def inject(self, fault: dict[str, Any]) -> None:
        """A fault at the current simulated time; ValueError if it does not apply. It is
        stored in the run's `faults` parameter with its time, so a re-run replays it."""
        with self.lock:
            self._require_live()
            self._sim.inject(fault)
            params = self._sim.params.to_dict()
            self._injected.append({"t": round(self._sim.now, 6), **fault})
            params["faults"] = sorted(
                params.get("faults", []) + self._injected, key=lambda f: f["t"]
            )
            self._store.update_run(self.id, params=params)
            self._after_progress(force_flush=True)

    def _switch(self, was: str, now: str) -> None:
        """Go from state `was` to `now` if the run is in `was`; tell the room either way."""
        with self.lock:
            self._require_live()
            self._move(was, now)
            self._emit_status()

    def _move(self, was: str, now: str) -> None:
        """Under the lock: `was` -> `now`, stored with the current time; the clock restarts."""
        if self.state == was:
            self.state = now
            self._last_wall = time.monotonic()
            self._store.update_run(self.id, status=now, t=self.t)

    def _require_live(self) -> None:
        """Every control action starts here: the run must be live; its idle clock restarts."""
        self.touch()
        if self.state in ENDED:
            raise ValueError(f"the run has ended ({self.state})")

"""A live run's clocks: simulated time against the wall clock, and the idle and age limits."""

from __future__ import annotations

import time

from app.runs.request import INSTANT, Speed


class Pace:
    """Advances simulated time at `speed` simulated seconds per wall second while running;
    says when the run has been idle, or alive, for too long."""

    def __init__(self, speed: Speed, idle_limit: float, wall_limit: float) -> None:
        now = time.monotonic()
        self.speed: Speed = speed
        self.t = 0.0  # the run's simulated clock (it moves on between events at a live speed)
        self.last_activity = now  # of an event, a control or a vote: for the idle limit
        self.idle_limit = idle_limit
        self.wall_limit = wall_limit
        self._started = now
        self._last_wall = now

    def restart(self) -> None:
        """The wall clock starts counting from now (a start, a resume, a new speed)."""
        self._last_wall = time.monotonic()

    def tick(self, now: float, running: bool) -> float | None:
        """The wall time since the last tick moves the clock on if running at a numeric
        speed: the simulated time to advance to, else None."""
        wall_dt, self._last_wall = now - self._last_wall, now
        if not running or self.speed == INSTANT:
            return None
        self.t += float(self.speed) * wall_dt
        return self.t

    def caught_up(self, sim_now: float) -> None:
        """The simulation got to sim_now: the clock is at least there."""
        self.t = max(self.t, sim_now)

    def set_speed(self, speed: Speed, sim_now: float) -> None:
        if self.speed == INSTANT and speed != INSTANT:
            self.t = sim_now  # an instant run's clock is the simulation's
        self.speed = speed
        self.restart()

    def touch(self) -> None:
        """Something happened (an event, a control, a vote): the idle clock restarts."""
        self.last_activity = time.monotonic()

    def out_of_time(self, now: float, state: str) -> str | None:
        """Why the run must end now (RUN_MAX_SECONDS or RUN_IDLE_SECONDS), or None."""
        if now - self._started > self.wall_limit:
            return f"reached the limit of {self.wall_limit:g} s per run"
        if now - self.last_activity > self.idle_limit:
            return f"idle ({state}, no event) for over {self.idle_limit:g} s"
        return None

    def idle_for(self, now: float) -> float:
        """Wall seconds since the last activity."""
        return now - self.last_activity

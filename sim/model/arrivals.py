"""Booking arrivals: the tutorial's BookingGenerator, as a chain of timers."""

from __future__ import annotations

from collections.abc import Callable

from asimpy import Environment

from sim.kernel import Alarm
from sim.schema import booking_id


class BookingGenerator:
    """Submits the bookings, one every `interarrival` simulated seconds (one alarm, set again)."""

    def __init__(
        self, env: Environment, submit: Callable[[str], None], count: int, interarrival: float
    ) -> None:
        self.env, self.submit, self.count, self.interarrival = env, submit, count, interarrival
        self.submitted = 0
        self._next = Alarm(env, self._arrive)
        if count:
            env.immediate(self._arrive)

    def _arrive(self) -> None:
        self.submit(booking_id(self.submitted))
        self.submitted += 1
        if self.submitted < self.count:
            self._next.set(self.interarrival)

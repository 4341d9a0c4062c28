"""Booking arrivals: the tutorial's BookingGenerator, as a chain of timers."""

from __future__ import annotations

from collections.abc import Callable

from asimpy import Environment

from sim.kernel import call_after
from sim.schema import booking_id


class BookingGenerator:
    """Submits the bookings, one every `interarrival` simulated seconds (a chain of timers)."""

    def __init__(
        self, env: Environment, submit: Callable[[str], None], count: int, interarrival: float
    ) -> None:
        self.env, self.submit, self.count, self.interarrival = env, submit, count, interarrival
        self.submitted = 0
        if count:
            env.immediate(self._arrive)

    def _arrive(self) -> None:
        self.submit(booking_id(self.submitted))
        self.submitted += 1
        if self.submitted < self.count:
            call_after(self.env, self.interarrival, self._arrive)

"""One service class: every step of a saga is an instance, with its own inventory (or none)."""

from __future__ import annotations

from collections.abc import Iterable
from random import Random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.fiber import Fiber
    from sim.trace.tracer import Tracer

OK = "ok"


BOOKED, CANCELED = "booked", "canceled"  # a service's local record of a booking: its status


class InventoryService:
    """A service with its own inventory and local transactions (book, cancel). A step that
    holds nothing (`capacity` None) keeps records but no inventory.

    A record (booking id -> BOOKED or CANCELED, one unit each) is kept until the engine
    `forget`s a saga nothing can refer to again, so memory follows the sagas in flight, not
    the bookings made. Invariant (of a correct run, for a step that holds units): available +
    records still BOOKED + `kept` == capacity; `waiters` wait for a unit held by a saga that
    has not ended (the semantic lock), and a cancel or a forgotten saga wakes them.
    Non-idempotent services behave as the tutorial's code: a second
    booking for the same booking id takes another unit and overwrites the record, and a
    cancel releases the record's unit whatever its status. Idempotent ones answer repeats
    with the first result.
    """

    def __init__(
        self,
        step: str,
        capacity: int | None,
        failure_rate: float,
        tracer: Tracer,
        rng: Random,
        plan: dict[str, list[str]],
        idempotent: bool,
        compensation_failure_rate: float,
        retriable: bool = False,
    ) -> None:
        self.step = step
        self.capacity = capacity
        self.failure_rate = failure_rate
        self.tracer = tracer
        self.rng = rng
        self.plan = plan
        self.idempotent = idempotent
        self.compensation_failure_rate = compensation_failure_rate
        self.holds = capacity is not None
        self.retriable = retriable  # a planned failure of a retriable step fails its first try only
        self.records: dict[str, str] = {}
        self.itineraries: dict[str, str] = {}  # the next step's reservation of a booking
        self.kept = 0  # units still booked by sagas whose records were forgotten
        self.up = True
        self.waiters: list[Fiber] = []
        self.releases = 0  # how often the waiters were woken
        if capacity is not None:
            tracer.inventory[step] = capacity

    @property
    def available(self) -> int:
        return self.tracer.inventory[self.step]

    def pending_holder(self, saga: str) -> str | None:
        """With no unit left: a saga other than `saga` that holds one and has not ended (its
        unit is pending: it may still be released)."""
        if not self.holds or self.tracer.inventory[self.step] > 0:
            return None
        return next((s for s, r in self.records.items() if r == BOOKED and s != saga), None)

    def _wake_waiters(self) -> None:
        self.releases += 1
        waiters, self.waiters = self.waiters, []
        for fiber in waiters:
            fiber.wake("released")

    def book(self, saga: str, attempt: int = 1) -> str:
        """Forward local transaction: 'ok', or the reason it failed."""
        tracer, step = self.tracer, self.step
        if not self.up:
            tracer.emit("step.failed", saga, step, step, attempt=attempt, reason="unavailable")
            return "unavailable"
        if self.idempotent and self.records.get(saga) == BOOKED:
            tracer.emit(
                "step.succeeded", saga, step, step, attempt=attempt, units=0, duplicate=True
            )
            return OK
        plan = self.plan
        if (
            (self.step in plan.get(saga, ()) and (attempt == 1 or not self.retriable))
            if plan
            else (self.rng.random() < self.failure_rate)
        ):
            tracer.emit("step.failed", saga, step, step, attempt=attempt, reason="error")
            return "error"
        if not self.holds:
            self.records[saga] = BOOKED
            tracer.emit("step.succeeded", saga, step, step, attempt=attempt, units=0)
            return OK
        inventory = tracer.inventory
        if inventory[step] <= 0:
            tracer.emit("step.failed", saga, step, step, attempt=attempt, reason="sold_out")
            return "sold_out"
        inventory[step] -= 1
        self.records[saga] = BOOKED  # a repeat overwrites the record, and its itinerary
        if self.itineraries:
            self.itineraries.pop(saga, None)
        tracer.emit(
            "step.succeeded",
            saga,
            step,
            step,
            attempt=attempt,
            units=1,
            inventory=inventory.copy(),
        )
        return OK

    def cancel(self, saga: str | None, attempt: int = 1, for_saga: str | None = None) -> str:
        """Compensating local transaction: 'ok' (also when nothing was found) or why it failed.

        `saga` is the booking to cancel as the caller found it; None means the caller could
        not find the reservation (it answers 'No booking to cancel', as the tutorial does).
        """
        tracer, step = self.tracer, self.step
        who = for_saga or saga
        if not self.up:
            tracer.emit(
                "compensation.failed", who, step, step, attempt=attempt, reason="unavailable"
            )
            return "unavailable"
        if self.compensation_failure_rate and self.rng.random() < self.compensation_failure_rate:
            tracer.emit("compensation.failed", who, step, step, attempt=attempt, reason="error")
            return "error"
        record = self.records.get(saga) if saga is not None else None
        if record is None or (self.idempotent and record != BOOKED) or not self.holds:
            reason = "not_found" if record is None else "already_canceled"
            tracer.emit(
                "compensation.succeeded", who, step, step, attempt=attempt, units=0, reason=reason
            )
            return OK
        inventory = tracer.inventory
        inventory[step] += 1
        self.records[saga] = CANCELED
        self.itineraries.pop(saga, None)
        if self.waiters:
            self._wake_waiters()
        tracer.emit(
            "compensation.succeeded",
            who,
            step,
            step,
            attempt=attempt,
            units=1,
            inventory=inventory.copy(),
            reason=None,
        )
        return OK

    @staticmethod
    def forget(services: Iterable[InventoryService], saga: str) -> None:
        """Drop the saga's record in each service: it has ended and no request for it can come
        any more. (One call for all services: it runs once per saga.)"""
        for service in services:
            if service.records.pop(saga, None) == BOOKED:
                service.kept += 1
                if service.waiters:
                    service._wake_waiters()
            if service.itineraries:
                service.itineraries.pop(saga, None)

    def itinerary(self, saga: str) -> str | None:
        """The next step's reservation linked to a live booking (None once canceled)."""
        return self.itineraries.get(saga) if self.records.get(saga) == BOOKED else None

    def link_itinerary(self, saga: str, reservation: str) -> None:
        if self.records.get(saga) == BOOKED:
            self.itineraries[saga] = reservation

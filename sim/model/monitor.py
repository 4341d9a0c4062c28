"""The passive saga monitor of choreography: follows bus events to know each saga's state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from asimpy import Environment

from sim.kernel import call_after
from sim.params import RunParams

if TYPE_CHECKING:
    from sim.model.choreography import EventBus
    from sim.trace.tracer import Tracer


class SagaMonitor:
    """Reads every published event and reports saga starts and ends; it sends nothing.

    With a saga timeout it also arms a watchdog per saga that publishes `saga_timed_out`
    (the one message it may send) when a saga has not ended in time.
    Invariant: a saga is in `state` from `booking_started` until the monitor reports its end.
    """

    def __init__(self, env: Environment, tracer: Tracer, bus: EventBus, params: RunParams):
        self.env, self.tracer, self.bus = env, tracer, bus
        bus.monitor = self
        self.state: dict[str, str] = {}  # saga -> running | compensating
        self.timeout = params.get("choreography.saga_timeout")
        self._rules = {
            "booking_started": self._started,
            "car_booked": self._completed,
            "flight_booking_failed": self._nothing_to_undo,
            "hotel_booking_failed": self._compensating,
            "car_booking_failed": self._compensating,
            "flight_compensated": self._compensated,
            "flight_compensation_failed": self._flagged,
            "hotel_compensation_failed": self._flagged,
        }

    def observe(self, event_type: str, saga: str) -> None:
        rule = self._rules.get(event_type)
        if rule is not None:
            rule(saga, event_type)

    def _started(self, saga: str, event_type: str) -> None:
        if saga in self.state:
            return
        self.state[saga] = "running"
        self.tracer.emit("saga.started", saga, "monitor")
        if self.timeout is not None:
            call_after(self.env, self.timeout, lambda: self._expire(saga))

    def _completed(self, saga: str, event_type: str) -> None:
        if self.state.pop(saga, None) is not None:
            self.tracer.emit("saga.completed", saga, "monitor")

    def _compensating(self, saga: str, event_type: str) -> None:
        if self.state.get(saga) == "running":
            self.state[saga] = "compensating"
            self.tracer.emit("saga.compensating", saga, "monitor", reason=event_type)

    def _nothing_to_undo(self, saga: str, event_type: str) -> None:
        self._compensating(saga, event_type)
        self._compensated(saga, event_type)

    def _compensated(self, saga: str, event_type: str) -> None:
        if self.state.pop(saga, None) is not None:
            self.tracer.emit("saga.compensated", saga, "monitor")

    def _flagged(self, saga: str, event_type: str) -> None:
        if self.state.pop(saga, None) is not None:
            self.tracer.emit(
                "saga.flagged",
                saga,
                "monitor",
                reason=f"{event_type.replace('_', ' ')}: needs manual intervention",
            )

    def _expire(self, saga: str) -> None:
        if saga not in self.state:
            return
        self.tracer.emit("saga.timed_out", saga, "monitor")
        self._compensating(saga, "saga_timed_out")
        self.bus.publish("saga_timed_out", saga, "monitor")

"""The passive saga monitor of choreography: follows bus events to know each saga's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from asimpy import Environment

from sim.kernel import call_after
from sim.params import RunParams
from sim.saga import Saga

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
        self.state: dict[str, str] = {}  # saga -> running | pivoted | compensating
        self.timeout = params.get("choreography.saga_timeout")
        self._rules = rules(self, params.saga)

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

    def _failed_after_pivot(self, saga: str, event_type: str) -> None:
        """A retriable step kept failing: nothing may be undone after the pivot."""
        if self.state.pop(saga, None) is not None:
            step = event_type.removesuffix("_booking_failed")
            self.tracer.emit(
                "saga.flagged", saga, "monitor", reason=f"{step} kept failing after every try"
            )

    def _flagged(self, saga: str, event_type: str) -> None:
        if self.state.pop(saga, None) is not None:
            self.tracer.emit(
                "saga.flagged",
                saga,
                "monitor",
                reason=f"{event_type.replace('_', ' ')}: needs manual intervention",
            )

    def _pivoted(self, saga: str, event_type: str) -> None:
        """The pivot committed: from now on nothing may be undone."""
        if self.state.get(saga) == "running":
            self.state[saga] = "pivoted"

    def _expire(self, saga: str) -> None:
        state = self.state.get(saga)
        if state is None:
            return
        if state == "pivoted":  # too late to compensate: a person must finish it
            del self.state[saga]
            self.tracer.emit("saga.flagged", saga, "monitor",
                             reason="the saga timed out after the pivot committed: nothing "
                             "may be undone")  # fmt: skip
            return
        self.tracer.emit("saga.timed_out", saga, "monitor")  # "...: compensating"
        self._compensating(saga, "saga_timed_out")
        self.bus.publish("saga_timed_out", saga, "monitor")


def rules(monitor: SagaMonitor, saga: Saga) -> dict[str, Callable[[str, str], None]]:
    """Which bus event tells the monitor what, for this saga (the tutorial's, for travel):
    the last step booked completes it; the first step's failure ends it with nothing to undo;
    another compensatable step's or the pivot's failure starts compensation; the pivot booked
    (when steps follow it) means a timeout flags it instead of compensating; a retriable step's
    failure (after every try) flags it; the first step's compensation ends it, and a failed
    compensation flags it."""
    steps = saga.steps
    out: dict[str, Callable[[str, str], None]] = {
        "booking_started": monitor._started,
        f"{steps[-1].name}_booked": monitor._completed,
    }
    for i, step in enumerate(steps):
        failed = f"{step.name}_booking_failed"
        if step.kind == "retriable":
            out[failed] = monitor._failed_after_pivot
        else:
            out[failed] = monitor._nothing_to_undo if i == 0 else monitor._compensating
        if step.kind == "compensatable":
            if i == 0:
                out[f"{step.name}_compensated"] = monitor._compensated
            out[f"{step.name}_compensation_failed"] = monitor._flagged
    if saga.pivot is not None and saga.pivot != steps[-1].name:
        out[f"{saga.pivot}_booked"] = monitor._pivoted
    return out

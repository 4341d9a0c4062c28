"""The simulation engine: builds the model from parameters and runs it in slices, steps or whole."""

from __future__ import annotations

import contextlib
from random import Random
from typing import Any

from asimpy import Environment

from sim import kernel
from sim.faults import fault_actors
from sim.fiber import Fiber
from sim.model.arrivals import BookingGenerator
from sim.model.choreography import EventBus, Participant, wire
from sim.model.monitor import SagaMonitor
from sim.model.orchestrator import Orchestrator
from sim.model.service import InventoryService
from sim.params import RunParams
from sim.trace.checker import InvariantChecker
from sim.trace.events import Sink, null_sink
from sim.trace.tracer import Tracer


class Simulation:
    """One run of the saga model; same parameters and seed, same trace, byte for byte.

    `hold_open` keeps a run that has nothing left to do open while an actor is down, so a
    person can still restart it (live runs), for HOLD_OPEN_FOR simulated seconds: an actor
    never restarted does not keep the run going forever; otherwise such a run ends at once.
    """

    #: how long (simulated seconds) a held-open run waits for a restart before it ends
    HOLD_OPEN_FOR = 60.0

    def __init__(self, params: RunParams, sink: Sink = null_sink, hold_open: bool = False):
        self.params = params
        self.hold_open = hold_open
        self._held_since: float | None = None  # when it began to wait only for a restart
        self.done = False
        self.env = env = Environment()
        self.tracer = tracer = Tracer(env, sink)
        rng = Random(params["seed"])
        self.saga = saga = params.saga
        self.services = {
            step.name: InventoryService(
                step.name,
                params["services"][step.name].get("capacity"),
                params["services"][step.name]["failure_rate"],
                tracer,
                rng,
                params["plan"],
                params["idempotent"],
                params["compensation_failure_rate"],
                retriable=step.kind == "retriable",
            )
            for step in saga.steps
        }
        self._service_list = list(self.services.values())
        capacity = {s: svc.capacity for s, svc in self.services.items() if svc.holds}
        self.checker = InvariantChecker(capacity, tracer.emit, saga)
        self.checker.bind_inventory(tracer.inventory)
        tracer.attach(self.checker)
        tracer.emit("run.started", params=params.to_dict(), inventory=dict(tracer.inventory))
        self.orchestrator: Orchestrator | None = None
        self.participants: dict[str, Participant] = {}
        if params["mode"] == "orchestration":
            self.orchestrator = Orchestrator(env, tracer, self.services, params, self._forget)
            submit = self.orchestrator.submit
        else:
            submit = self._build_choreography(params)
        self.generator = BookingGenerator(env, submit, params["bookings"], params["interarrival"])
        for fault in params.get("faults", ()):
            kernel.call_at(env, fault["t"], lambda f=fault: self._scheduled(f))

    def _build_choreography(self, params: RunParams) -> Any:
        env, tracer = self.env, self.tracer
        self.bus = bus = EventBus(env, tracer, params, self._forget)
        self.monitor = SagaMonitor(env, tracer, bus, params)
        self.participants = wire(env, bus, self.saga, self.services, params)
        return lambda saga: bus.publish("booking_started", saga, "client")

    def _forget(self, saga: str) -> None:
        """A saga has ended and nothing can name it again: drop what was kept about it."""
        InventoryService.forget(self._service_list, saga)
        self.checker.forget(saga)

    # --- clock -----------------------------------------------------------------------
    @property
    def now(self) -> float:
        return float(self.env.now)

    @property
    def next_time(self) -> float | None:
        nxt = kernel.peek(self.env)
        return None if nxt is None else float(nxt)

    @property
    def events_emitted(self) -> int:
        return self.tracer.seq

    def _limit(self, until: float | None) -> float | None:
        stop = self.params["until"]
        if until is None:
            return stop
        return until if stop is None else min(until, stop)

    def advance(self, until: float) -> int:
        """Run every happening up to simulated time `until`; return the events emitted."""
        if self.done:
            return 0
        start = self.tracer.seq
        limit = self._limit(until)
        self.env.run(until=limit)
        held = self.hold_open and self.next_time is None and bool(self.down_actors())
        if limit is not None and (self.next_time is not None or held):
            kernel.advance(self.env, limit)  # the wall-clock pace moved time on; nothing happened
        self._maybe_finish()
        return self.tracer.seq - start

    def step(self) -> int:
        """Run until at least one more trace event is emitted (or the run ends)."""
        if self.done:
            return 0
        start = self.tracer.seq
        env, stop = self.env, self.params["until"]
        while self.tracer.seq == start:
            if not kernel.step(env, stop):
                if stop is not None:
                    kernel.advance(env, stop)  # nothing more happens before `until`: it is over
                break
        self._maybe_finish()
        return self.tracer.seq - start

    def run(self) -> dict[str, Any]:
        """Run to the end and return the summary."""
        if not self.done:
            self.env.run(until=self.params["until"])
            self.finish("until reached" if self.next_time is not None else "nothing left to do")
        return self.summary()

    def _maybe_finish(self) -> None:
        stop = self.params["until"]
        nxt = self.next_time
        if stop is not None and (nxt is None or nxt > stop) and self.env.now >= stop:
            self.finish("until reached")
        elif nxt is None and not (self.hold_open and self.down_actors()):
            self.finish("nothing left to do")
        elif nxt is None:  # held open: only a restart could move it on
            if self._held_since is None:
                self._held_since = self.now
            elif self.now - self._held_since >= self.HOLD_OPEN_FOR:
                down = ", ".join(self.down_actors())
                self.finish(f"nothing left to do: {down} stayed down with no restart")
        else:
            self._held_since = None

    # --- faults ----------------------------------------------------------------------
    def down_actors(self) -> list[str]:
        down = [s for s, svc in self.services.items() if not svc.up]
        if self.orchestrator is not None and not self.orchestrator.up:
            down.insert(0, "orchestrator")
        return down

    def inject(self, fault: dict[str, Any]) -> None:
        """Crash or restart an actor now; ValueError says why a fault does not apply."""
        if self.done:
            raise ValueError("the run has ended")
        action, actor = fault.get("action"), fault.get("actor")
        if action not in ("crash", "restart"):
            raise ValueError("action must be crash or restart")
        if actor == "orchestrator":
            if self.orchestrator is None:
                raise ValueError("there is no orchestrator in choreography")
            if action == "crash":
                self.orchestrator.crash("crashed on request")
            else:
                self.orchestrator.restart("restarted on request")
        elif actor in self.participants:
            part = self.participants[actor]
            part.crash("crashed on request") if action == "crash" else part.restart("on request")
        elif actor in self.services:
            self._toggle_service(self.services[actor], action)
        else:
            actors = ", ".join(fault_actors(self.saga.names))
            raise ValueError(f"the fault's actor must be one of {actors}")

    def _scheduled(self, fault: dict[str, Any]) -> None:
        """A fault of the run's `faults` at its time; one that does not apply then is skipped."""
        with contextlib.suppress(ValueError):
            self.inject(fault)

    def _toggle_service(self, service: InventoryService, action: str) -> None:
        if (action == "crash") != service.up:
            raise ValueError(
                f"the {service.step} service is already "
                + ("down" if action == "crash" else "running")
            )
        service.up = action == "restart"
        kind = "actor.crashed" if action == "crash" else "actor.restarted"
        self.tracer.emit(kind, None, service.step, service.step, reason="on request")

    # --- the end -----------------------------------------------------------------------
    def finish(self, reason: str = "stopped") -> None:
        """End the run now: report sagas that had not ended, then run.finished."""
        if self.done:
            return
        self.done = True
        for saga in self.checker.unfinished():
            self.tracer.emit("saga.stuck", saga, "monitor", reason=reason)
        self.tracer.emit("run.finished", summary=self.summary(final=True), reason=reason)
        for fiber in self._fibers():
            fiber.close()

    def _fibers(self) -> list[Fiber]:
        found: list[Fiber] = list(self.participants.values())
        if self.orchestrator is not None:
            found += self.orchestrator.workers
        return found

    def summary(self, final: bool = False) -> dict[str, Any]:
        """The summary of docs/sim-api.md; `events` counts run.finished too once the run is over."""
        report = self.checker.report()
        report["sagas"]["not_started"] = self.generator.submitted - self.checker.started
        report["sagas"]["submitted"] = self.generator.submitted
        report["inventory"] = {
            s: {"available": svc.available, "capacity": svc.capacity}
            for s, svc in self.services.items()
            if svc.holds
        }
        report["events"] = self.tracer.seq + (1 if final else 0)
        report["time"] = round(self.now, 6)
        return report

"""Choreography: services react to events on a bus; no one is in charge."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from asimpy import Environment, Interrupt

from sim.fiber import Fiber
from sim.kernel import call_after
from sim.model.semantic_lock import wait_for_pending
from sim.model.service import OK, InventoryService
from sim.params import RunParams
from sim.saga import Saga

if TYPE_CHECKING:
    from sim.model.monitor import SagaMonitor
    from sim.trace.tracer import Tracer


class Message:
    """An event on the bus (the tutorial's SagaEvent)."""

    __slots__ = ("type", "saga", "acked")

    def __init__(self, type_: str, saga: str) -> None:
        self.type = type_
        self.saga = saga
        self.acked = False


class EventBus:
    """Pub-sub: routes each published message to the inbox of every subscriber.

    With acknowledgements on, a delivered message that is not acked within the
    redelivery timeout is delivered again (at-least-once).
    Invariant: `in_flight[saga]` counts the saga's messages that may still be handled (in an
    inbox, being handled, waiting for redelivery, in an outbox). Every event about a saga
    comes from handling one of them, so once none is left and the monitor has ended the
    saga, nothing can name it again: it is forgotten (`forget`).
    """

    def __init__(
        self, env: Environment, tracer: Tracer, params: RunParams, forget: Callable[[str], None]
    ) -> None:
        self.env, self.tracer, self.forget = env, tracer, forget
        self.in_flight: dict[str, int] = {}
        self.subscriptions: dict[str, list[Participant]] = {}
        self.monitor: SagaMonitor | None = None
        self.ack_mode = params.get("choreography.ack_after_commit")
        self.redelivery_timeout = params.get("choreography.redelivery_timeout")

    def hold(self, saga: str) -> None:
        """One more message of `saga` may be handled."""
        in_flight = self.in_flight
        in_flight[saga] = in_flight.get(saga, 0) + 1

    def release(self, saga: str) -> None:
        """One message of `saga` was handled or lost; forget an ended saga with none left."""
        left = self.in_flight[saga] - 1
        if left:
            self.in_flight[saga] = left
        else:
            del self.in_flight[saga]
            if self.monitor is None or saga not in self.monitor.state:
                self.forget(saga)

    def subscribe(self, event_type: str, participant: Participant) -> None:
        self.subscriptions.setdefault(event_type, []).append(participant)

    def publish(self, type_: str, saga: str, source: str) -> None:
        self.tracer.emit("message.published", saga, "bus", None, event_type=type_, source=source)
        if self.monitor is not None:
            self.monitor.observe(type_, saga)
        for participant in self.subscriptions.get(type_, ()):
            participant.deliver(Message(type_, saga))

    def delivered(self, message: Message, participant: Participant) -> None:
        """Start the redelivery clock for a message a participant just took."""
        if not self.ack_mode:
            return
        self.hold(message.saga)

        def check() -> None:
            if not message.acked:
                self.tracer.emit(
                    "message.redelivered",
                    message.saga,
                    "bus",
                    participant.step,
                    event_type=message.type,
                )
                participant.deliver(message)
            self.release(message.saga)

        call_after(self.env, self.redelivery_timeout, check)


class Participant(Fiber):
    """One choreographed service: a forward handler and, maybe, a compensation handler.

    It books on `on` and answers `ok` or `bad`; `undo_on` lists the events that make it
    compensate, answered with `undone`. A retriable step tries again with doubling backoff
    (`tries` in all) before it answers `bad`. It handles one message at a time: the others
    wait in `inbox`, which holds messages only while it is busy or down.
    """

    def init(
        self,
        bus: EventBus,
        service: InventoryService,
        params: RunParams,
        on: str,
        ok: str,
        bad: str,
        undo_on: tuple[str, ...] = (),
        undone: str | None = None,
        tries: int = 1,
    ) -> None:
        self.bus, self.service, self.p = bus, service, params
        self.env = bus.env
        self.step = service.step
        self.delay = params["network_delay"]
        self.undo_attempts = 1 + params["compensation_retries"]
        self.undo_delay = params["compensation_delay"]
        self.backoff = params["compensation_backoff"]
        self.on, self.ok, self.bad, self.undone = on, ok, bad, undone
        self.tries = tries
        self.retry_backoff = params["retriable_backoff"]
        self.lock_wait = params["semantic_lock_wait"] if params["semantic_lock"] else None
        self.inbox: deque[Message] = deque()
        self.lock_waiting = False  # a forward step waits for a pending unit (semantic lock)
        self._idle: list[Participant] = []  # itself, while it waits for a message
        self._down: list[Participant] = []  # itself, while it waits for a restart
        self.outbox: list[tuple[str, str]] = []
        self.up = True
        bus.subscribe(on, self)
        for event_type in undo_on:
            bus.subscribe(event_type, self)
        c = params["choreography"]
        self.crash_saga = c["crash_saga"] if c["crash_service"] == self.step else None
        self.crash_armed = c["crash_service"] == self.step
        self.uses_outbox = c["outbox"]

    async def run(self) -> None:
        tracer = self.bus.tracer
        while True:
            message = None
            try:
                inbox = self.inbox
                message = inbox.popleft() if inbox else await self.park_in(self._idle)
                tracer.emit(
                    "message.delivered", message.saga, self.step, self.step, event_type=message.type
                )
                self.bus.delivered(message, self)
                if message.type == self.on:
                    await self.sleep(self.delay)
                    if self.lock_wait is not None and self.service.pending_holder(message.saga):
                        self.lock_waiting = True
                        try:
                            await wait_for_pending(
                                self, self.service, message.saga, self.step, self.lock_wait,
                                self.undo_while_waiting,
                            )  # fmt: skip
                        finally:
                            self.lock_waiting = False
                    if self.tries > 1:
                        await self.retry_forward(message)
                    else:
                        self.handle_forward(message)
                else:
                    await self.handle_undo(message)
                self.bus.release(message.saga)
            except Interrupt:
                if message is not None:
                    self.bus.release(message.saga)  # lost with the crash (or redelivered)
                await self.service_down()

    def deliver(self, message: Message) -> None:
        """Hand it a message: at once (in a callback due now) if it is waiting for one."""
        self.bus.hold(message.saga)
        if self._idle:
            self._idle.pop().wake(message)
        else:
            self.inbox.append(message)
            if self.lock_waiting and message.type != self.on and self in self.service.waiters:
                self.service.waiters.remove(self)
                self.wake("meanwhile")  # compensate now: it may release what the wait is for

    async def undo_while_waiting(self) -> None:
        """While a forward step waits for a pending unit (semantic lock), handle the
        compensations in the inbox: the saga holding that unit may need this very service to
        undo it (one message at a time would wait for itself)."""
        tracer, inbox = self.bus.tracer, self.inbox
        while (message := next((m for m in inbox if m.type != self.on), None)) is not None:
            inbox.remove(message)
            try:
                tracer.emit("message.delivered", message.saga, self.step, self.step,
                            event_type=message.type)  # fmt: skip
                self.bus.delivered(message, self)
                await self.handle_undo(message)
            except Interrupt:
                self.bus.release(message.saga)  # lost with the crash (or redelivered)
                raise
            self.bus.release(message.saga)

    def _ack(self, message: Message) -> None:
        if self.bus.ack_mode and not message.acked:
            message.acked = True
            self.bus.tracer.emit(
                "message.acked", message.saga, self.step, self.step, event_type=message.type
            )

    async def retry_forward(self, message: Message) -> None:
        """A retriable step: try until it succeeds, `tries` in all, waiting longer each time."""
        saga, tracer = message.saga, self.bus.tracer
        for attempt in range(1, self.tries):
            if self.service.book(saga, attempt) == OK:
                self.handle_forward(message, booked=True)
                return
            tracer.emit(
                "step.retried", saga, self.step, self.step, attempt=attempt + 1, reason="failed"
            )
            await self.sleep(self.retry_backoff * 2 ** (attempt - 1))
        self.handle_forward(message, attempt=self.tries)

    def handle_forward(self, message: Message, attempt: int = 1, booked: bool = False) -> None:
        saga = message.saga
        result = OK if booked else self.service.book(saga, attempt)
        result_type = self.ok if result == OK else self.bad
        self._record(result_type, saga)
        if result == OK and self.crash_armed and self.crash_saga in (None, saga):
            self.crash_armed = False
            self.crash("crashed after its local commit, before publishing", inside=True)
            raise Interrupt("crash")
        self._send(result_type, saga)
        self._ack(message)

    def _record(self, event_type: str, saga: str) -> None:
        """With an outbox, the outgoing event is written in the local transaction."""
        if self.uses_outbox:
            self.outbox.append((event_type, saga))
            self.bus.hold(saga)

    def _send(self, event_type: str, saga: str) -> None:
        """After the commit: the outbox relay publishes, or the handler publishes itself."""
        if self.uses_outbox:
            self.relay()
        else:
            self.bus.publish(event_type, saga, self.step)

    async def handle_undo(self, message: Message) -> None:
        """Compensate, retrying with doubling backoff; publish the outcome either way."""
        saga, tracer = message.saga, self.bus.tracer
        attempts = self.undo_attempts
        if not self.service.holds:
            tracer.emit("compensation.skipped", saga, self.step, self.step,
                        reason="it holds nothing: there is nothing to undo")  # fmt: skip
            attempts = 0
        outcome = self.undone
        for attempt in range(1, attempts + 1):
            tracer.emit("compensation.started", saga, self.step, self.step, attempt=attempt)
            await self.sleep(self.undo_delay)
            if self.service.cancel(saga, attempt) == OK:
                outcome = self.undone
                break
            if attempt < attempts:
                await self.sleep(self.backoff * 2 ** (attempt - 1))
            else:
                outcome = f"{self.step}_compensation_failed"
        if outcome:
            self._record(outcome, saga)
            self._send(outcome, saga)
        self._ack(message)

    def relay(self) -> None:
        """Publish what the outbox holds (the relay runs while the service is up)."""
        while self.up and self.outbox:
            event_type, saga = self.outbox.pop(0)
            self.bus.tracer.emit(
                "outbox.relayed", saga, self.step, self.step, event_type=event_type
            )
            self.bus.publish(event_type, saga, self.step)
            self.bus.release(saga)

    # --- crashes ---------------------------------------------------------------------
    def crash(self, reason: str, inside: bool = False) -> None:
        """Go down; `inside` when the participant's own handler is the one crashing."""
        if not self.up:
            raise ValueError(f"the {self.step} service is already down")
        self.up = False
        self.service.up = False
        delay = self.p.get("choreography.restart_after")
        back = {} if delay is None else {"restart_at": round(self.env.now + delay, 6)}
        self.bus.tracer.emit("actor.crashed", None, self.step, self.step, reason=reason, **back)
        if not inside:
            self.interrupt("crash")
        if delay is not None:
            call_after(
                self.env,
                delay,
                lambda: None if self.up else self.restart("restart delay passed"),
            )

    def restart(self, reason: str) -> None:
        if self.up:
            raise ValueError(f"the {self.step} service is running")
        self.up = True
        self.service.up = True
        self.bus.tracer.emit("actor.restarted", None, self.step, self.step, reason=reason)
        self.relay()
        if self._down:
            self._down.pop().wake()

    async def service_down(self) -> None:
        """Wait, holding no message, until the service restarts."""
        if not self.up:
            await self.park_in(self._down)


def wire(env: Environment, bus: EventBus, saga: Saga, services: dict[str, InventoryService],
         params: RunParams) -> dict[str, Participant]:  # fmt: skip
    """The saga's participants, subscribed as the tutorial's three are: each step books on the
    previous step's `<step>_booked` (the first on `booking_started`); a compensatable step
    undoes on the next step's failure and, when that one is compensatable too, on its
    `<step>_compensated` (not on `unheard_failure`'s failure: the tutorial's gap); the last
    compensatable step also undoes on `saga_timed_out`."""
    c = params["choreography"]
    steps = saga.steps
    compensatable = [s.name for s in steps if s.kind == "compensatable"]
    out: dict[str, Participant] = {}
    for i, step in enumerate(steps):
        name = step.name
        on = "booking_started" if i == 0 else f"{steps[i - 1].name}_booked"
        undo_on: tuple[str, ...] = ()
        undone = None
        if step.kind == "compensatable":
            undone = f"{name}_compensated"
            nxt = steps[i + 1] if i + 1 < len(steps) else None
            if nxt is not None and nxt.kind == "compensatable":
                undo_on += (f"{nxt.name}_compensated",)
            if nxt is not None and nxt.name != c["unheard_failure"]:
                undo_on += (f"{nxt.name}_booking_failed",)
            if c["saga_timeout"] is not None and name == compensatable[-1]:
                undo_on += ("saga_timed_out",)
        tries = params["retriable_attempts"] if step.kind == "retriable" else 1
        out[name] = Participant(
            env, bus, services[name], params, on, f"{name}_booked", f"{name}_booking_failed",
            undo_on, undone, tries,
        )  # fmt: skip
    return out

"""Orchestration: a coordinator drives flight -> hotel -> car and undoes on failure."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from random import Random
from typing import TYPE_CHECKING

from asimpy import Environment, Interrupt

from sim.fiber import Fiber
from sim.kernel import call_after, call_at
from sim.model.saga_log import LogEntry, SagaLog
from sim.model.service import OK, InventoryService
from sim.params import RunParams
from sim.schema import STEPS, booking_id

if TYPE_CHECKING:
    from sim.trace.tracer import Tracer


class Worker(Fiber):
    """Runs one saga at a time for the orchestrator; `max_in_flight` of them run at once."""

    def init(self, orch: Orchestrator) -> None:
        self.orch = orch

    async def run(self) -> None:
        orch = self.orch
        while True:
            try:
                if not orch.up:
                    await self.park_in(orch.waiting)
                    continue
                if orch.redo:
                    saga, entry = orch.redo.popleft()
                elif orch.queue:
                    saga, entry = orch.queue.popleft(), None
                else:
                    saga, entry = await self.park_in(orch.idle), None
                await orch.run_saga(self, saga, entry)
            except Interrupt:
                continue  # crashed: whatever this worker knew is gone


class CrashNow(Exception):
    """Raised inside the worker that reached the configured crash point."""


class Orchestrator:
    """The central coordinator (tutorial's SagaOrchestrator), with an optional durable log.

    Invariants: a saga is in `unacked` from the moment a worker takes it until it ends, so
    a restart can start it over (no log) or resume it (log); the log survives crashes,
    nothing else does; an ended saga is forgotten at once. A submitted saga waits in `queue`
    only while no worker is `idle`; workers wait in `waiting` only while it is down.
    """

    def __init__(
        self,
        env: Environment,
        tracer: Tracer,
        services: dict[str, InventoryService],
        params: RunParams,
        forget: Callable[[str], None],
    ) -> None:
        self.env, self.tracer, self.services, self.p = env, tracer, services, params
        self.forget = forget
        self.queue: deque[str] = deque()  # submitted and not yet taken (the request queue)
        self.idle: deque[Worker] = deque()  # workers waiting for a submission, in turn
        self.waiting: list[Worker] = []  # workers waiting for a restart
        self.redo: deque[tuple[str, LogEntry | None]] = deque()
        self.unacked: dict[str, None] = {}
        durable = params.get("orchestrator.durable_log")
        self.log: SagaLog | None = SagaLog(tracer) if durable else None
        self.up = True
        self.workers = [Worker(env, self) for _ in range(params["max_in_flight"])]
        self.crash_point = self._crash_point(params)
        retries = params["retries"]
        self.attempts = {s: 1 + (retries if s in params["retry_steps"] else 0) for s in STEPS}
        self.delay = params["network_delay"]
        self.reply_loss = params["reply_loss_rate"]
        self.idempotent = params["idempotent"]
        self.reverse = params["compensation_order"] == "reverse"
        self.undo_attempts = 1 + params["compensation_retries"]
        self.undo_delay = params["compensation_delay"]
        self.backoff = params["compensation_backoff"]
        crash_at = params.get("orchestrator.crash_at")
        if crash_at is not None:
            call_at(env, crash_at, lambda: self.crash("crash time reached") if self.up else None)

    def _crash_point(self, p: RunParams) -> tuple[str, str, str] | None:
        o = p["orchestrator"]
        if o["crash_random"]:
            rng = Random(p["seed"] * 7919 + 17)
            saga = booking_id(rng.randrange(p["bookings"]))
            return saga, rng.choice(STEPS), rng.choice(("before_request", "after_commit"))
        if o["crash_saga"]:
            return o["crash_saga"], o["crash_step"] or "hotel", o["crash_phase"]
        return None

    def submit(self, saga: str) -> None:
        if self.idle:
            self.idle.popleft().wake(saga)
        else:
            self.queue.append(saga)

    # --- crashes ---------------------------------------------------------------------
    def crash(self, reason: str, by: Worker | None = None) -> None:
        """Lose all memory; the queue and the durable log survive."""
        if not self.up:
            raise ValueError("the orchestrator is already down")
        self.up = False
        delay = self.p.get("orchestrator.restart_after")
        back = {} if delay is None else {"restart_at": round(self.env.now + delay, 6)}
        self.tracer.emit("actor.crashed", None, "orchestrator", reason=reason, **back)
        for worker in self.workers:
            if worker is not by:
                worker.interrupt("crash")
        if delay is not None:
            call_after(
                self.env,
                delay,
                lambda: self.restart("restart delay passed") if not self.up else None,
            )

    def restart(self, reason: str) -> None:
        if self.up:
            raise ValueError("the orchestrator is running")
        self.up = True
        self.tracer.emit("actor.restarted", None, "orchestrator", reason=reason)
        for saga in self.unacked:
            entry = self.log.get(saga) if self.log is not None else None
            self.redo.append((saga, entry))
        waiting, self.waiting = self.waiting, []
        for worker in waiting:
            worker.wake()

    def _maybe_crash(self, saga: str, step: str, phase: str) -> None:
        if self.crash_point == (saga, step, phase):
            self.crash_point = None
            raise CrashNow(f"crash {phase.replace('_', ' ')} of {saga} {step}")

    # --- the saga --------------------------------------------------------------------
    async def run_saga(self, worker: Worker, saga: str, entry: LogEntry | None) -> None:
        tracer = self.tracer
        try:
            if entry is None:
                again = saga in self.unacked
                self.unacked[saga] = None
                tracer.emit(
                    "saga.started",
                    saga,
                    "orchestrator",
                    reason="restarted from scratch" if again else None,
                )
                if self.log is not None:
                    self.log.start(saga)
                done: list[str] = []
                undone: list[str] = []
                phase = "forward"
            else:
                done, undone, phase = list(entry.done), list(entry.undone), entry.phase
                tracer.emit(
                    "log.replayed",
                    saga,
                    "orchestrator",
                    detail=f"{saga}: {phase}, done {done or 'nothing'}"
                    + (f", {entry.pending} requested" if entry.pending else ""),
                )
            if phase == "forward":
                for step in STEPS[len(done) :]:
                    result = await self.forward(worker, saga, step)
                    if result != OK:
                        if result == "no_reply":
                            self._uncertain(saga, step, done)
                        break
                    done.append(step)
                    if self.log is not None:
                        self.log.write(saga, f"{saga} {step} done", done=list(done), pending=None)
                else:
                    self._end(saga, "saga.completed")
                    return
                tracer.emit("saga.compensating", saga, "orchestrator", reason=f"{step} {result}")
                if self.log is not None:
                    self.log.write(
                        saga, f"{saga} compensating", phase="compensating", done=list(done)
                    )
            await self.compensate(worker, saga, done, undone)
        except CrashNow as crash:
            self.crash(str(crash), by=worker)
            raise Interrupt("crash") from None

    def _end(self, saga: str, kind: str, **extra: object) -> None:
        """The saga is over: the request is acknowledged and the log entry closed."""
        self.unacked.pop(saga, None)
        if self.log is not None:
            self.log.end(saga, kind.split(".")[1])
        self.tracer.emit(kind, saga, "orchestrator", **extra)
        self.forget(saga)  # nothing asks a service about an ended saga again

    async def forward(self, worker: Worker, saga: str, step: str) -> str:
        """One forward step with its retries: OK once the orchestrator saw it succeed, else
        the last failure's reason ('no_reply' when the service may have committed)."""
        tracer, service = self.tracer, self.services[step]
        attempts = self.attempts[step]
        for attempt in range(1, attempts + 1):
            if self.crash_point is not None:
                self._maybe_crash(saga, step, "before_request")
            if self.log is not None:
                self.log.write(saga, f"{saga} {step} requested", pending=step)
            tracer.emit("step.started", saga, "orchestrator", step, attempt=attempt)
            await worker.sleep(self.delay)
            result = service.book(saga, attempt)
            if result == OK:
                if self.crash_point is not None:
                    self._maybe_crash(saga, step, "after_commit")
                if self.reply_loss and service.rng.random() < self.reply_loss:
                    tracer.emit("step.reply_lost", saga, "orchestrator", step, attempt=attempt)
                    result = "no_reply"
                else:
                    if step == "hotel":
                        self.services["flight"].link_itinerary(saga, saga)
                    return OK
            if attempt < attempts:
                tracer.emit(
                    "step.retried", saga, "orchestrator", step, attempt=attempt + 1, reason=result
                )
        return result

    def _uncertain(self, saga: str, step: str, done: list[str]) -> None:
        """A step whose reply was lost may have committed: undo it only if that is safe."""
        if self.idempotent:
            done.append(step)  # cancelling what may not exist is safe when idempotent
        else:
            self.tracer.emit(
                "compensation.skipped",
                saga,
                "orchestrator",
                step,
                reason="its reply was lost: the orchestrator thinks it failed",
            )

    async def compensate(
        self, worker: Worker, saga: str, done: list[str], undone: list[str]
    ) -> None:
        order = list(reversed(done)) if self.reverse else list(done)
        flagged = []
        for step in order:
            if step in undone:
                continue
            if await self.undo(worker, saga, step):
                undone.append(step)
                if self.log is not None:
                    self.log.write(saga, f"{saga} {step} compensated", undone=list(undone))
            else:
                flagged.append(step)
        if flagged:
            self._end(
                saga, "saga.flagged", reason=f"compensation of {', '.join(flagged)} kept failing"
            )
        else:
            self._end(saga, "saga.compensated")

    async def undo(self, worker: Worker, saga: str, step: str) -> bool:
        tracer, service = self.tracer, self.services[step]
        attempts = self.undo_attempts
        for attempt in range(1, attempts + 1):
            tracer.emit("compensation.started", saga, "orchestrator", step, attempt=attempt)
            await worker.sleep(self.undo_delay)
            target = saga
            if step == "hotel":
                # the reservation is found through the flight booking's itinerary; idempotent
                # services are keyed by booking id, so they can also be asked directly
                target = self.services["flight"].itinerary(saga) or (
                    saga if self.idempotent else None
                )
            if service.cancel(target, attempt, for_saga=saga) == OK:
                return True
            if attempt < attempts:
                await worker.sleep(self.backoff * 2 ** (attempt - 1))
        return False

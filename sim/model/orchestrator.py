"""Orchestration: a coordinator drives the saga's steps in order and undoes on failure."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from random import Random
from typing import TYPE_CHECKING

from asimpy import Environment, Interrupt

from sim.fiber import Fiber
from sim.kernel import call_after, call_at
from sim.model.saga_log import LogEntry, SagaLog
from sim.model.semantic_lock import wait_for_pending
from sim.model.service import OK, InventoryService
from sim.params import RunParams
from sim.saga import Saga
from sim.schema import booking_id

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

    The saga's kinds decide what a failure does: a compensatable or pivot step's failure
    undoes the compensatable steps done before it; a retriable step (after the pivot) is
    tried until it succeeds, with doubling backoff, and the saga is flagged past
    `retriable_attempts`; a pivot's lost reply is asked again when the service is idempotent
    (a pivot is never undone), up to `retriable_attempts` tries, then the saga is flagged.
    Invariants: a saga is in `unacked` from the moment a worker
    takes it until it ends, so a restart can start it over (no log) or resume it (log); the
    log survives crashes,
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
        self.saga: Saga = params.saga
        self.steps = self.saga.names
        self.kinds = {s.name: s.kind for s in self.saga.steps}
        self.via = reached_through(self.saga)
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
        self.attempts = {
            s: params["retriable_attempts"]
            if self.kinds[s] == "retriable"
            else 1 + (retries if s in params["retry_steps"] else 0)
            for s in self.steps
        }
        self.retry_backoff = params["retriable_backoff"]
        self.ask_limit = params["retriable_attempts"]
        self.lock_wait = params["semantic_lock_wait"] if params["semantic_lock"] else None
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
            return saga, rng.choice(self.steps), rng.choice(("before_request", "after_commit"))
        if o["crash_saga"]:
            return (
                o["crash_saga"],
                o["crash_step"] or default_crash_step(self.saga),
                o["crash_phase"],
            )
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
                for step in self.steps[len(done) :]:
                    result = await self.forward(worker, saga, step)
                    if result != OK:
                        if self.kinds[step] == "retriable":
                            tries = self.attempts[step]
                            self._end(saga, "saga.flagged", reason=f"{step} kept failing after "
                                      f"{tries} tr{'y' if tries == 1 else 'ies'}")  # fmt: skip
                            return
                        if result == "no_reply":
                            if self.idempotent and self.kinds[step] == "pivot":
                                why = f"{step} never replied: it may have committed"
                                self._end(saga, "saga.flagged", reason=why)
                                return
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
        kind = self.kinds[step]
        attempt = 0
        while attempt < attempts:
            attempt += 1
            if self.crash_point is not None:
                self._maybe_crash(saga, step, "before_request")
            if self.log is not None:
                self.log.write(saga, f"{saga} {step} requested", pending=step)
            tracer.emit("step.started", saga, "orchestrator", step, attempt=attempt)
            await worker.sleep(self.delay)
            if self.lock_wait is not None and service.pending_holder(saga) is not None:
                await wait_for_pending(worker, service, saga, "orchestrator", self.lock_wait)
            result = service.book(saga, attempt)
            if result == OK:
                if self.crash_point is not None:
                    self._maybe_crash(saga, step, "after_commit")
                if self.reply_loss and service.rng.random() < self.reply_loss:
                    tracer.emit("step.reply_lost", saga, "orchestrator", step, attempt=attempt)
                    result = "no_reply"
                else:
                    if step in self.via:
                        self.services[self.via[step]].link_itinerary(saga, saga)
                    return OK
                if kind == "pivot" and self.idempotent and attempt == attempts < self.ask_limit:
                    attempts += 1  # the pivot may have committed: ask the idempotent service again
            if attempt < attempts:
                tracer.emit(
                    "step.retried", saga, "orchestrator", step, attempt=attempt + 1, reason=result
                )
                if kind == "retriable" and self.retry_backoff:
                    await worker.sleep(self.retry_backoff * 2 ** (attempt - 1))
        return result

    def _uncertain(self, saga: str, step: str, done: list[str]) -> None:
        """A step whose reply was lost may have committed: undo it only if that is safe (never
        a pivot: one whose reply never came after every try stays as it is)."""
        if self.idempotent and self.kinds[step] == "compensatable":
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
            if not self.services[step].holds:
                self.tracer.emit("compensation.skipped", saga, "orchestrator", step,
                                 reason="it holds nothing: there is nothing to undo")  # fmt: skip
                undone.append(step)
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
            if step in self.via:
                # the reservation is found through the previous step's booking (its itinerary);
                # idempotent services are keyed by booking id, so they can be asked directly
                target = self.services[self.via[step]].itinerary(saga) or (
                    saga if self.idempotent else None
                )
            if service.cancel(target, attempt, for_saga=saga) == OK:
                return True
            if attempt < attempts:
                await worker.sleep(self.backoff * 2 ** (attempt - 1))
        return False


def reached_through(saga: Saga) -> dict[str, str]:
    """Step -> the step through whose booking its reservation is found: each compensatable step
    holding units is linked to the one before it when that one holds units and is compensatable
    too (in the tutorial, the hotel reservation is on the flight booking's itinerary), so
    undoing them in forward order cannot find it."""
    steps = saga.steps
    return {
        b.name: a.name
        for a, b in zip(steps, steps[1:], strict=False)
        if a.kind == b.kind == "compensatable" and a.holds and b.holds
    }


def default_crash_step(saga: Saga) -> str:
    """Where a crash set for a saga without a step falls: the last compensatable step (the
    tutorial's hotel), else the first."""
    compensatable = [s.name for s in saga.steps if s.kind == "compensatable"]
    return compensatable[-1] if compensatable else saga.names[0]

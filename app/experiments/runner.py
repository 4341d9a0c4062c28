"""Runs batch experiments one after another in a background task, streaming progress."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from app.experiments.store import ExperimentStore
from sim.batch.plan import ExperimentPlan
from sim.batch.pool import Progress, run_experiment

EMIT_EVERY = 0.25  # seconds between progress messages
SAVE_EVERY = 2.0  # seconds between progress writes when no point finished


def room(exp_id: str) -> str:
    return f"experiment:{exp_id}"


@dataclass
class Job:
    id: str
    token: str
    plan: ExperimentPlan
    client: str = "local"
    ending: bool = False
    cancel: threading.Event = field(default_factory=threading.Event)
    status: str = "queued"
    points: list[dict[str, Any]] = field(default_factory=list)
    progress: dict[str, Any] = field(default_factory=dict)


class QueueFull(Exception):
    """The experiment queue, or this client's share of it, is full; the message says which."""


class ExperimentManager:
    """A queue of experiments; each one gets every worker while it runs.

    Jobs and their fields are changed only under `_lock` (the queue's condition shares it);
    store writes and emits happen outside it, from copies.
    """

    def __init__(self, store: ExperimentStore, socketio: Any, config: Any) -> None:
        self.store, self.socketio = store, socketio
        self.workers, self.run_fn = config["EXPERIMENT_WORKERS"], config["EXPERIMENT_RUN_FN"]
        self.max_queued = int(config["EXPERIMENT_MAX_QUEUED"])
        self.max_per_client = int(config["EXPERIMENT_MAX_QUEUED_PER_CLIENT"])
        self._queue: deque[Job] = deque()
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._started = False

    def submit(self, plan: ExperimentPlan, client: str = "local") -> Job:
        """Queue an experiment; QueueFull when the queue or the client's share is full."""
        job = Job(uuid.uuid4().hex[:12], secrets.token_urlsafe(16), plan, client)
        job.progress = Progress(plan.total_runs, len(plan.points)).to_dict()
        with self._wake:
            self._check_room(client)
            self.store.create(job.id, plan.spec, job.progress)
            self._jobs[job.id] = job
            self._queue.append(job)
            if not self._started:
                self._started = True
                self.socketio.start_background_task(self._loop)
            self._wake.notify()
        return job

    def _check_room(self, client: str) -> None:
        """Under the lock: unfinished experiments, in all and of this client, under the caps."""
        if len(self._jobs) >= self.max_queued:
            raise QueueFull(
                f"{self.max_queued} experiments are queued or running (the limit); try later"
            )
        if sum(job.client == client for job in self._jobs.values()) >= self.max_per_client:
            raise QueueFull(
                f"you have {self.max_per_client} experiments queued or running "
                "(the limit per client); cancel one or wait for one to finish"
            )

    def cancel(self, exp_id: str, token: Any) -> tuple[int, str] | None:
        """Cancel a queued or running experiment; returns (HTTP status, error) or None."""
        with self._lock:
            job = self._jobs.get(exp_id)
            if job is None:
                return 409, "the experiment is not queued or running"
            if not isinstance(token, str) or not hmac.compare_digest(token, job.token):
                return 403, "wrong control token: only the experiment's starter can cancel it"
            job.cancel.set()
            queued = job in self._queue
            if queued:
                self._queue.remove(job)
        if queued:
            self._finish(job, "cancelled")
        return None

    def shutdown(self) -> None:
        """Server exit: queued experiments are cancelled, the running one is stored as
        interrupted with the points done so far (its workers stop with the server)."""
        with self._lock:
            queued = list(self._queue)
            self._queue.clear()
            running = [job for job in self._jobs.values() if job not in queued]
            for job in self._jobs.values():
                job.cancel.set()
        for job in queued:
            self._finish(job, "cancelled")
        for job in running:
            self._finish(job, "interrupted", error="the server stopped during the experiment")

    def snapshot(self, exp_id: str) -> dict[str, Any] | None:
        """The experiment as the API shows it: live state if running, else the stored one."""
        stored = self.store.get(exp_id)
        with self._lock:
            job = self._jobs.get(exp_id)
            if stored and job:
                stored.update(status=job.status, progress=job.progress, points=list(job.points))
        return stored

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._queue:
                    self._wake.wait()
                job = self._queue.popleft()
                job.status = "running"
            self._run(job)

    def _run(self, job: Job) -> None:
        self._emit_status(job)
        clock = {"emit": 0.0, "save": time.monotonic()}

        def on_point(point: dict[str, Any]) -> None:
            with self._lock:
                job.points.append(point)
                points, progress = list(job.points), job.progress
            self.socketio.emit("experiment_point", {"id": job.id, "point": point}, to=room(job.id))
            self.store.update(job.id, "running", progress, points)
            clock["save"] = time.monotonic()

        def on_progress(progress: dict[str, Any]) -> None:
            with self._lock:
                job.progress = progress
            now = time.monotonic()
            if now - clock["emit"] >= EMIT_EVERY:
                clock["emit"] = now
                self._emit_status(job)
            if now - clock["save"] >= SAVE_EVERY:
                clock["save"] = now
                self.store.update(job.id, "running", progress)

        try:
            outcome = run_experiment(
                job.plan, workers=self.workers, run_fn=self.run_fn, on_point=on_point,
                on_progress=on_progress, cancel=job.cancel,
            )  # fmt: skip
        except Exception as exc:  # a failing run must not kill the queue
            self._finish(job, "failed", error=f"{type(exc).__name__}: {exc}")
            return
        with self._lock:
            job.points, job.progress = outcome.points, outcome.progress
        self._finish(job, outcome.status)

    def _finish(self, job: Job, status: str, error: str | None = None) -> None:
        """Store the outcome, forget the job, then tell the room (readers then see the store).

        In that order: a page that hears the outcome asks for the experiment at once, and
        must not be answered "running" by a job or a row not yet ended (it then showed
        "running" for good). Only the first outcome counts (shutdown may end a job its worker
        thread ends later). The live job keeps its status until then: a snapshot taken between
        would lay an ended status over a row without the outcome's error yet."""
        with self._lock:
            if job.ending:
                return
            job.ending = True
            progress, points = job.progress, list(job.points)
        self.store.update(job.id, status, progress, points, error)
        with self._lock:
            self._jobs.pop(job.id, None)
        self._emit_status(job, error, status)

    def _emit_status(self, job: Job, error: str | None = None, status: str | None = None) -> None:
        with self._lock:
            message = {
                "id": job.id,
                "status": status or job.status,
                "progress": job.progress,
                "error": error,
            }
        self.socketio.emit("experiment_status", message, to=room(job.id))

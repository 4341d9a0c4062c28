"""The run manager: starts live runs, finds them, enforces the concurrency limit."""

from __future__ import annotations

import contextlib
import secrets
import threading
from typing import TYPE_CHECKING, Any, Protocol

import flask
from flask_socketio import SocketIO

from app.access import digest, same
from app.runs.breakpoints import kinds
from app.runs.controlled import ControlledRun
from app.runs.live import LiveRun, RunSetup
from app.runs.queue import QueueHealth
from app.runs.quota import Quota
from app.runs.request import StartRequest
from app.runs.slots import GIVEN_UP, BusyError, check_client, slot_to_free
from app.store import Store

__all__ = ["BusyError", "RunManager", "StartHook"]
GIVE_UP_TRIES = 3  # runs a start may stop to free a slot (each try re-reads the runs)

if TYPE_CHECKING:
    from app.runs.cluster import Cluster


class StartHook(Protocol):
    """Sees every start: `admit` may refuse it (RequestError), `started` runs before it runs."""

    def admit(self, request: StartRequest) -> None: ...

    def started(self, run: ControlledRun, request: StartRequest) -> None: ...


class RunManager:
    """Owns the live runs of one app; finished runs live on in the store only."""

    def __init__(
        self,
        store: Store,
        config: dict[str, Any],
        socketio: SocketIO,
        health: QueueHealth | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.socketio = socketio
        self.quota = Quota(store, int(config["STORE_MAX_MB"]))
        self.health = health  # the message queue's, when processes share one
        self._runs: dict[str, ControlledRun] = {}
        self._lock = threading.Lock()
        self.cluster: Cluster | None = None  # set when processes share a message queue
        self.hooks: list[StartHook] = []
        self._setup = RunSetup(store, self.quota, config, socketio, self._ended, health)

    def start(self, request: StartRequest, client: str | None = None) -> ControlledRun:
        """Create, store and start a run; raise BusyError when no live slot may be had (the
        rule of app/runs/slots.py) or the store is full, QueueDown while Redis is away.

        client: who asks (default: the current request's address), for the per-client limit.
        """
        client = client or (flask.request.remote_addr if flask.has_request_context() else None)
        client = client or "local"
        for hook in self.hooks:
            hook.admit(request)
        if request.classroom:  # a presenter's run counts for the class, not an address
            client = "class:" + request.classroom["code"].upper()
        full = self.quota.refuses_start()
        if full:
            raise BusyError({"store": full})
        if self.health is not None:
            self.health.check()
        run = self._create(request, client)
        for hook in self.hooks:
            hook.started(run, request)
        run.start()
        return run

    def _create(self, request: StartRequest, client: str) -> ControlledRun:
        """A new run in a live slot, after stopping the run that gives its slot up if the
        server is full."""
        per_client = int(self.config["MAX_LIVE_RUNS_PER_CLIENT"])
        limit = int(self.config["MAX_LIVE_RUNS"])
        for _ in range(GIVE_UP_TRIES):
            with self._lock:
                check_client(self._runs.values(), client, per_client)
                giving_up = slot_to_free(self._runs.values(), client, limit)
                if giving_up is None:
                    return self._new_run(request, client)
            with contextlib.suppress(ValueError):  # it ended meanwhile: its slot is free too
                giving_up.stop(GIVEN_UP)  # outside our lock: its end takes it (_ended)
        raise BusyError({"runs": "the server is full; try again in a moment"}).retry(5)

    def _new_run(self, request: StartRequest, client: str) -> ControlledRun:
        """Under the lock: store and register a run (claimed first with several processes)."""
        run_id, token = secrets.token_hex(6), secrets.token_urlsafe(18)
        if self.cluster:  # claimed before other processes can see it in the store
            self.cluster.claim(run_id)
        self.store.create_run(
            run_id,
            request.preset,
            request.params.to_dict(),
            request.speed,
            "pending",
            digest(token),
        )
        run = ControlledRun(
            run_id, token, client, request.params, request.speed, request.start_paused, self._setup
        )
        run.pending.triggers = kinds(request.breakpoints)
        self._runs[run_id] = run
        return run

    def get(self, run_id: str) -> ControlledRun | None:
        with self._lock:
            return self._runs.get(run_id)

    def live_runs(self) -> dict[str, ControlledRun]:
        """The live runs by id, as of now."""
        with self._lock:
            return dict(self._runs)

    def run_ids(self) -> list[str]:
        with self._lock:
            return list(self._runs)

    def live_count(self) -> int:
        with self._lock:
            return len(self._runs)

    def check_token(self, run: ControlledRun, token: Any) -> bool:
        return isinstance(token, str) and same(token, run.token)

    def _ended(self, run: LiveRun) -> None:
        with self._lock:
            self._runs.pop(run.id, None)
        if self.cluster:
            self.cluster.release(run.id)

    def shutdown(self, reason: str = "the server stopped during the run") -> None:
        """Mark every live run interrupted (their tasks then stop)."""
        with self._lock:
            runs = list(self._runs.values())
            self._runs.clear()
        for run in runs:
            run.interrupt(reason)
            if self.cluster:
                self.cluster.release(run.id)

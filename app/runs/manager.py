"""The run manager: starts live runs, finds them, enforces the concurrency limit."""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING, Any, Protocol

import flask
from flask_socketio import SocketIO

from app.access import digest, same
from app.runs.breakpoints import kinds
from app.runs.controlled import ControlledRun
from app.runs.live import LiveRun
from app.runs.request import RequestError, StartRequest
from app.store import Store

if TYPE_CHECKING:
    from app.runs.cluster import Cluster


class BusyError(RequestError):
    """The server already has as many live runs as it allows (or no room to store them)."""

    status = 429


class StartHook(Protocol):
    """Sees every start: `admit` may refuse it (RequestError), `started` runs before it runs."""

    def admit(self, request: StartRequest) -> None: ...

    def started(self, run: ControlledRun, request: StartRequest) -> None: ...


class RunManager:
    """Owns the live runs of one app; finished runs live on in the store only."""

    def __init__(self, store: Store, config: dict[str, Any], socketio: SocketIO) -> None:
        self.store = store
        self.config = config
        self.socketio = socketio
        self._runs: dict[str, ControlledRun] = {}
        self._lock = threading.Lock()
        self.cluster: Cluster | None = None  # set when processes share a message queue
        self.hooks: list[StartHook] = []

    def start(self, request: StartRequest, client: str | None = None) -> ControlledRun:
        """Create, store and start a run; raise BusyError at a live-run limit or a full store.

        client: who asks (default: the current request's address), for the per-client limit.
        """
        client = client or (flask.request.remote_addr if flask.has_request_context() else None)
        client = client or "local"
        for hook in self.hooks:
            hook.admit(request)
        full = self.store.over_quota(int(self.config["STORE_MAX_MB"]))
        if full:
            raise BusyError({"store": full})
        with self._lock:
            self._check_share(client)
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
                run_id,
                token,
                client,
                request.params,
                request.speed,
                request.start_paused,
                self.store,
                self.config,
                self._ended,
                self.socketio,
            )
            run.triggers = kinds(request.breakpoints)
            self._runs[run_id] = run
        for hook in self.hooks:
            hook.started(run, request)
        run.start()
        return run

    def _check_share(self, client: str) -> None:
        """Under the lock: the server's and this client's live-run limits."""
        limit = int(self.config["MAX_LIVE_RUNS"])
        if len(self._runs) >= limit:
            raise BusyError(
                {
                    "runs": f"{limit} runs are live on this server already "
                    "(the limit); stop one or wait for one to finish"
                }
            )
        mine = int(self.config["MAX_LIVE_RUNS_PER_CLIENT"])
        if sum(run.client == client for run in self._runs.values()) >= mine:
            raise BusyError(
                {
                    "runs": f"you have {mine} live runs already (the limit per client); "
                    "stop one or wait for one to finish"
                }
            )

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

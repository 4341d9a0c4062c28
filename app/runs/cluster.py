"""Several server processes sharing one Redis (config MESSAGE_QUEUE): who runs which run.

Flask-SocketIO's message queue carries every emit to the viewers of every process. This
adds the two things it does not know: which process executes a run (a Redis key per run,
refreshed while it lives, gone within OWNER_TTL seconds of that process dying; and one per
process, for the classes' devices: app/classes/hub.py), and a way to ask that process to
attach a viewer connected elsewhere, to apply a control, or to do what a class needs of
its run (`call` and `tell` with an op of `handlers`). The owner
then sends the catch-up, the room entry and the live batches through the queue in one
order, so a viewer on another process sees no gap and no repeat. The owner tracks every
viewer's pace the same way (its `run_sync` probes and their acks cross the queue); the
process a viewer is connected to tells the owner when it leaves or disconnects.

When Redis goes away (app/runs/queue.py), requests that need it answer QueueDown (503 with
Retry-After, or an error ack); runs go on and store their events, viewers connected to the
run's own process keep receiving them, and once Redis is back (and the grace has passed)
each run resends to viewers on other processes what they missed, from their last seq.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from flask_socketio import SocketIO

from app.runs.controls import ControlError, apply_control
from app.runs.queue import QueueHealth, backoff

log = logging.getLogger(__name__)

CHANNEL = "sagalab:runs"
OWNER = "sagalab:owner:{}"
PROCESS = "sagalab:process:{}"  # a live process's key (who holds class connections)
OWNER_TTL = 6  # seconds an owner key outlives its last refresh
REFRESH = 2.0
WATCH_EVERY = 0.25  # seconds between looks at the queue's health
REPLY_WAIT = 10  # seconds a control waits for the owner's answer

#: what a process does with a request for a run it executes: an answer, or None (no reply)
Handler = Callable[[Any, dict[str, Any]], "dict[str, Any] | None"]


class Cluster:
    """This process's view of the others: claims its runs, forwards joins and controls."""

    def __init__(self, url: str, socketio: SocketIO, manager: Any, health: QueueHealth) -> None:
        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.host = secrets.token_hex(6)
        self.socketio = socketio
        self.manager = manager
        self.health = health
        self._lock = threading.Lock()
        self._forwarded: dict[str, set[str]] = {}  # sid -> runs it joined through another process
        self.handlers: dict[str, Handler] = {"control": self._control}

    def start(self) -> None:
        try:
            self.redis.set(PROCESS.format(self.host), 1, ex=OWNER_TTL)
        except redis.RedisError as exc:
            self.health.down("commands", exc)
        self.socketio.start_background_task(self._listen)
        self.socketio.start_background_task(self._watch)

    def _command(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """A Redis command; QueueDown (503) when Redis is not there."""
        self.health.check()
        try:
            return getattr(self.redis, name)(*args, **kwargs)
        except redis.RedisError as exc:
            self.health.down("commands", exc)
            self.health.check()
            raise  # pragma: no cover (check raised)

    # ----- ownership ---------------------------------------------------------------------

    def claim(self, run_id: str) -> None:
        self._command("set", OWNER.format(run_id), self.host, ex=OWNER_TTL)

    def release(self, run_id: str) -> None:
        """The run ended here (its key also expires by itself within OWNER_TTL)."""
        try:
            self.redis.delete(OWNER.format(run_id))
        except redis.RedisError as exc:
            self.health.down("commands", exc)

    def owner(self, run_id: str) -> str | None:
        """The process executing run_id, or None if no live process is; QueueDown while
        Redis is away or has just come back (its owners may not have claimed their runs yet)."""
        return self._command("get", OWNER.format(run_id))

    def alive(self, host: str) -> bool:
        """Whether the process `host` is running (its key is refreshed with its runs'); a
        process that cannot tell (Redis away) says yes."""
        if host == self.host:
            return True
        try:
            return bool(self.redis.exists(PROCESS.format(host)))
        except redis.RedisError as exc:
            self.health.down("commands", exc)
            return True

    def orphaned(self, run_id: str) -> None:
        """run_id's process died (its key expired): mark the run interrupted in the store."""
        self.manager.store.mark_interrupted(
            elsewhere=lambda other: other != run_id,
            reason="the server process running it stopped",
        )

    def _watch(self) -> None:
        """Refresh this process's claims; notice Redis coming back; then tell the runs."""
        refreshed, available = 0.0, True
        while True:
            if not self.health.is_up():
                self._ping()
            now = time.monotonic()
            if self.health.is_up() and (not available or now - refreshed >= REFRESH):
                refreshed = now if self._refresh() else refreshed
            if not available and self.health.available():
                for run in self.manager.live_runs().values():
                    self.socketio.start_background_task(run.resend_to_other_processes)
            available = self.health.available()
            self.socketio.sleep(WATCH_EVERY)

    def _ping(self) -> None:
        try:
            self.redis.ping()
        except redis.RedisError:
            return
        self.health.up("commands")
        self.health.up("publisher")  # it reconnects on its next publish

    def _refresh(self) -> bool:
        try:
            self.redis.set(PROCESS.format(self.host), 1, ex=OWNER_TTL)
            for run_id in self.manager.run_ids():
                self.redis.set(OWNER.format(run_id), self.host, ex=OWNER_TTL)
            self._report_gone()
        except redis.RedisError as exc:
            self.health.down("commands", exc)
            return False
        return True

    def _report_gone(self) -> None:
        """Viewers of other processes' runs that have disconnected from this one: their
        owners stop waiting for them."""
        manager = self.socketio.server.manager
        with self._lock:
            gone = [sid for sid in self._forwarded if not manager.is_connected(sid, "/")]
            runs = {sid: self._forwarded.pop(sid) for sid in gone}
        for sid, run_ids in runs.items():
            for run_id in run_ids:
                self.redis.publish(
                    CHANNEL, json.dumps({"op": "detach", "run_id": run_id, "sid": sid})
                )

    # ----- requests to the owner ---------------------------------------------------------

    def attach(self, run_id: str, sid: str, first: int) -> None:
        """Ask the run's owner to send sid the events from `first` on, then the live stream."""
        with self._lock:
            self._forwarded.setdefault(sid, set()).add(run_id)
        self._publish({"op": "attach", "run_id": run_id, "sid": sid, "first": first})

    def detach(self, run_id: str, sid: str) -> None:
        """sid (connected here) leaves run_id, which another process executes."""
        with self._lock:
            self._forwarded.get(sid, set()).discard(run_id)
        self._publish({"op": "detach", "run_id": run_id, "sid": sid})

    def control(self, run_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Apply a control where the run executes; its answer as the ack."""
        return self.call(run_id, "control", data)

    def call(self, run_id: str, op: str, data: dict[str, Any]) -> dict[str, Any]:
        """Have the process executing run_id do `op` (a handler of `handlers` there); its
        answer, or {"ok": False, "error"} if it did not answer in REPLY_WAIT seconds."""
        reply = f"sagalab:reply:{secrets.token_hex(8)}"
        self._publish({"op": op, "run_id": run_id, "data": data, "reply": reply})
        answer = self._command("blpop", [reply], timeout=REPLY_WAIT)
        if answer is None:
            return {"ok": False, "error": "the server process running this run did not answer"}
        return json.loads(answer[1])

    def tell(self, run_id: str, op: str, data: dict[str, Any]) -> None:
        """Have the process executing run_id do `op`, without waiting for it."""
        self._publish({"op": op, "run_id": run_id, "data": data})

    def _publish(self, message: dict[str, Any]) -> None:
        self._command("publish", CHANNEL, json.dumps(message))

    def _listen(self) -> None:
        """Handle requests from other processes, reconnecting after Redis goes away."""
        delays = backoff()
        while True:
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                self.health.up("cluster listener")
                delays = backoff()
                for raw in pubsub.listen():
                    self._dispatch(raw)
            except redis.RedisError as exc:
                self.health.down("cluster listener", exc)
                self.socketio.sleep(next(delays))

    def _dispatch(self, raw: Any) -> None:
        try:
            message = json.loads(raw["data"])
            run = self.manager.get(message["run_id"])
            if run is not None:  # this process executes it
                self.socketio.start_background_task(self._handle, run, message)
        except Exception:  # one bad message must not stop the listener
            log.exception("could not handle %r", raw)

    def _handle(self, run: Any, message: dict[str, Any]) -> None:
        if message["op"] == "attach":
            run.attach(message["sid"], int(message["first"]), remote=True)
        elif message["op"] == "detach":
            run.detach(message["sid"])
        elif message["op"] in self.handlers:
            answer = self.handlers[message["op"]](run, message["data"])
            if "reply" not in message:
                return
            try:
                self.redis.rpush(message["reply"], json.dumps(answer))
                self.redis.expire(message["reply"], REPLY_WAIT * 2)
            except redis.RedisError as exc:  # the asking process answers "did not answer"
                self.health.down("commands", exc)

    def _control(self, _run: Any, data: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"ok": True, **apply_control(self.manager, data)}
        except ControlError as exc:
            return {"ok": False, "error": str(exc)}

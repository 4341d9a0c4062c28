"""Several server processes sharing one Redis (config MESSAGE_QUEUE): who runs which run.

Flask-SocketIO's message queue carries every emit to the viewers of every process. This
adds the two things it does not know: which process executes a run (a Redis key per run,
refreshed while it lives, gone within OWNER_TTL seconds of that process dying), and a way to
ask that process to attach a viewer connected elsewhere or to apply a control. The owner
then sends the catch-up, the room entry and the live batches through the queue in one
order, so a viewer on another process sees no gap and no repeat. The owner tracks every
viewer's pace the same way (its `run_sync` probes and their acks cross the queue); the
process a viewer is connected to tells the owner when it leaves or disconnects.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from typing import Any

import redis
from flask_socketio import SocketIO

from app.runs.controls import ControlError, apply_control

log = logging.getLogger(__name__)

CHANNEL = "sagalab:runs"
OWNER = "sagalab:owner:{}"
OWNER_TTL = 6  # seconds an owner key outlives its last refresh
REFRESH = 2.0
REPLY_WAIT = 10  # seconds a control waits for the owner's answer


class Cluster:
    """This process's view of the others: claims its runs, forwards joins and controls."""

    def __init__(self, url: str, socketio: SocketIO, manager: Any) -> None:
        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.host = secrets.token_hex(6)
        self.socketio = socketio
        self.manager = manager
        self._lock = threading.Lock()
        self._forwarded: dict[str, set[str]] = {}  # sid -> runs it joined through another process

    def start(self) -> None:
        self.socketio.start_background_task(self._listen)
        self.socketio.start_background_task(self._refresh)

    # ----- ownership ---------------------------------------------------------------------

    def claim(self, run_id: str) -> None:
        self.redis.set(OWNER.format(run_id), self.host, ex=OWNER_TTL)

    def release(self, run_id: str) -> None:
        self.redis.delete(OWNER.format(run_id))

    def owner(self, run_id: str) -> str | None:
        """The process executing run_id, or None if no live process is."""
        return self.redis.get(OWNER.format(run_id))

    def orphaned(self, run_id: str) -> None:
        """run_id's process died (its key expired): mark the run interrupted in the store."""
        self.manager.store.mark_interrupted(
            elsewhere=lambda other: other != run_id,
            reason="the server process running it stopped",
        )

    def _refresh(self) -> None:
        while True:
            try:
                for run_id in self.manager.run_ids():
                    self.redis.set(OWNER.format(run_id), self.host, ex=OWNER_TTL)
                self._report_gone()
            except redis.RedisError:
                log.exception("could not refresh this process's runs in Redis")
            self.socketio.sleep(REFRESH)

    def _report_gone(self) -> None:
        """Viewers of other processes' runs that have disconnected from this one: their
        owners stop waiting for them."""
        manager = self.socketio.server.manager
        with self._lock:
            gone = [sid for sid in self._forwarded if not manager.is_connected(sid, "/")]
            runs = {sid: self._forwarded.pop(sid) for sid in gone}
        for sid, run_ids in runs.items():
            for run_id in run_ids:
                self._publish({"op": "detach", "run_id": run_id, "sid": sid})

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
        reply = f"sagalab:reply:{secrets.token_hex(8)}"
        self._publish({"op": "control", "run_id": run_id, "data": data, "reply": reply})
        answer = self.redis.blpop([reply], timeout=REPLY_WAIT)
        if answer is None:
            return {"ok": False, "error": "the server process running this run did not answer"}
        return json.loads(answer[1])

    def _publish(self, message: dict[str, Any]) -> None:
        self.redis.publish(CHANNEL, json.dumps(message))

    def _listen(self) -> None:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL)
        for raw in pubsub.listen():
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
        elif message["op"] == "control":
            try:
                answer = {"ok": True, **apply_control(self.manager, message["data"])}
            except ControlError as exc:
                answer = {"ok": False, "error": str(exc)}
            self.redis.rpush(message["reply"], json.dumps(answer))
            self.redis.expire(message["reply"], REPLY_WAIT * 2)

"""Socket.IO handlers: start_run, join_run, leave_run, control_run; anything else is refused."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import current_app, request, session
from flask_socketio import SocketIO, emit, leave_room

from app.extensions import socketio_of
from app.inputs import MAX_INDEX
from app.runs.controls import ControlError, apply_control
from app.runs.fanout import room
from app.runs.info import run_info
from app.runs.manager import RunManager
from app.runs.packets import MALFORMED
from app.runs.queue import QueueDown
from app.runs.replay import Dropped, send_stored
from app.runs.request import RequestError, parse_start
from app.sagas import find_saga
from app.store import LIVE_STATES
from sim.params import MAX_DEPTH, depth

log = logging.getLogger(__name__)
Ack = dict[str, Any]


def _manager() -> RunManager:
    return current_app.extensions["sagalab.runs"]


def _too_big(data: Any) -> str | None:
    """A message larger than MAX_MESSAGE_BYTES, or nested deeper than MAX_DEPTH, gets a clear
    error instead of being handled."""
    if depth(data) > MAX_DEPTH:
        return f"the message nests lists or objects more than {MAX_DEPTH} levels deep"
    limit = int(current_app.config["MAX_MESSAGE_BYTES"])
    size = len(json.dumps(data, separators=(",", ":")).encode())
    return f"message of {size:,} bytes is over the limit of {limit:,}" if size > limit else None


def after_ack(fn: Callable[..., None], *args: Any) -> None:
    """Run fn once the handler's ack has been sent, so clients see the ack before the events.

    python-socketio sends the ack from the handler's own thread right after the handler
    returns, so waiting for that thread to end is enough. Without async handlers (Flask-
    SocketIO's test client) there is no such thread and fn runs at once.
    """
    socketio = socketio_of()
    if not socketio.server.async_handlers:
        fn(*args)
        return
    handler = threading.current_thread()

    def later() -> None:
        handler.join(timeout=10)
        fn(*args)

    socketio.start_background_task(later)


def start_run(data: Any = None) -> Ack:
    problem = _too_big(data)
    if problem:
        return {"ok": False, "errors": {"body": problem}}
    try:
        run = _manager().start(parse_start(data, current_app.config, find_saga()))
    except RequestError as exc:
        return refusal(exc)
    after_ack(run.attach, request.sid, 0)
    return {"ok": True, "id": run.id, "control_token": run.token, "url": f"/runs/{run.id}"}


def _run_id(data: Any) -> str:
    if not isinstance(data, dict):
        raise ValueError('takes an object {"run_id": ...}')
    run_id = data.get("run_id")
    if not isinstance(run_id, str) or not 0 < len(run_id) <= 64:
        raise ValueError("run_id is required")
    return run_id


def join_run(data: Any = None) -> Ack:
    problem = _too_big(data)
    try:
        if problem:
            raise ValueError(problem)
        run_id = _run_id(data)
        first = data.get("from_seq", 0)
        if isinstance(first, bool) or not isinstance(first, int) or not 0 <= first <= MAX_INDEX:
            raise ValueError(f"from_seq must be a whole number from 0 to {MAX_INDEX:,}")
    except ValueError as exc:
        return {"ok": False, "error": str(exc)}
    problem = too_many_joins()
    if problem:
        return {"ok": False, "error": problem}
    manager = _manager()
    live = manager.get(run_id)
    info = run_info(manager, run_id)
    if info is None:
        return {"ok": False, "error": f"no run with id {run_id!r}"}
    cluster = manager.cluster
    if live is not None:
        after_ack(live.attach, request.sid, first)
        return {"ok": True, "run": info}
    try:
        elsewhere = cluster and info["status"] in LIVE_STATES and cluster.owner(run_id)
    except QueueDown as exc:
        return refusal(exc)
    if elsewhere:  # it runs in another process: ask that one (through the queue)
        after_ack(_attach_elsewhere, manager, run_id, request.sid, first)
    if not elsewhere:
        if cluster and info["status"] in LIVE_STATES:  # the process running it has died
            cluster.orphaned(run_id)
            info = run_info(manager, run_id) or info
        after_ack(_replay_ended, manager, run_id, request.sid, first)
    return {"ok": True, "run": info}


def _attach_elsewhere(manager: RunManager, run_id: str, sid: str, first: int) -> None:
    """Ask the run's process to attach sid; if the queue went away meanwhile, sid is told
    to join again (`run_dropped`)."""
    try:
        manager.cluster.attach(run_id, sid, first)  # type: ignore[union-attr]
    except QueueDown as exc:
        message = {"run_id": run_id, "from_seq": first, "reason": str(exc)}
        manager.socketio.emit("run_dropped", message, to=sid)


def refusal(exc: RequestError) -> Ack:
    """The error ack of a refused request: every field's message, and when to retry (a busy
    server, or the message queue away: docs/protocol.md)."""
    ack: Ack = {"ok": False, "error": str(exc), "errors": exc.errors}
    if exc.retry_after:
        ack["retry_after"] = exc.retry_after
    return ack


def too_many_joins() -> str | None:
    """Count this connection's joins (its Socket.IO session); over the limit: why not."""
    limit = int(current_app.config["MAX_JOINS_PER_CONNECTION"])
    joins = session.get("joins", 0) + 1
    if joins > limit:
        return f"this connection has made {limit} joins (the limit); reconnect to join again"
    session["joins"] = joins
    return None


def _replay_ended(manager: RunManager, run_id: str, sid: str, first: int) -> None:
    """An ended run: its stored events, then its final status."""
    socketio = manager.socketio
    try:
        send_stored(socketio, manager.store, run_id, sid, first, None, manager.config)
    except Dropped as dropped:
        dropped.tell(socketio, run_id)
        return
    stored = manager.store.get_run(run_id) or {}
    socketio.emit(
        "run_status",
        {
            "run_id": run_id,
            "state": stored.get("status"),
            "t": stored.get("t"),
            "speed": stored.get("speed"),
            "events": stored.get("event_count"),
            **({"reason": stored["reason"]} if stored.get("reason") else {}),
        },
        to=sid,
    )


def leave_run(data: Any = None) -> Ack:
    try:
        problem = _too_big(data)
        if problem:
            raise ValueError(problem)
        run_id = _run_id(data)
    except ValueError as exc:
        return {"ok": False, "error": str(exc)}
    manager = _manager()
    live = manager.get(run_id)
    if live is not None:
        live.detach(request.sid)
    else:
        leave_room(room(run_id))
        try:
            if manager.cluster and manager.cluster.owner(run_id):  # it runs elsewhere
                manager.cluster.detach(run_id, request.sid)
        except QueueDown as exc:
            return refusal(exc)
    return {"ok": True}


def control_run(data: Any = None) -> Ack:
    problem = _too_big(data)
    if problem:
        return {"ok": False, "error": problem}
    manager = _manager()
    run_id = data.get("run_id") if isinstance(data, dict) else None
    cluster = manager.cluster
    try:
        elsewhere = cluster and isinstance(run_id, str) and not manager.get(run_id)
        if elsewhere and cluster.owner(run_id):  # type: ignore[union-attr]
            return cluster.control(run_id, data)  # type: ignore[union-attr]
    except QueueDown as exc:
        return refusal(exc)
    try:
        return {"ok": True, **apply_control(manager, data)}
    except ControlError as exc:
        return {"ok": False, "error": str(exc)}


def unknown_event(event: str, *args: Any) -> Ack:
    shown = event if len(event) <= 80 else event[:80] + "…"
    error = (
        f"unknown event {shown!r}; this server handles start_run, join_run, leave_run, "
        "control_run, join_class, leave_class"
    )
    return _refuse(shown, error)


def malformed(reason: Any = None, *_: Any) -> Ack:
    """A packet app/runs/packets.py could not dispatch: say why, in the ack if it asked for one."""
    return _refuse(None, str(reason))


def _refuse(event: str | None, error: str) -> Ack:
    emit("protocol_error", {"event": event, "error": error}, to=request.sid)
    return {"ok": False, "error": error}


def handler_failed(exc: Exception) -> Ack:
    log.exception("Socket.IO handler failed", exc_info=exc)
    error = "the server could not handle this message"
    emit("protocol_error", {"event": request.event.get("message"), "error": error}, to=request.sid)
    return {"ok": False, "error": error}


def register(socketio: SocketIO) -> None:
    """Handle the run events on this app's Socket.IO server."""
    for name, handler in (
        ("start_run", start_run),
        ("join_run", join_run),
        ("leave_run", leave_run),
        ("control_run", control_run),
        (MALFORMED, malformed),
        ("*", unknown_event),
    ):
        socketio.on_event(name, handler)
    socketio.on_error_default(handler_failed)

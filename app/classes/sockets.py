"""Socket.IO for classes: join_class (student or presenter), leave_class, and disconnects."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_socketio import SocketIO, join_room, leave_room

from app.classes.errors import ClassError
from app.classes.hub import ClassHub, presenter_room, student_room
from app.classes.views import join_url
from app.runs.sockets import too_many_joins

Ack = dict[str, Any]


def hub() -> ClassHub:
    return current_app.extensions["sagalab.classes"]


def join_class(data: Any = None) -> Ack:
    """{"code", "presenter_token"?, "voter"?}: follow the class (a student, given a voter
    id: the one it had if it comes back with it) or run it (the presenter)."""
    if not isinstance(data, dict):
        return {"ok": False, "status": 400, "error": 'join_class takes {"code": ...}'}
    problem = too_many_joins()
    if problem:
        return {"ok": False, "status": 429, "error": problem}
    try:
        joined, state = hub().join(request.sid, data)
    except ClassError as exc:
        return {"ok": False, "status": exc.status, "error": exc.message}
    if joined.left:
        _leave_rooms(joined.left)
    presenting = "presenter_token" in data
    join_room((presenter_room if presenting else student_room)(joined.room.code))
    state = {**state, "your_vote": joined.your_vote}
    if not presenting:
        state["voter"] = joined.voter  # None: the class is full (MAX_CLASS_SIZE); watch, not vote
    if presenting:
        state["join_url"] = join_url(joined.room.code)  # what the join card and QR code show
    return {"ok": True, "class": state}


def leave_class(data: Any = None) -> Ack:
    code = data.get("code") if isinstance(data, dict) else None
    left = hub().leave(request.sid, code) if isinstance(code, str) else None
    if left is not None:
        _leave_rooms(left)
    return {"ok": True}


def disconnected(*_reason: Any) -> None:
    hub().leave(request.sid)  # Socket.IO drops a gone client's rooms itself


def _leave_rooms(code: str) -> None:
    for name in (student_room(code), presenter_room(code)):
        leave_room(name, sid=request.sid)


def register(socketio: SocketIO) -> None:
    """Handle the class events on this app's Socket.IO server."""
    socketio.on_event("join_class", join_class)
    socketio.on_event("leave_class", leave_class)
    socketio.on_event("disconnect", disconnected)

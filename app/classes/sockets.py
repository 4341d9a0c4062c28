"""Socket.IO for classes: join_class (student or presenter), leave_class, and disconnects."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_socketio import SocketIO, join_room, leave_room

from app.classes.errors import ClassError
from app.classes.hub import ClassHub, presenter_room, student_room
from app.classes.store import Classroom
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
    classes = hub().classes
    try:
        if "presenter_token" in data:
            room = classes.presenter(data.get("code"), data["presenter_token"])
        else:
            room = classes.find(data.get("code"))
    except ClassError as exc:
        return {"ok": False, "status": exc.status, "error": exc.message}
    presenting = "presenter_token" in data
    for other in classes.holding(request.sid):
        _leave(other, request.sid)
    voter = None if presenting else room.voters.join(request.sid, data.get("voter"))
    with classes.lock:
        (room.presenters if presenting else room.viewers).add(request.sid)
    join_room((presenter_room if presenting else student_room)(room.code))
    classes.touch(room)
    hub().publish(room, soon=True)
    with classes.lock:
        state = room.state(full=presenting)
    state["your_vote"] = room.poll.vote_of(voter) if room.poll else None
    if not presenting:
        state["voter"] = voter  # None: the class is full (MAX_CLASS_SIZE); watch, not vote
    if presenting:
        state["join_url"] = join_url(room.code)  # what the join card and QR code show
    return {"ok": True, "class": state}


def leave_class(data: Any = None) -> Ack:
    code = data.get("code") if isinstance(data, dict) else None
    room = hub().classes.get(code) if isinstance(code, str) else None
    if room is not None:
        _leave(room, request.sid)
    return {"ok": True}


def disconnected(*_reason: Any) -> None:
    for room in hub().classes.holding(request.sid):
        _leave(room, request.sid, rooms=False)  # Socket.IO drops a gone client's rooms itself


def _leave(room: Classroom, sid: str, rooms: bool = True) -> None:
    room.voters.leave(sid)
    with hub().classes.lock:
        room.viewers.discard(sid)
        room.presenters.discard(sid)
    if rooms:
        for name in (student_room(room.code), presenter_room(room.code)):
            leave_room(name, sid=sid)
    hub().publish(room, soon=True)


def register(socketio: SocketIO) -> None:
    """Handle the class events on this app's Socket.IO server."""
    socketio.on_event("join_class", join_class)
    socketio.on_event("leave_class", leave_class)
    socketio.on_event("disconnect", disconnected)

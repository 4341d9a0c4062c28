"""Each app's own Socket.IO server: made in the factory, found through the app."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_socketio import SocketIO

from app.origins import socketio_origin_check
from app.runs.packets import TolerantPacket

ASYNC_MODE = "threading"  # with simple-websocket; measured in bench/


def init_socketio(app: Flask, **options: Any) -> SocketIO:
    """A new Socket.IO server bound to app (app.extensions["socketio"]); options add to ours."""
    socketio = SocketIO()
    socketio.init_app(
        app,
        async_mode=ASYNC_MODE,
        async_handlers=True,
        cors_allowed_origins=socketio_origin_check(app.config),
        max_http_buffer_size=4 * int(app.config["MAX_MESSAGE_BYTES"]),
        serializer=TolerantPacket,
        **options,
    )
    return socketio


def socketio_of(app: Flask | None = None) -> SocketIO:
    """The Socket.IO server of app (default: the current app)."""
    return (app or current_app).extensions["socketio"]

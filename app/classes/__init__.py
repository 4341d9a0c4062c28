"""Classroom mode: a class follows the presenter's run; predict, then reveal (docs/protocol.md)."""

from __future__ import annotations

from flask import Flask

from app.classes.hub import ClassHub
from app.classes.records import PollRecords
from app.classes.store import ClassStore
from app.runs.manager import RunManager


def init_app(app: Flask, runs: RunManager) -> ClassHub:
    """The app's classes: store, question records, start hook, REST views, Socket.IO."""
    from app.classes import sockets, views

    host = runs.cluster.host if runs.cluster else None  # names this process to the others
    hub = ClassHub(ClassStore(runs.store.db, app.config, host), PollRecords(runs.store.db), runs)
    hub.open()
    runs.hooks.append(hub)
    app.extensions["sagalab.classes"] = hub
    app.register_blueprint(views.bp)
    sockets.register(runs.socketio)
    return hub

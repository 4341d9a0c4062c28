"""Saga Lab's web app: Flask + Flask-SocketIO; runs simulations live and streams them."""

from __future__ import annotations

import atexit
import logging
import os
import weakref
from typing import Any

from flask import Flask

from app import config, deflate, errors, origins
from app.db import Database
from app.extensions import init_socketio
from app.runs.cluster import Cluster
from app.runs.manager import RunManager
from app.runs.queue import QueueHealth, QueueManager
from app.store import Store

log = logging.getLogger(__name__)
_APPS: weakref.WeakSet[Flask] = weakref.WeakSet()  # apps whose runs end at interpreter exit


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The application factory: config, database, Socket.IO, run manager, blueprints."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(os.path.dirname(__file__), os.pardir, "templates"),
        static_folder=os.path.join(os.path.dirname(__file__), os.pardir, "static"),
    )
    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    database = Database(app.config["DATABASE"])
    store = Store(database)
    deflate.install()  # one compression per batch, shared by every viewer
    queue = app.config["MESSAGE_QUEUE"]
    health = QueueHealth(queue) if queue else None
    socketio = init_socketio(
        app, **({"client_manager": QueueManager(queue, health)} if health else {})
    )
    origins.init_app(app)  # after Socket.IO, so that its requests pass the host check too
    manager = RunManager(store, app.config, socketio, health)
    app.extensions["sagalab.runs"] = manager
    if health:  # several processes: runs other live processes execute are not cut short
        manager.cluster = Cluster(queue, socketio, manager, health)
        manager.cluster.start()
    cluster = manager.cluster
    interrupted = store.mark_interrupted(
        elsewhere=(lambda run_id: cluster.owner(run_id) is not None) if cluster else None
    )
    if interrupted:
        log.warning("%d run(s) were cut short by a server restart: marked interrupted", interrupted)

    from app import assets, classes, pages, sagas, schema
    from app.experiments import views as experiments
    from app.history import views as history
    from app.runs import api, sockets

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    assets.init_app(app)
    app.register_blueprint(history.bp)
    app.register_blueprint(schema.bp)
    errors.register(app)
    sockets.register(socketio)
    experiments.init_app(app, socketio, database)
    classes.init_app(app, manager)
    sagas.init_app(app, database)
    _APPS.add(app)
    return app


def shutdown(app: Flask, reason: str = "the server stopped during the run") -> None:
    """Stop app's work: live runs are marked interrupted, experiments cancelled (idempotent)."""
    app.extensions["sagalab.runs"].shutdown(reason)
    app.extensions["experiments"].shutdown()


@atexit.register
def _shutdown_all() -> None:
    """One exit hook for every app still alive (registered once, not per create_app)."""
    for app in list(_APPS):
        shutdown(app)

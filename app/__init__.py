"""Saga Lab's web app: Flask + Flask-SocketIO; runs simulations live and streams them."""

from __future__ import annotations

import atexit
import logging
import os
import weakref
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config, deflate, errors, origins
from app.db import open_database
from app.extensions import init_socketio
from app.requires import require
from app.runs.manager import RunManager
from app.store import Store

log = logging.getLogger(__name__)
INSTANCE_ENV = "SAGALAB_INSTANCE_PATH"  # the instance folder (default: instance/ here)
_APPS: weakref.WeakSet[Flask] = weakref.WeakSet()  # apps whose runs end at interpreter exit


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The application factory: config, database, Socket.IO, run manager, blueprints."""
    instance = os.environ.get(INSTANCE_ENV)  # one folder per process of a deployment
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance) if instance else None,
        instance_relative_config=True,
        template_folder=os.path.join(os.path.dirname(__file__), os.pardir, "templates"),
        static_folder=os.path.join(os.path.dirname(__file__), os.pardir, "static"),
    )
    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    queue = app.config["MESSAGE_QUEUE"]
    if queue:  # before anything is opened: a missing package is one line, nothing to undo
        require("redis", "redis", "a message queue (MESSAGE_QUEUE)")
    database = open_database(app.config["DATABASE_URL"] or app.config["DATABASE"])
    store = Store(database)
    deflate.install()  # one compression per batch, shared by every viewer
    health = None
    if queue:  # imported only when configured: the lean install has no redis
        from app.runs.queue import QueueHealth, QueueManager

        health = QueueHealth(queue)
    socketio = init_socketio(
        app, **({"client_manager": QueueManager(queue, health)} if health else {})
    )
    origins.init_app(app)  # after Socket.IO, so that its requests pass the host check too
    manager = RunManager(store, app.config, socketio, health)
    app.extensions["sagalab.runs"] = manager
    if health:  # several processes: runs other live processes execute are not cut short
        from app.runs.cluster import Cluster

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
    if app.config["PROXY_HOPS"]:  # behind a reverse proxy: the client's own address
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    _APPS.add(app)
    return app


def shutdown(app: Flask, reason: str = "the server stopped during the run") -> None:
    """Stop app's work: live runs are marked interrupted, experiments cancelled, its devices
    taken out of their classes (idempotent)."""
    app.extensions["sagalab.runs"].shutdown(reason)
    app.extensions["experiments"].shutdown()
    app.extensions["sagalab.classes"].shutdown()


@atexit.register
def _shutdown_all() -> None:
    """One exit hook for every app still alive (registered once, not per create_app)."""
    for app in list(_APPS):
        shutdown(app)

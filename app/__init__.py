"""Saga Lab's web app: Flask + Flask-SocketIO; runs simulations live and streams them."""

from __future__ import annotations

import atexit
import logging
import os
from typing import Any

from flask import Flask

from app import config, deflate, errors
from app.extensions import socketio
from app.origins import socketio_origin_check
from app.runs.manager import RunManager
from app.store import Store

ASYNC_MODE = "threading"  # with simple-websocket; measured in app/bench.py

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The application factory: config, store, run manager, blueprints, Socket.IO."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(os.path.dirname(__file__), os.pardir, "templates"),
        static_folder=os.path.join(os.path.dirname(__file__), os.pardir, "static"),
    )
    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    store = Store(app.config["DATABASE"])
    interrupted = store.mark_interrupted()
    if interrupted:
        log.warning("%d run(s) were cut short by a server restart: marked interrupted", interrupted)
    manager = RunManager(store, app.config)
    app.extensions["sagalab.runs"] = manager
    atexit.register(manager.shutdown)

    from app import assets, pages, schema
    from app.experiments import views as experiments
    from app.history import views as history
    from app.runs import (
        api,
        sockets,  # noqa: F401  (sockets)
    )

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    assets.init_app(app)
    app.register_blueprint(history.bp)
    app.register_blueprint(schema.bp)
    errors.register(app)
    experiments.init_app(app, socketio)

    deflate.install()  # one compression per batch, shared by every viewer
    socketio.init_app(
        app,
        async_mode=ASYNC_MODE,
        async_handlers=True,
        cors_allowed_origins=socketio_origin_check(list(app.config["ALLOWED_ORIGINS"])),
        max_http_buffer_size=4 * int(app.config["MAX_MESSAGE_BYTES"]),
    )
    return app

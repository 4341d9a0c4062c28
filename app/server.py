"""Serve the app with Werkzeug's threaded server (Socket.IO async_mode "threading")."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from app import shutdown


def make(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """A threaded server bound to host:port (port 0: a free one; read it from `.port`)."""
    return make_server(host, port, app, threaded=True)


def serve_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """Start serving in a daemon thread; stop with `.shutdown()` (tests, benchmark)."""
    server = make(app, host, port)
    threading.Thread(target=server.serve_forever, daemon=True, name="sagalab-http").start()
    return server


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve app on a free loopback port; yields its base URL, then stops it and its runs."""
    server = serve_in_thread(app, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        shutdown(app)

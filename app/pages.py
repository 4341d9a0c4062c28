"""Pages (the dashboard, opened on a run or not) and the vendored browser libraries."""

from __future__ import annotations

import os

import plotly
from flask import Blueprint, Response, abort, current_app, render_template, send_from_directory

bp = Blueprint("pages", __name__)

VENDOR_MAX_AGE = 24 * 3600
SOCKETIO_FILES = ("socket.io.esm.min.js", "socket.io.esm.min.js.map")


@bp.get("/")
def index() -> str:
    return render_template("index.html", run_id=None)


@bp.get("/runs/<run_id>")
def run_page(run_id: str) -> str:
    if current_app.extensions["sagalab.runs"].store.get_run(run_id) is None:
        abort(404, description=f"There is no run with id {run_id!r}.")
    return render_template("index.html", run_id=run_id)


@bp.get("/vendor/plotly.min.js")
def plotly_js() -> Response:
    folder = os.path.join(os.path.dirname(plotly.__file__), "package_data")
    return _vendor_file(
        folder, "plotly.min.js", "the plotly Python package (pip install -r requirements.txt)"
    )


@bp.get("/vendor/<name>")
def socketio_js(name: str) -> Response:
    if name not in SOCKETIO_FILES:
        abort(404, description=f"/vendor/{name} is not served here.")
    root = os.path.dirname(current_app.root_path)
    folder = os.path.join(root, "node_modules", "socket.io-client", "dist")
    return _vendor_file(
        folder, name, "node_modules/socket.io-client (run `make setup`, which runs npm ci)"
    )


def _vendor_file(folder: str, name: str, source: str) -> Response:
    if not os.path.isfile(os.path.join(folder, name)):
        abort(404, description=f"{name} is missing: it comes from {source}.")
    return send_from_directory(folder, name, max_age=VENDOR_MAX_AGE)

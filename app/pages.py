"""Pages (the dashboard, opened on a run or not) and the npm browser libraries' plain URLs."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template

from app.assets import VENDOR, respond

bp = Blueprint("pages", __name__)

VENDOR_MAX_AGE = 24 * 3600  # plain /vendor/ URLs; pages use the versioned /assets/ ones


@bp.get("/")
def index() -> str:
    return render_template("index.html", run_id=None)


@bp.get("/runs/<run_id>")
def run_page(run_id: str) -> str:
    if current_app.extensions["sagalab.runs"].store.get_run(run_id) is None:
        abort(404, description=f"There is no run with id {run_id!r}.")
    return render_template("index.html", run_id=run_id)


@bp.get("/vendor/<name>")
def vendor_file(name: str) -> Response:
    if name not in VENDOR:
        abort(404, description=f"/vendor/{name} is not served here.")
    package = VENDOR[name][0].split("/")[0]
    return respond(
        f"vendor/{name}",
        VENDOR_MAX_AGE,
        f"{name} is missing: it comes from node_modules/{package} "
        "(run `make setup`, which runs npm ci).",
    )

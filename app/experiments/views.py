"""Batch experiments: the /experiments page, its REST API and Socket.IO progress."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request
from flask_socketio import join_room

from app.db import Database
from app.experiments.runner import ExperimentManager, QueueFull, room
from app.experiments.store import ExperimentStore
from app.inputs import json_body, token_text
from app.runs.request import RequestError, with_saga
from app.sagas import find_saga, requested_saga
from sim.batch.plan import plan_experiment
from sim.batch.points import points_csv
from sim.batch.pool import DEFAULT_RUN_FN
from sim.batch.presets import EXPERIMENTS
from sim.batch.spec import ORDER
from sim.params import ParamsError, saga_of
from sim.schema import fields_for

bp = Blueprint("experiments", __name__)


def init_app(app: Flask, socketio: Any, database: Database) -> None:
    """Create the table, the manager, the routes and the Socket.IO handlers."""
    app.config.setdefault("EXPERIMENT_RUN_FN", DEFAULT_RUN_FN)  # a test hook, not an env var
    store = ExperimentStore(database)
    store.mark_interrupted()
    manager = ExperimentManager(store, socketio, app.config)
    app.extensions["experiments"] = manager
    app.register_blueprint(bp)
    socketio.on_event("join_experiment", join_experiment)


def manager() -> ExperimentManager:
    """The app's experiment manager."""
    return current_app.extensions["experiments"]


def _not_found(exp_id: str) -> tuple[Response, int]:
    return jsonify({"error": f"no experiment {exp_id}"}), 404


@bp.get("/experiments")
@bp.get("/experiments/<exp_id>")
def page(exp_id: str | None = None) -> str:
    if exp_id is not None and manager().store.get(exp_id) is None:
        abort(404, description=f"There is no experiment with id {exp_id!r}.")
    return render_template("experiments.html", exp_id=exp_id)


@bp.get("/api/experiment-presets")
def presets() -> Response:
    return jsonify(EXPERIMENTS)


@bp.get("/api/experiment-fields")
def fields() -> Response | tuple[Response, int]:
    """Every parameter an experiment may vary: kind, range, choices and what it means, and
    the factor `order` with the saga's steps; `?saga=NAME`: of that saga (a built-in or a
    stored one); `?preset=NAME`: of its saga."""
    try:
        saga = requested_saga(request.args) or saga_of(None)
    except LookupError as exc:
        return jsonify(error=str(exc)), 404
    out: dict[str, Any] = {
        name: {"kind": f.kind, "lo": f.lo, "hi": f.hi, "choices": list(f.choices), "doc": f.doc}
        for name, f in fields_for(saga).items()
        if name != "seed" and f.kind in ("int", "float", "bool", "choice")
    }
    out[ORDER] = {
        "kind": "order",
        "doc": "the order of the saga's steps (each level lists every step once, a step "
        "as name:kind to give it another kind)",
        "steps": [
            {"name": s.name, "kind": s.kind, "failure_rate": s.failure_rate} for s in saga.steps
        ],
    }
    return jsonify(out)


@bp.post("/api/experiments")
def create() -> tuple[Response, int]:
    body = json_body()
    limits = {
        "max_runs": current_app.config["EXPERIMENT_MAX_RUNS"],
        "max_sagas": current_app.config["EXPERIMENT_MAX_SAGAS"],
    }
    base = body.get("base")
    if isinstance(base, dict) and isinstance(base.get("params"), dict):
        try:  # a stored saga's name becomes its definition, as for a run
            params = with_saga(base["params"], None, find_saga())
        except RequestError as exc:
            raise RequestError({f"base.params.{k}": v for k, v in exc.errors.items()}) from None
        body = {**body, "base": {**base, "params": params}}
    try:
        plan = plan_experiment(body, limits)
    except ParamsError as exc:
        raise RequestError(exc.errors) from None
    try:
        job = manager().submit(plan, request.remote_addr or "local")
    except QueueFull as exc:
        return jsonify({"errors": {"queue": str(exc)}}), 429
    url = f"/experiments/{job.id}"
    return jsonify({"id": job.id, "control_token": job.token, "url": url}), 201


@bp.get("/api/experiments")
def listing() -> Response:
    return jsonify(manager().store.list())


@bp.get("/api/experiments/<exp_id>")
def detail(exp_id: str) -> Response | tuple[Response, int]:
    if exp_id.endswith(".csv"):
        return csv(exp_id.removesuffix(".csv"))
    found = manager().snapshot(exp_id)
    return jsonify(found) if found else _not_found(exp_id)


def csv(exp_id: str) -> Response | tuple[Response, int]:
    found = manager().snapshot(exp_id)
    if not found:
        return _not_found(exp_id)
    spec = found["spec"]
    text = points_csv(found["points"], spec["sweep"]["param"], (spec["factor"] or {}).get("param"))
    disposition = f'attachment; filename="experiment-{exp_id}.csv"'
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": disposition})


@bp.post("/api/experiments/<exp_id>/cancel")
def cancel(exp_id: str) -> Response | tuple[Response, int]:
    if manager().store.get(exp_id) is None:
        return _not_found(exp_id)
    token = token_text(json_body(optional=True).get("token"))
    refused = manager().cancel(exp_id, token)
    if refused:
        return jsonify({"ok": False, "error": refused[1]}), refused[0]
    return jsonify({"ok": True})


def join_experiment(data: Any = None) -> dict[str, Any]:
    """Socket.IO: follow an experiment; the ack carries everything so far."""
    exp_id = data.get("experiment_id") if isinstance(data, dict) else None
    if not isinstance(exp_id, str) or not 0 < len(exp_id) <= 64:
        return {"ok": False, "error": "experiment_id is required"}
    if manager().store.get(exp_id) is None:
        return {"ok": False, "error": f"no experiment {exp_id}"}
    join_room(room(exp_id))  # before the snapshot, so that no progress falls between
    return {"ok": True, "experiment": manager().snapshot(exp_id)}

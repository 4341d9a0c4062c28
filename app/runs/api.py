"""The REST API: presets, runs, a run's events as JSON Lines, health."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, current_app, jsonify

from app.inputs import json_body, query_int
from app.packed import streamed
from app.runs.info import list_info, run_info
from app.runs.manager import RunManager
from app.runs.request import parse_start
from app.sagas import find_saga
from sim import PRESETS
from sim.batch.presets import EXPERIMENTS
from sim.presets import REMEDIES
from sim.trace.vocabulary import LIVE_STATES

bp = Blueprint("api", __name__)


def _manager() -> RunManager:
    return current_app.extensions["sagalab.runs"]


def not_found(run_id: str) -> tuple[Response, int]:
    return jsonify(error=f"no run with id {run_id!r}"), 404


def _experiments_of(preset: str) -> list[dict[str, str]]:
    """The built-in experiments that measure a preset's lesson (their base is the preset)."""
    return [
        {"name": name, "title": e["title"], "url": f"/experiments?builtin={name}"}
        for name, e in EXPERIMENTS.items()
        if e["spec"]["base"].get("preset") == preset
    ]


@bp.get("/api/presets")
def presets() -> Response:
    return jsonify(
        {
            name: {
                "description": p["description"],
                "remedy": REMEDIES.get(name),
                "params": p["params"],
                "experiments": _experiments_of(name),
            }
            for name, p in PRESETS.items()
        }
    )


@bp.post("/api/runs")
def create_run() -> tuple[Response, int, dict[str, str]]:
    """201; a refusal (400, 429 busy, 503 queue away) is a RequestError (app/errors.py)."""
    run = _manager().start(parse_start(json_body(), current_app.config, find_saga()))
    url = f"/runs/{run.id}"
    return jsonify(id=run.id, control_token=run.token, url=url), 201, {"Location": url}


@bp.get("/api/runs")
def list_runs() -> Response | tuple[Response, int]:
    limit = query_int("limit", 50, 1, 500)
    offset = query_int("offset", 0, 0)
    manager = _manager()
    return jsonify(
        runs=list_info(manager, limit, offset),
        total=manager.store.count_runs(),
        limit=limit,
        offset=offset,
    )


@bp.get("/api/runs/<run_id>")
def get_run(run_id: str) -> Response | tuple[Response, int]:
    info = run_info(_manager(), run_id)
    return jsonify(info) if info is not None else not_found(run_id)


@bp.get("/api/runs/<run_id>/events")
def run_events(run_id: str) -> Response | tuple[Response, int]:
    """The stored events so far, one JSON object a line, as `python -m sim --format jsonl`."""
    store = _manager().store
    run = store.get_run(run_id)
    if run is None:
        return not_found(run_id)
    ended = run["status"] not in LIVE_STATES  # its events are all stored and stay as they are

    def lines() -> Iterator[str]:
        for rows in store.event_lines(run_id):
            yield "".join(line + "\n" for _seq, line in rows)

    disposition = f'inline; filename="{run_id}.jsonl"'
    etag = f"{run_id}-{run['status']}-{run['event_count']}" if ended else None
    return streamed(lines(), "application/jsonl", {"Content-Disposition": disposition}, etag)


@bp.get("/healthz")
def healthz() -> Response:
    manager = _manager()
    # a count up to a second old: no database connection (and its waits for the GIL) per probe
    runs = manager.store.count_runs(max_age=1.0)
    queue = {"queue": manager.health.state()} if manager.health is not None else {}
    return jsonify(ok=True, live_runs=manager.live_count(), runs=runs, **queue)

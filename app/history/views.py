"""Run history: the `/runs` and `/compare` pages, exports, delete, re-run and twin runs."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
)

from app import access
from app.history import exports, twins
from app.history import query as run_query
from app.history.differences import outcome_rows, param_rows
from app.inputs import json_body, loose_json, query_int, token_text
from app.packed import streamed
from app.runs.info import run_info
from app.runs.manager import RunManager
from app.runs.request import RequestError, parse_start
from app.sagas import find_saga
from sim import PRESETS

bp = Blueprint("history", __name__)


def _manager() -> RunManager:
    return current_app.extensions["sagalab.runs"]


def _stored_or_404(run_id: str) -> dict[str, Any]:
    info = run_info(_manager(), run_id)
    if info is None:
        abort(404, description=f"no run with id {run_id!r}")
    return info


@bp.get("/runs")
def runs_page() -> str:
    page = query_int("page", 1, 1)
    preset = request.args.get("preset") or None
    mode = request.args.get("mode") or None
    store = _manager().store
    runs, total = run_query.page_of_runs(store, page, preset, mode)
    pages = max(1, math.ceil(total / run_query.PAGE_SIZE))
    for run in runs:
        run["live"] = _manager().get(run["id"]) is not None
        run["key_params"] = run_query.key_params(run["params"])
        run["failing"] = [
            check
            for check, result in ((run["summary"] or {}).get("invariants") or {}).items()
            if not result.get("ok")
        ]
        run["switches"] = twins.switches_for(run["params"].get("mode", "orchestration"))
    return render_template(
        "runs.html",
        runs=runs,
        total=total,
        page=page,
        pages=pages,
        preset=preset,
        mode=mode,
        presets=store.presets(),
        page_size=run_query.PAGE_SIZE,
    )


@bp.get("/compare")
def compare_page() -> str:
    ids = {side: request.args.get(side) or "" for side in ("a", "b")}
    runs = {side: run_info(_manager(), run_id) if run_id else None for side, run_id in ids.items()}
    missing = [ids[side] for side in ("a", "b") if ids[side] and runs[side] is None]
    if missing:
        abort(404, description=f"no run with id {missing[0]!r}")
    a, b = runs["a"], runs["b"]
    recent, _total = run_query.page_of_runs(_manager().store, 1, size=50)
    return render_template(
        "compare.html",
        a=a,
        b=b,
        recent=recent,
        params=param_rows(a["params"], b["params"]) if a and b else [],
        outcomes=outcome_rows(a["summary"], b["summary"]) if a and b else [],
    )


def _event_chunks(run_id: str) -> Iterator[list[dict[str, Any]]]:
    return exports.parsed_chunks(_manager().store.event_lines(run_id))


def _streamed_export(
    run_id: str,
    chunks: Callable[[Iterator[list[dict[str, Any]]]], Iterator[str]],
    mimetype: str,
    disposition: str,
) -> Response:
    """A stored run's events streamed through `chunks` (404 JSON for an unknown run)."""
    _stored_or_404(run_id)
    return streamed(chunks(_event_chunks(run_id)), mimetype, {"Content-Disposition": disposition})


@bp.get("/api/runs/<run_id>/events.csv")
def events_csv(run_id: str) -> Response:
    return _streamed_export(
        run_id, exports.csv_chunks, "text/csv", f'attachment; filename="{run_id}.csv"'
    )


@bp.get("/api/runs/<run_id>/transcript.txt")
def transcript_txt(run_id: str) -> Response:
    return _streamed_export(
        run_id, exports.transcript_chunks, "text/plain", f'inline; filename="{run_id}.txt"'
    )


@bp.get("/api/runs/<run_id>/summary.json")
def summary_json(run_id: str) -> Response:
    info = _stored_or_404(run_id)
    body = json.dumps(info["summary"], indent=2, ensure_ascii=False) + "\n"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{run_id}-summary.json"'},
    )


@bp.delete("/api/runs/<run_id>")
def delete_run(run_id: str) -> Response | tuple[Response, int]:
    """Body `{"token"}`: the run's control token or the administrator token (app/access.py)."""
    info = _stored_or_404(run_id)
    token = token_text(json_body(optional=True).get("token"))
    store = _manager().store
    refused = access.delete_refusal(token, store.token_digest(run_id), current_app.config)
    if refused:
        return jsonify(error=f"run {run_id}: {refused}"), 403
    if info["live"]:
        return jsonify(
            error=f"run {run_id} is still {info['status']}: stop it before deleting it"
        ), 409
    store.delete_run(run_id)
    return jsonify(deleted=run_id)


def _start(preset: str | None, params: dict[str, Any], speed: Any) -> dict[str, Any]:
    """Start a run through the same checks as POST /api/runs; its ids and URL."""
    body = {"params": params, "speed": speed, **({"preset": preset} if preset else {})}
    run = _manager().start(parse_start(body, current_app.config, find_saga()))
    return {"id": run.id, "control_token": run.token, "url": f"/runs/{run.id}"}


def _started(make: Any) -> tuple[Response, int]:
    """201 and the new run; refusals (429 busy, 503 queue away) go to app/errors.py."""
    return jsonify(make()), 201


@bp.post("/api/runs/<run_id>/rerun")
def rerun(run_id: str) -> tuple[Response, int]:
    """Body `{"seed": "same" | "new", "speed"?}`: the stored run's parameters again."""
    info = _stored_or_404(run_id)
    body = json_body(optional=True)
    seed = body.get("seed", "same")
    if not isinstance(seed, str) or seed not in ("same", "new"):
        raise RequestError({"seed": 'must be "same" or "new"'})
    params = twins.rerun_params(info["params"], seed)
    return _started(lambda: _start(info["preset"], params, body.get("speed", info["speed"])))


@bp.post("/api/runs/<run_id>/remedy")
def remedy(run_id: str) -> tuple[Response, int]:
    """Body `{"speed"?}`: the remedy preset of the run's failing preset, on the same seed."""
    info = _stored_or_404(run_id)
    if not info["remedy"]:
        return jsonify(
            errors={"preset": f"{info['preset'] or 'this run'} has no remedy preset"}
        ), 400
    body = loose_json()
    body = body if isinstance(body, dict) else {}  # no body, or not an object: defaults
    params = {"seed": info["params"]["seed"]}

    def make() -> dict[str, Any]:
        started = _start(info["remedy"], params, body.get("speed", "instant"))
        started["compare_url"] = f"/compare?a={run_id}&b={started['id']}"
        started["preset"] = info["remedy"]
        return started

    return _started(make)


@bp.get("/api/switches")
def switches() -> Response:
    """The switches a twin run can flip: name -> {"label", "modes"}."""
    return jsonify(
        {
            name: {"label": label, "modes": list(twins.modes_of(name))}
            for name, label in twins.SWITCHES.items()
        }
    )


@bp.post("/api/runs/<run_id>/twin")
def twin(run_id: str) -> tuple[Response, int]:
    """Body `{"switch": name, "speed"?}`: the same run and seed with one switch flipped."""
    info = _stored_or_404(run_id)
    body = json_body(optional=True)
    switch = body.get("switch")
    allowed = twins.switches_for(info["params"].get("mode", "orchestration"))
    if not isinstance(switch, str) or switch not in allowed:
        raise RequestError({"switch": "must be one of " + ", ".join(allowed)})
    params = twins.twin_params(info["params"], switch)
    speed = body.get("speed", info["speed"])

    def make() -> dict[str, Any]:
        started = _start(None, params, speed)
        started["compare_url"] = f"/compare?a={run_id}&b={started['id']}"
        started["switch"] = {
            "name": switch,
            "a": twins.switch_value(info["params"], switch),
            "b": twins.switch_value(params, switch),
        }
        return started

    return _started(make)


@bp.app_template_global()
def preset_names() -> list[str]:
    return list(PRESETS)

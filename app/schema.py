"""What the browser learns from sim/: the parameter schema (`GET /api/params`), the vocabulary
(`GET /api/vocabulary`, and as the ES module `/static/js/vocabulary.js`), and the favicon."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_from_directory

from app.inputs import json_body
from app.sagas import requested_saga
from sim.params import saga_of
from sim.saga import Saga, SagaError, check_saga
from sim.schema import MODES, Field, defaults_for, fields_for
from sim.trace.vocabulary import es_module, vocabulary

bp = Blueprint("schema", __name__)

#: dotted-name prefix -> the only mode its fields apply in (other fields apply in both)
MODE_OF_PREFIX = {"orchestrator": "orchestration", "choreography": "choreography"}


def modes_of(name: str) -> tuple[str, ...]:
    """The modes a dotted parameter has an effect in."""
    only = MODE_OF_PREFIX.get(name.split(".")[0])
    return (only,) if only else MODES


def field_schema(name: str, spec: Field) -> dict[str, Any]:
    """One field of sim/params.py as JSON: kind, min, max, nullable, choices, doc, modes."""
    return {
        "kind": spec.kind,
        "min": spec.lo,
        "max": spec.hi,
        "nullable": spec.nullable,
        "choices": list(spec.choices),
        "doc": spec.doc,
        "modes": list(modes_of(name)),
    }


def params_schema(saga: Saga | None = None) -> dict[str, Any]:
    """Defaults and every dotted field of a run of `saga` (the default saga's without one),
    straight from sim/schema.py."""
    saga = saga or saga_of(None)
    return {
        "saga": saga.to_dict(),
        "defaults": defaults_for(saga),
        "fields": {name: field_schema(name, spec) for name, spec in fields_for(saga).items()},
    }


@bp.get("/api/params")
def params() -> Response | tuple[Response, int]:
    """Defaults, kinds, ranges, choices and nullability of every run parameter; `?saga=NAME`:
    of a run of that saga (a built-in or a stored one); `?preset=NAME`: of a run of that
    preset's saga (a preset may carry a definition of its own: travel reordered)."""
    try:
        saga = requested_saga(request.args)
    except LookupError as exc:
        return jsonify(error=str(exc)), 404
    response = jsonify(params_schema(saga))
    response.cache_control.no_cache = True
    return response


@bp.post("/api/params")
def params_of_definition() -> Response | tuple[Response, int]:
    """Body `{"saga": definition}`: the schema of a run of a saga nobody stored (the saga
    editor's draft in the form), as `GET /api/params?saga=` gives a stored one's; 400
    `{"errors"}` with the schema's fields."""
    try:
        saga = check_saga(json_body().get("saga"))
    except SagaError as exc:
        return jsonify(errors=exc.errors), 400
    return jsonify(params_schema(saga))


@bp.get("/api/vocabulary")
def vocabulary_json() -> Response:
    """Steps, modes, actors, event kinds, checks, outcomes, run states, transcript templates."""
    response = jsonify(vocabulary())
    response.cache_control.no_cache = True
    return response


@bp.get("/static/js/vocabulary.js")
def vocabulary_module() -> Response:
    """The same as the ES module the page's scripts import (no file: sim/ is the one source)."""
    response = Response(es_module(), mimetype="text/javascript")
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on their own: answer with the SVG icon."""
    assert current_app.static_folder is not None
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=24 * 3600
    )

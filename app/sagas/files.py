"""The saga editor's files: import a YAML/JSON file, export a definition as one
(docs/protocol.md)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request

from app.inputs import json_body
from sim.saga import SagaError, check_saga
from sim.saga.files import parse_saga_text

bp = Blueprint("saga_files", __name__)

FORMATS = ("yaml", "json")


def _format() -> str | None:
    wanted = request.args.get("format", "yaml")
    return wanted if wanted in FORMATS else None


def _bad_format() -> tuple[Response, int]:
    return jsonify(errors={"format": f"must be one of {', '.join(FORMATS)}"}), 400


@bp.post("/api/sagas/file")
def import_file() -> Any:
    """Body: a file's text; `?format=yaml|json`. 200 `{"saga", "written"}` (the checked
    definition, and as a person writes it) or 400 `{"errors"}` naming the field or the line."""
    wanted = _format()
    if wanted is None:
        return _bad_format()
    try:
        text = request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        return jsonify(errors={"saga": "the file is not UTF-8 text"}), 400
    try:
        saga = parse_saga_text(text, yaml_text=wanted == "yaml")
    except SagaError as exc:
        return jsonify(errors=exc.errors), 400
    return jsonify(saga=saga.to_dict(), written=saga.written())


def file_text(definition: dict[str, Any], wanted: str) -> str:
    """A checked definition as a person reads it in a file (YAML or JSON, fields in order)."""
    if wanted == "json":
        return json.dumps(definition, indent=2, ensure_ascii=False) + "\n"
    import yaml  # only where a file is written

    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100)


@bp.post("/api/sagas/export")
def export_file() -> Any:
    """Body: a definition; `?format=yaml|json`. The file (an attachment named after the saga),
    words only where they are not the defaults; 400 `{"errors"}` if the definition is wrong."""
    wanted = _format()
    if wanted is None:
        return _bad_format()
    try:
        saga = check_saga(json_body())
    except SagaError as exc:
        return jsonify(errors=exc.errors), 400
    mimetype = "application/yaml" if wanted == "yaml" else "application/json"
    return Response(
        file_text(saga.written(), wanted),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{saga.name}.{wanted}"'},
    )

"""`/api/sagas`: the built-in sagas and the stored ones; store, replace and delete a saga."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from app import access
from app.inputs import json_body, token_text
from app.sagas.store import SagaFull, SagaStore, summary
from sim.saga import BUILTIN, SagaError, check_saga
from sim.saga.rules import SAGA_NAME

bp = Blueprint("sagas", __name__)


def _store() -> SagaStore:
    return current_app.extensions["sagalab.sagas"]


def _name_or_404(name: str) -> None:
    if not SAGA_NAME.fullmatch(name):
        raise _NotFound(name)


class _NotFound(Exception):
    pass


@bp.errorhandler(_NotFound)
def _not_found(exc: _NotFound) -> tuple[Response, int]:
    return jsonify(error=f"no saga named '{str(exc.args[0])[:40]}'"), 404


def _checked(definition: Any) -> Any:
    """The checked Saga, or the 400 answer naming every bad field."""
    try:
        return check_saga(definition)
    except SagaError as exc:
        return jsonify(errors=exc.errors), 400


@bp.get("/api/sagas")
def list_sagas() -> Response:
    """Built-ins first (in their order), then the stored sagas, newest change first."""
    builtin = [summary(s.to_dict(), builtin=True) for s in BUILTIN.values()]
    stored = [{**s, "builtin": False} for s in _store().listing()]
    return jsonify(sagas=builtin + stored)


@bp.get("/api/sagas/<name>")
def get_saga(name: str) -> Response:
    _name_or_404(name)
    """`{"saga", "written", "builtin"}`: `written` is the definition as a person writes it
    (words only where they are not the defaults), what the editor edits."""
    if name in BUILTIN:
        saga = BUILTIN[name]
    else:
        definition = _store().get(name)
        if definition is None:
            raise _NotFound(name)
        try:
            saga = check_saga(definition)
        except SagaError:  # stored under rules since changed: as stored, for the editor to mend
            return jsonify(saga=definition, written=definition, builtin=False)
    return jsonify(saga=saga.to_dict(), written=saga.written(), builtin=name in BUILTIN)


@bp.post("/api/sagas/check")
def check() -> Any:
    """Body: a definition. 200 `{"saga", "written"}` (every word filled in; as a person writes
    it) or 400 `{"errors"}`: the schema's own messages, for an editor that checks as the user
    types; nothing is stored."""
    saga = _checked(json_body())
    if isinstance(saga, tuple):
        return saga
    return jsonify(saga=saga.to_dict(), written=saga.written())


@bp.post("/api/sagas")
def add_saga() -> Any:
    """Body: a saga definition (docs/sagas.md). 201 `{"saga", "token", "url"}`: the token
    replaces or deletes it later; 400 `{"errors"}`; 409 when the name is taken."""
    saga = _checked(json_body())
    if isinstance(saga, tuple):
        return saga
    if saga.name in BUILTIN:
        return jsonify(error=f"'{saga.name}' is a built-in saga: choose another name"), 409
    token = secrets.token_urlsafe(18)
    try:
        added = _store().add(saga, access.digest(token))
    except SagaFull as exc:
        return jsonify(error=str(exc)), 507
    if not added:
        return jsonify(
            error=f"a saga named '{saga.name}' is stored already: replace it with "
            f"PUT /api/sagas/{saga.name} and its token, or choose another name"
        ), 409
    url = f"/api/sagas/{saga.name}"
    return jsonify(saga=saga.to_dict(), token=token, url=url), 201, {"Location": url}


def _refusal(name: str, body: dict[str, Any]) -> tuple[Response, int] | None:
    """Who may change a stored saga: its token's holder or the administrator."""
    if name in BUILTIN:
        return jsonify(error=f"'{name}' is a built-in saga: it cannot be changed"), 409
    digest = _store().token_digest(name)
    if digest is None:
        raise _NotFound(name)
    refused = access.delete_refusal(
        token_text(body.get("token")),
        digest,
        current_app.config,
        what="saga",
        holder="the token it was stored with (POST /api/sagas answered it)",
    )
    if refused:
        return jsonify(error=f"saga {name}: {refused}"), 403
    return None


@bp.put("/api/sagas/<name>")
def replace_saga(name: str) -> Any:
    """Body `{"token", "saga"}`: a new version under the same name. Runs keep the version
    they ran (a run stores its whole definition)."""
    _name_or_404(name)
    body = json_body()
    refused = _refusal(name, body)
    if refused:
        return refused
    saga = _checked(body.get("saga"))
    if isinstance(saga, tuple):
        return saga
    if saga.name != name:
        return jsonify(errors={"saga.name": f"must stay '{name}' (store a copy with POST)"}), 400
    _store().replace(saga)
    return jsonify(saga=saga.to_dict())


@bp.delete("/api/sagas/<name>")
def delete_saga(name: str) -> Any:
    """Body `{"token"}`: the saga's token or the administrator token, as for runs."""
    _name_or_404(name)
    refused = _refusal(name, json_body(optional=True))
    if refused:
        return refused
    _store().delete(name)
    return jsonify(deleted=name)

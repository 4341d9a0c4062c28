"""Class pages (join, student view, QR code) and the class REST API of docs/protocol.md."""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
)

from app.classes.errors import ClassError
from app.classes.hub import ClassHub
from app.classes.store import Classroom
from app.inputs import loose_json
from app.origins import refuse_foreign_origin

bp = Blueprint("classes", __name__)
bp.before_request(refuse_foreign_origin)


def _hub() -> ClassHub:
    return current_app.extensions["sagalab.classes"]


def _body() -> dict[str, Any]:
    body = loose_json()
    if not isinstance(body, dict):
        raise ClassError(400, "must be a JSON object (Content-Type: application/json)", "body")
    return body


def _presenter(code: str, body: Any = None) -> Classroom:
    """The class if the request carries its presenter token (body or X-Presenter-Token)."""
    token = request.headers.get("X-Presenter-Token")
    if token is None and isinstance(body, dict):  # a JSON list or string carries no token
        token = body.get("presenter_token")
    return _hub().classes.presenter(code, token)


def join_url(code: str) -> str:
    base = current_app.config["PUBLIC_URL"] or request.host_url
    return f"{base.rstrip('/')}/class/{code}"


@bp.errorhandler(ClassError)
def class_error(exc: ClassError) -> tuple[Response, int, dict[str, str]]:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    return jsonify(error=exc.message, errors=exc.errors), exc.status, headers


# ----- pages -------------------------------------------------------------------------------


@bp.get("/class")
def join_page() -> Any:
    code = (request.args.get("code") or "").strip().upper().replace(" ", "").replace("-", "")
    if code:
        return redirect(f"/class/{code}")
    return render_template("class_join.html", code="", error=None)


@bp.get("/class/<code>")
def class_page(code: str) -> Any:
    room = _hub().classes.get(code)
    if room is None:
        error = f"There is no class with code {code}. Check the code on the presenter's screen: "
        error += "the class may have ended."
        return render_template("class_join.html", code=code, error=error), 404
    if room.code != code:
        return redirect(f"/class/{room.code}")
    return render_template("class.html", code=room.code, join_url=join_url(room.code))


@bp.get("/class/<code>/qr.svg")
def qr_svg(code: str) -> Response:
    room = _hub().classes.find(code)
    out = io.BytesIO()
    segno.make(join_url(room.code), error="m").save(
        out, kind="svg", scale=1, border=2, omitsize=True, xmldecl=False, dark="#000", light="#fff"
    )
    return Response(out.getvalue(), mimetype="image/svg+xml")


# ----- the API -----------------------------------------------------------------------------


@bp.post("/api/classes")
def create_class() -> tuple[Response, int, dict[str, str]]:
    room, token = _hub().create()
    url = f"/class/{room.code}"
    body = {
        "code": room.code,
        "presenter_token": token,
        "url": url,
        "join_url": join_url(room.code),
    }  # what the join card and the QR code carry
    return jsonify(body), 201, {"Location": url}


@bp.get("/api/classes/<code>")
def get_class(code: str) -> Response:
    """Anyone may look; counts and the answer of an open poll need the presenter token."""
    full = "X-Presenter-Token" in request.headers
    room = _presenter(code) if full else _hub().classes.find(code)
    return jsonify(_state(room, full))


def _state(room: Classroom, full: bool) -> dict[str, Any]:
    state = _hub().classes.state(room.code, full)
    if state is None:
        raise ClassError(404, f"there is no class with code {room.code!r} (it has ended)")
    return state


@bp.delete("/api/classes/<code>")
def end_class(code: str) -> Response:
    room = _presenter(code, loose_json() or {})
    _hub().end(room.code, "the presenter ended the class")
    return jsonify(ended=room.code)


@bp.post("/api/classes/<code>/run")
def show_run(code: str) -> Response:
    body = _body()
    room = _presenter(code, body)
    run_id = body.get("run_id")
    if not isinstance(run_id, str) or _hub().runs.store.get_run(run_id) is None:
        raise ClassError(404, f"there is no run with id {run_id!r}", "run_id")
    _hub().show(room, run_id)
    return jsonify(_state(room, True))


@bp.post("/api/classes/<code>/poll")
def ask(code: str) -> tuple[Response, int]:
    body = _body()
    return jsonify(_hub().ask(_presenter(code, body), body)), 201


@bp.post("/api/classes/<code>/reveal")
def reveal(code: str) -> Response:
    body = _body()
    return jsonify(_hub().reveal(_presenter(code, body), body))


@bp.post("/api/classes/<code>/vote")
def vote(code: str) -> Response:
    """A student's vote: one per joined device (the voter id its join_class got),
    changeable until the reveal."""
    room, choice = _hub().vote(code, loose_json())
    return jsonify(ok=True, poll=room.poll_id, choice=choice)


@bp.get("/api/runs/<run_id>/polls")
def run_polls(run_id: str) -> Response | tuple[Response, int]:
    """The questions asked about a run, with their tallies and answers (an export)."""
    if _hub().runs.store.get_run(run_id) is None:
        return jsonify(error=f"no run with id {run_id!r}"), 404
    polls = _hub().records.for_run(run_id)
    return Response(
        jsonify(run_id=run_id, polls=polls).get_data(),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{run_id}-polls.json"'},
    )

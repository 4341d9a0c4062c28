"""The repros of issue 27's fuzz, each answered with a clear 4xx (or error ack), not a 500."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from tests.conftest import make_app, run_ended, wait_until

SURROGATE = "\ud800"


@pytest.fixture
def klass(client: FlaskClient) -> dict[str, Any]:
    return client.post("/api/classes").get_json()


def raw_post(client: FlaskClient, url: str, body: Any, **kwargs: Any) -> Any:
    """POST body as JSON text (json.dumps escapes a lone surrogate as \\ud800, as a script
    would send it)."""
    return client.post(url, data=json.dumps(body), content_type="application/json", **kwargs)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("token", ["é", "ü" * 30, "\xe9", "tok\u200ben"])
def test_a_non_ascii_presenter_token_is_a_403(
    client: FlaskClient, sio: SocketIOTestClient, klass: dict[str, Any], token: str, caplog
) -> None:
    code = klass["code"]
    with caplog.at_level(logging.ERROR):
        for url in (f"/api/classes/{code}/poll", f"/api/classes/{code}/reveal"):
            assert client.post(url, json={"presenter_token": token}).status_code == 403
        latin1 = token.encode("latin-1", "ignore").decode("latin-1") or "é"
        headers = {"X-Presenter-Token": latin1}  # a header arrives as Latin-1 text
        assert client.get(f"/api/classes/{code}", headers=headers).status_code == 403
        assert client.delete(f"/api/classes/{code}", headers=headers).status_code == 403
        started = client.post(
            "/api/runs",
            json={"preset": "tutorial", "class": {"code": code, "presenter_token": token}},
        )
        assert started.status_code == 403 and "class" in started.get_json()["errors"]
        ack = sio.emit("join_class", {"code": code, "presenter_token": token}, callback=True)
        assert ack == {"ok": False, "status": 403, "error": ack["error"]} and ack["error"]
        body = {"preset": "tutorial", "class": {"code": code, "presenter_token": token}}
        ack = sio.emit("start_run", body, callback=True)
        assert ack["ok"] is False and "class" in ack["errors"]
    assert not errors(caplog)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bookings": {}}, "bookings"),
        ({"seed": {}}, "seed"),
        ({"mode": {}}, "mode"),
        ({"until": {}}, "until"),
        ({"services": {"car": {"failure_rate": {}}}}, "services.car.failure_rate"),
        ({"services": {"car": {"capacity": {"x": 1}}}}, "services.car.capacity"),
    ],
)
def test_an_object_where_a_parameter_goes_is_a_bad_value(
    client: FlaskClient, sio: SocketIOTestClient, params: dict[str, Any], field: str
) -> None:
    response = client.post("/api/runs", json={"preset": "tutorial", "params": params})
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["errors"]
    ack = sio.emit("start_run", {"params": params}, callback=True)
    assert ack["ok"] is False and field in ack["errors"]


def test_a_lone_surrogate_is_refused_where_json_enters(
    app: Flask, client: FlaskClient, sio: SocketIOTestClient, klass: dict[str, Any], caplog
) -> None:
    run = client.post("/api/runs", json={"preset": "tutorial", "start_paused": True}).get_json()
    token = {"presenter_token": klass["presenter_token"]}
    code = klass["code"]
    assert (
        client.post(f"/api/classes/{code}/run", json={**token, "run_id": run["id"]}).status_code
        == 200
    )
    with caplog.at_level(logging.ERROR):
        for url, body in [
            ("/api/runs", {"preset": SURROGATE}),
            ("/api/runs", {"params": {"plan": {SURROGATE: ["car"]}}}),
            (f"/api/classes/{code}/run", {**token, "run_id": SURROGATE}),
            (f"/api/classes/{code}/poll", {**token, "question": SURROGATE, "choices": ["a", "b"]}),
            (f"/api/classes/{code}/vote", {"choice": SURROGATE, "voter": SURROGATE}),
            ("/api/experiments", {"name": SURROGATE}),
            (f"/api/runs/{run['id']}/rerun", {"seed": SURROGATE}),
        ]:
            response = raw_post(client, url, body)
            assert response.status_code == 400, (url, response.get_data(as_text=True))
            assert "surrogate" in response.get_json()["errors"]["body"]
        for path in ("/api/runs/%ED%A0%80", "/api/experiments/%ED%A0%80", "/runs/%ED%A0%80"):
            assert client.get(path).status_code == 404
        for event, body in [
            ("join_run", {"run_id": SURROGATE}),
            ("control_run", {"run_id": SURROGATE, "token": "x", "action": "pause"}),
            ("control_run", {"run_id": run["id"], "token": SURROGATE, "action": "pause"}),
            ("join_experiment", {"experiment_id": SURROGATE}),
            ("join_class", {"code": SURROGATE}),
            ("start_run", {"preset": "tutorial", "params": {SURROGATE: 1}}),
        ]:
            ack = sio.emit(event, body, callback=True)
            assert ack["ok"] is False and "surrogate" in ack["error"], (event, ack)
    assert not errors(caplog)


def test_after_a_run_fails_at_the_quota_new_runs_are_refused(tmp_path: Any) -> None:
    app = make_app(tmp_path, STORE_MAX_MB=1)
    client = app.test_client()
    body = {"preset": "tutorial", "params": {"bookings": 2_000, "until": None}, "speed": "instant"}
    run = client.post("/api/runs", json=body)
    assert run.status_code == 201
    wait_until(run_ended(app, run.get_json()["id"]), what="the run to end")
    assert app.extensions["sagalab.runs"].store.get_run(run.get_json()["id"])["status"] == "failed"
    for again in (body, {"preset": "tutorial", "start_paused": True}):
        refused = client.post("/api/runs", json=again)
        assert refused.status_code == 429, refused.get_json()
        assert "STORE_MAX_MB" in refused.get_json()["errors"]["store"]
    app.extensions["sagalab.runs"].shutdown("test finished")

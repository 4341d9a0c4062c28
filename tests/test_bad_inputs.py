"""Issue 14's bad inputs, one by one: each answers 400 (or an error ack) naming its field,
never a 500, a hung client or a silent drop."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.server import serving
from tests.conftest import make_app, run_ended, wait_until
from tests.raw_socketio import RawSocket
from tests.sim_helpers import experiment_spec


def nested(levels: int, leaf: Any = 1) -> str:
    """JSON of `levels` objects nested in each other: {"a": {"a": ... leaf}}."""
    return '{"a": ' * levels + json.dumps(leaf) + "}" * levels


def nested_list(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.fixture
def stored(app: Flask, client: FlaskClient) -> dict[str, Any]:
    """A finished run: its id and control token."""
    started = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"}).json
    wait_until(run_ended(app, started["id"]), what="the run to end")
    return started


#: (method, path, raw JSON body or None, the field the 400 must name); {run} is a stored run
BAD_REST: list[tuple[str, str, str | None, str]] = [
    ("POST", "/api/runs", '{"params": ' + nested(500) + "}", "body"),
    ("POST", "/api/runs", '{"preset": "tutorial", "x": ' + nested_list(990) + "}", "body"),
    ("POST", "/api/runs", nested_list(990), "body"),
    ("POST", "/api/runs", '{"params": {"services": ' + nested_list(990) + "}}", "body"),
    ("POST", "/api/runs", '{"params": {"bookings": 1' + "0" * 4000 + "}}", "bookings"),
    ("POST", "/api/runs", '{"params": {"bookings": -1' + "0" * 400 + "}}", "bookings"),
    ("POST", "/api/runs", '{"speed": 1' + "0" * 400 + "}", "speed"),
    ("POST", "/api/runs", '{"params": {"network_delay": 1' + "0" * 400 + "}}", "network_delay"),
    ("POST", "/api/runs", '{"params": {"plan": {"BOOK002\\n": ["car"]}}}', "plan.'BOOK002\\n'"),
    ("POST", "/api/runs", '{"params": {"plan": {"BOOK0002": ["car"]}}}', "plan.BOOK0002"),
    ("POST", "/api/runs", '{"params": {"plan": {"BOOK000": ["car"]}}}', "plan.BOOK000"),
    ("POST", "/api/runs", '{"params": {"plan": {"BOOK\\u0660\\u0660\\u0662": ["car"]}}}', "plan"),
    ("POST", "/api/runs", '{"params": {"orchestrator": {"crash_saga": "BOOK0002"}}}', "crash"),
    ("POST", "/api/runs", '{"params": {"orchestrator": {"crash_saga": "BOOK002\\n"}}}', "crash"),
    ("POST", "/api/runs", "[1, 2", "body"),
    ("POST", "/api/runs", '"just a string"', "body"),
    ("GET", "/api/runs?offset=" + str(2**63), None, "offset"),
    ("GET", "/api/runs?offset=" + "9" * 5000, None, "offset"),
    ("GET", "/api/runs?limit=" + str(2**63), None, "limit"),
    ("GET", "/api/runs?offset=%D9%A3", None, "offset"),  # an Arabic-Indic digit
    ("GET", "/runs?page=" + str(2**63), None, "page"),
    ("GET", "/runs?page=0", None, "page"),
    ("POST", "/api/runs/{run}/rerun", "[]", "body"),
    ("POST", "/api/runs/{run}/rerun", '"new"', "body"),
    ("POST", "/api/runs/{run}/rerun", "5", "body"),
    ("POST", "/api/runs/{run}/rerun", '{"seed": ["same"]}', "seed"),
    ("POST", "/api/runs/{run}/rerun", '{"seed": {"same": 1}}', "seed"),
    ("POST", "/api/runs/{run}/rerun", '{"speed": 1' + "0" * 400 + "}", "speed"),
    ("POST", "/api/runs/{run}/twin", "[]", "body"),
    ("POST", "/api/runs/{run}/twin", "null", "body"),
    ("POST", "/api/runs/{run}/twin", '{"switch": ["idempotent"]}', "switch"),
    ("POST", "/api/runs/{run}/twin", '{"switch": {"idempotent": true}}', "switch"),
    ("POST", "/api/runs/{run}/twin", '{"switch": "idempotent", "speed": [1]}', "speed"),
    ("DELETE", "/api/runs/{run}", '{"token": "t\u00f6ken"}', "token"),
    ("DELETE", "/api/runs/{run}", '{"token": ["x"]}', "token"),
    ("DELETE", "/api/runs/{run}", "[]", "body"),
]

SPEC = experiment_spec(0.2, 5)
BAD_EXPERIMENTS: list[tuple[dict[str, Any], str]] = [
    ({**SPEC, "sweep": {**SPEC["sweep"], "param": ["retries"]}}, "sweep.param"),
    ({**SPEC, "sweep": {**SPEC["sweep"], "param": {"a": 1}}}, "sweep.param"),
    ({**SPEC, "factor": {"param": ["idempotent"], "levels": [True, False]}}, "factor.param"),
    ({**SPEC, "sweep": {**SPEC["sweep"], "to": 10**400}}, "sweep.to"),
    ({**SPEC, "base": {"preset": ["tutorial"], "params": {}}}, "base.preset"),
    ({**SPEC, "base": {"preset": None, "params": json.loads(nested(30))}}, "base.params"),
    ({**SPEC, "base": {"params": {"plan": {"BOOK0002": ["car"]}}}}, "base.params.plan"),
]


def errors_of(response: Any) -> dict[str, str]:
    body = response.json
    assert isinstance(body, dict) and isinstance(body.get("errors"), dict), body
    assert body["error"], body
    return body["errors"]


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD_REST)
def test_bad_rest_input_is_a_400_naming_its_field(
    client: FlaskClient,
    stored: dict[str, Any],
    method: str,
    path: str,
    body: str | None,
    field: str,
) -> None:
    response = client.open(
        path.format(run=stored["id"]), method=method, data=body, content_type="application/json"
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    if path.startswith("/runs"):  # a page: the message is on it
        assert field in response.get_data(as_text=True)
    else:
        assert any(field in key for key in errors_of(response)), response.json
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(("spec", "field"), BAD_EXPERIMENTS)
def test_bad_experiment_is_a_400_naming_its_field(
    client: FlaskClient, spec: dict[str, Any], field: str
) -> None:
    response = client.post(
        "/api/experiments", data=json.dumps(spec), content_type="application/json"
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert any(key.startswith(field) for key in errors_of(response)), response.json


def test_plan_near_misses_say_what_to_write(client: FlaskClient) -> None:
    response = client.post("/api/runs", json={"params": {"plan": {"BOOK0002": ["car"]}}})
    assert "write BOOK002" in response.json["errors"]["plan.BOOK0002"]
    spaced = client.post("/api/runs", json={"params": {"plan": {"BOOK002\n": ["car"]}}})
    assert "write BOOK002" in spaced.json["errors"]["plan.'BOOK002\\n'"]
    good = client.post("/api/runs", json={"params": {"plan": {"BOOK002": ["car"]}}, "speed": 1.0})
    assert good.status_code == 201


def test_non_ascii_token_on_experiment_cancel_is_a_400(client: FlaskClient) -> None:
    exp = client.post("/api/experiments", json=SPEC).json
    response = client.post(f"/api/experiments/{exp['id']}/cancel", json={"token": "jeton-\u00e9"})
    assert response.status_code == 400 and "token" in errors_of(response)


def test_non_ascii_token_on_control_run_is_an_error_ack(client: FlaskClient, sio: Any) -> None:
    started = client.post("/api/runs", json={"preset": "tutorial", "start_paused": True}).json
    for token in ("jeton-\u00e9", "\u2603" * 24, "x" * 300):
        ack = sio.emit(
            "control_run",
            {"run_id": started["id"], "token": token, "action": "pause"},
            callback=True,
        )
        assert ack["ok"] is False and "token" in ack["error"], ack


def test_huge_from_seq_and_deep_messages_get_error_acks(client: FlaskClient, sio: Any) -> None:
    started = client.post("/api/runs", json={"preset": "tutorial", "start_paused": True}).json
    ack = sio.emit("join_run", {"run_id": started["id"], "from_seq": 10**50}, callback=True)
    assert ack["ok"] is False and "from_seq" in ack["error"]
    deep = json.loads(nested(200))
    for event in ("start_run", "join_run", "leave_run", "control_run"):
        ack = sio.emit(event, deep, callback=True)
        assert ack["ok"] is False and "levels deep" in json.dumps(ack), (event, ack)
    ack = sio.emit("start_run", {"speed": 10**99}, callback=True)
    assert ack["ok"] is False and "speed" in ack["errors"]
    ack = sio.emit("start_run", {"speed": 10**100}, callback=True)
    assert ack["ok"] is False and "more than 100 digits" in ack["error"]


@pytest.fixture
def served(tmp_path: Any) -> Iterator[str]:
    app = make_app(tmp_path)
    with serving(app) as url:
        yield url


#: raw Socket.IO packets a client might send (id 7 asks for an ack) -> what the error says
MALFORMED_PACKETS: list[tuple[str, int | str, str]] = [
    ('27["join_run"', 7, "could not be read"),
    ('27{"run_id": "x"}', 7, "JSON array"),
    ('27"join_run"', 7, "JSON array"),
    ("27[]", 7, "JSON array"),
    ("27[5]", 7, "event name"),
    ('27[["join_run"]]', 7, "event name"),
    ('27[""]', 7, "event name"),
    ('27["connect"]', 7, "reserved"),
    ('27["disconnect", {}]', 7, "reserved"),
    ('27["join_run", {}, {}]', 7, "one argument"),
    ("2" + "1" * 150 + '["join_run", {}]', "1" * 150, "could not be read"),
    ('27["start_run", {"speed": 1' + "0" * 100 + "}]", 7, "more than 100 digits"),
    ('27["start_run", {"speed": 1' + "0" * 5000 + "}]", 7, "more than 100 digits"),
    ("27" + nested_list(990), 7, "could not be read"),
    ('27["start_run", ' + nested(990) + "]", 7, "could not be read"),
]


def test_malformed_socketio_packets_get_an_error_ack(served: str) -> None:
    raw = RawSocket(served)
    try:
        for packet, ack_id, says in MALFORMED_PACKETS:
            raw.send(packet)
            ack = raw.ack(ack_id)
            assert ack["ok"] is False and says in ack["error"], (packet[:60], ack)
        raw.send('2["join_run"')  # no ack asked for: a protocol_error says why
        assert "could not be read" in raw.protocol_error()["error"]
        assert raw.call("join_run", {"run_id": "nope"})["error"] == "no run with id 'nope'"
    finally:
        raw.close()

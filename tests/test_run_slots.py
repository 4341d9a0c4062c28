"""The fair live-slot rule (app/runs/slots.py, docs/protocol.md): a few clients cannot keep
another from starting a run, nor students a presenter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from app.extensions import socketio_of
from app.runs.slots import GIVEN_UP
from tests.conftest import make_app, wait_until

PAUSED = {"preset": "tutorial", "start_paused": True}
RUNNING = {"preset": "tutorial", "speed": 0.1}


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    app = make_app(tmp_path, MAX_LIVE_RUNS=8, MAX_LIVE_RUNS_PER_CLIENT=3)
    yield app
    app.extensions["sagalab.runs"].shutdown("test finished")


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def watch(app: Flask, run_id: str) -> SocketIOTestClient:
    sio = socketio_of(app).test_client(app, flask_test_client=app.test_client())
    assert sio.emit("join_run", {"run_id": run_id}, callback=True)["ok"]
    live = app.extensions["sagalab.runs"].get(run_id)
    wait_until(live.watched, what="the viewer to enter the run")
    return sio


def live_by_client(app: Flask) -> dict[str, int]:
    out: dict[str, int] = {}
    for run in app.extensions["sagalab.runs"].live_runs().values():
        out[run.client] = out.get(run.client, 0) + 1
    return out


def test_three_clients_starting_paused_runs_cannot_keep_a_fourth_from_starting(
    app: Flask,
) -> None:
    attackers = [client_at(app, f"10.0.0.{n}") for n in (1, 2, 3)]
    for _round in range(3):  # each starts paused runs until refused, again and again
        for attacker in attackers:
            answers = [attacker.post("/api/runs", json=PAUSED).status_code for _ in range(4)]
            assert answers[-1] == 429 and set(answers) <= {201, 429}, answers
    assert sum(live_by_client(app).values()) == 8  # the server is full
    fourth = client_at(app, "10.0.0.4").post("/api/runs", json=PAUSED)
    assert fourth.status_code == 201, fourth.get_json()
    assert live_by_client(app)["10.0.0.4"] == 1
    stopped = [
        run
        for run in app.extensions["sagalab.runs"].store.list_runs(50, 0)
        if run["status"] == "stopped"
    ]
    assert stopped and all(run["reason"] == GIVEN_UP for run in stopped)


def test_watched_running_runs_give_way_to_a_client_with_fewer(app: Flask) -> None:
    viewers = []
    for n in (1, 2, 3):
        client = client_at(app, f"10.0.0.{n}")
        for _ in range(3 if n < 3 else 2):
            started = client.post("/api/runs", json=RUNNING)
            assert started.status_code == 201
            viewers.append(watch(app, started.get_json()["id"]))
    assert live_by_client(app) == {"10.0.0.1": 3, "10.0.0.2": 3, "10.0.0.3": 2}
    fourth = client_at(app, "10.0.0.4")
    assert fourth.post("/api/runs", json=RUNNING).status_code == 201
    held = live_by_client(app)
    assert held["10.0.0.4"] == 1 and sorted(held.values()) == [1, 2, 2, 3]
    # a client holding as many as anyone else gets no slot from the others: no churn
    assert client_at(app, "10.0.0.3").post("/api/runs", json=RUNNING).status_code == 429
    refused = client_at(app, "10.0.0.1").post("/api/runs", json=RUNNING)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    for sio in viewers:
        sio.disconnect()


def test_a_presenter_starts_a_run_on_a_server_full_of_students_runs(app: Flask) -> None:
    viewers = []
    for n in range(8):  # eight students, one watched running run each: nobody gives way
        started = client_at(app, f"10.0.1.{n}").post("/api/runs", json=RUNNING)
        assert started.status_code == 201
        viewers.append(watch(app, started.get_json()["id"]))
    student = client_at(app, "10.0.1.99").post("/api/runs", json=RUNNING)
    assert student.status_code == 429
    presenter = client_at(app, "10.0.1.0")  # the same address as a student, too
    klass = presenter.post("/api/classes").get_json()
    auth = {"code": klass["code"], "presenter_token": klass["presenter_token"]}
    for _ in range(3):
        shown = presenter.post("/api/runs", json={**RUNNING, "class": auth})
        assert shown.status_code == 201, shown.get_json()
    assert len(app.extensions["sagalab.runs"].live_runs()) == 11
    assert presenter.post("/api/runs", json={**RUNNING, "class": auth}).status_code == 429
    for sio in viewers:
        sio.disconnect()

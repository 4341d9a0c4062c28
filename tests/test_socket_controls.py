"""control_run: pause, resume, step, speed, stop, inject, and who may use them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from app.extensions import socketio_of
from tests.conftest import batch_events, drain, run_ended, wait_until


@pytest.fixture
def started(sio: SocketIOTestClient) -> dict[str, Any]:
    """A paused live run started by `sio`, which holds its token."""
    ack = sio.emit(
        "start_run", {"preset": "tutorial", "speed": 1.0, "start_paused": True}, callback=True
    )
    assert ack["ok"]
    drain(sio)
    return ack


def control(sio: SocketIOTestClient, run: dict[str, Any], action: str, **extra: Any) -> dict:
    message = {"run_id": run["id"], "token": run["control_token"], "action": action, **extra}
    return sio.emit("control_run", message, callback=True)


def last_status(sio: SocketIOTestClient) -> dict[str, Any]:
    return drain(sio)["run_status"][-1]


def test_resume_and_pause_change_the_state(app: Flask, sio, started) -> None:
    assert control(sio, started, "resume") == {"ok": True}
    assert last_status(sio)["state"] == "running"
    assert control(sio, started, "pause") == {"ok": True}
    status = last_status(sio)
    assert status["state"] == "paused"
    assert app.extensions["sagalab.runs"].store.get_run(started["id"])["status"] == "paused"


def test_step_advances_by_at_least_one_event_and_keeps_paused(sio, started) -> None:
    ack = control(sio, started, "step")
    assert ack["ok"] and ack["events"] >= 1
    got = drain(sio)
    assert batch_events(got["run_events"], started["id"])
    assert got["run_status"][-1]["state"] == "paused"


def test_speed_change_is_broadcast_and_checked(sio, started) -> None:
    assert control(sio, started, "speed", speed=25)["ok"]
    assert last_status(sio)["speed"] == 25.0
    for bad in (0, 5000, "fast", None):
        ack = control(sio, started, "speed", speed=bad)
        assert ack["ok"] is False and "0.1" in ack["error"], bad
    assert "needs" in control(sio, started, "speed")["error"]


def test_switching_to_instant_runs_to_the_end(app: Flask, sio, started) -> None:
    assert control(sio, started, "resume")["ok"]
    assert control(sio, started, "speed", speed="instant")["ok"]
    wait_until(run_ended(app, started["id"]), what="the run to end")
    assert app.extensions["sagalab.runs"].store.get_run(started["id"])["status"] == "finished"


def test_stop_ends_the_run_with_run_finished(app: Flask, sio, started) -> None:
    control(sio, started, "step")
    assert control(sio, started, "stop") == {"ok": True}
    got = drain(sio)
    assert got["run_status"][-1]["state"] == "stopped"
    assert batch_events(got["run_events"], started["id"])[-1]["kind"] == "run.finished"
    stored = app.extensions["sagalab.runs"].store.get_run(started["id"])
    assert stored["status"] == "stopped" and stored["summary"] is not None
    again = control(sio, started, "resume")
    assert again["ok"] is False and "ended" in again["error"]


def test_inject_a_fault_at_the_current_time(sio, started) -> None:
    control(sio, started, "step")
    drain(sio)
    ack = control(sio, started, "inject", fault={"action": "crash", "actor": "orchestrator"})
    assert ack == {"ok": True}
    events = batch_events(drain(sio)["run_events"], started["id"])
    assert any(e["kind"] == "actor.crashed" for e in events)


@pytest.mark.parametrize(
    "fault",
    [
        None,
        "crash",
        {"action": "explode", "actor": "car"},
        {"action": "crash", "actor": "pilot"},
        {"action": "crash", "actor": "car", "when": 3},
    ],
)
def test_malformed_faults_are_refused(sio, started, fault) -> None:
    ack = control(sio, started, "inject", fault=fault)
    assert ack["ok"] is False and "fault" in ack["error"]


def test_a_fault_that_does_not_apply_is_refused(sio, started) -> None:
    control(sio, started, "step")
    ack = control(sio, started, "inject", fault={"action": "restart", "actor": "car"})
    assert ack["ok"] is False and ack["error"]


def test_without_the_token_nothing_can_be_controlled(app: Flask, client, sio, started) -> None:
    viewer = socketio_of(app).test_client(app, flask_test_client=client)
    real = started["control_token"]
    off_by_one = real[:-1] + ("y" if real.endswith("x") else "x")  # never the token itself
    for token in (None, "", "guess", off_by_one):
        message = {"run_id": started["id"], "token": token, "action": "resume"}
        ack = viewer.emit("control_run", message, callback=True)
        assert ack["ok"] is False and "token" in ack["error"]
    stored = app.extensions["sagalab.runs"].store.get_run(started["id"])
    assert stored["status"] == "paused"


def test_unknown_action_and_malformed_controls(sio, started) -> None:
    assert "action must be" in control(sio, started, "rewind")["error"]
    assert "run_id" in sio.emit("control_run", {"action": "pause"}, callback=True)["error"]
    assert sio.emit("control_run", [1], callback=True)["ok"] is False
    missing = sio.emit(
        "control_run", {"run_id": "nope", "token": "t", "action": "pause"}, callback=True
    )
    assert "no run" in missing["error"]


def test_stepping_to_the_end_finishes_the_run(app: Flask, sio) -> None:
    ack = sio.emit(
        "start_run",
        {"preset": "tutorial", "params": {"until": 5.0}, "start_paused": True},
        callback=True,
    )
    for _ in range(500):
        step = control(sio, ack, "step")
        if not step["ok"]:
            break
    assert "ended" in step["error"]
    stored = app.extensions["sagalab.runs"].store.get_run(ack["id"])
    assert stored["status"] == "finished" and stored["t"] == 5.0
    events = batch_events(drain(sio)["run_events"], ack["id"])
    assert events[-1]["kind"] == "run.finished"
    assert [e["seq"] for e in events] == list(range(len(events)))


def test_an_engine_failure_stops_the_run_not_the_server(app: Flask, sio, started) -> None:
    run = app.extensions["sagalab.runs"].get(started["id"])

    def broken(until: float) -> int:
        raise RuntimeError("boom")

    run.sim.advance = broken  # the engine fails on the next tick
    assert control(sio, started, "resume")["ok"]
    wait_until(run_ended(app, started["id"]), what="the failed run to end")
    stored = app.extensions["sagalab.runs"].store.get_run(started["id"])
    assert stored["status"] == "stopped" and "internal error: boom" in stored["reason"]
    again = sio.emit("start_run", {"preset": "tutorial", "speed": "instant"}, callback=True)
    assert again["ok"]

"""Faults as part of the run: the `faults` parameter, `--fault`, the API's field errors,
live injections stored with their simulated times and replayed by re-run."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from sim import ParamsError, resolve
from sim.cli import main
from tests.conftest import drain, run_ended, wait_until
from tests.sim_helpers import trace
from tests.test_history_api import stored_events

CRASH = {"t": 4.2, "action": "crash", "actor": "orchestrator"}


def crashes(events: list[dict[str, Any]]) -> list[tuple[float, str, str]]:
    kinds = ("actor.crashed", "actor.restarted")
    return [(e["t"], e["kind"], e["actor"]) for e in events if e["kind"] in kinds]


def test_a_fault_parameter_crashes_the_actor_at_its_time():
    events = trace("tutorial", faults=[CRASH])
    assert events[0]["params"]["faults"] == [CRASH]
    assert crashes(events) == [
        (4.2, "actor.crashed", "orchestrator"),
        (9.2, "actor.restarted", "orchestrator"),
    ]
    crashed = next(e for e in events if e["kind"] == "actor.crashed")
    assert crashed["restart_at"] == 9.2


def test_runs_without_faults_keep_their_form():
    assert "faults" not in trace("tutorial")[0]["params"]
    assert "faults" not in resolve({"preset": "tutorial", "params": {"faults": []}}).to_dict()


def test_faults_are_sorted_and_service_faults_toggle():
    events = trace(
        "tutorial",
        faults=[
            {"t": 7, "action": "restart", "actor": "car"},
            {"t": 2, "action": "crash", "actor": "car"},
        ],
    )
    assert crashes(events) == [(2.0, "actor.crashed", "car"), (7.0, "actor.restarted", "car")]
    assert "restart_at" not in next(e for e in events if e["kind"] == "actor.crashed")


@pytest.mark.parametrize(
    ("fault", "field", "needle"),
    [
        ({"t": "soon", "action": "crash", "actor": "orchestrator"}, "faults.0.t", "number"),
        ({"t": -1, "action": "crash", "actor": "orchestrator"}, "faults.0.t", "from 0 to 40"),
        ({"t": 41, "action": "crash", "actor": "orchestrator"}, "faults.0.t", "from 0 to 40"),
        ({"t": 1, "action": "explode", "actor": "car"}, "faults.0.action", "crash, restart"),
        ({"t": 1, "action": "crash", "actor": "pilot"}, "faults.0.actor", "orchestrator"),
        ({"t": 1, "action": "crash", "actor": "car", "when": 2}, "faults.0.when", "fault field"),
    ],
)
def test_bad_faults_name_their_field(fault, field, needle):
    with pytest.raises(ParamsError) as err:
        resolve({"preset": "tutorial", "params": {"faults": [fault]}})
    assert needle in err.value.errors[field]


def test_no_orchestrator_to_crash_in_choreography():
    with pytest.raises(ParamsError) as err:
        resolve({"preset": "tutorial-choreography", "params": {"faults": [CRASH]}})
    assert "no orchestrator" in err.value.errors["faults.0.actor"]


def test_cli_fault_is_in_the_transcript(capsys):
    assert main(["--preset", "tutorial", "--fault", "4.2:crash:orchestrator"]) == 0
    out = capsys.readouterr().out
    assert "[4.2] *** SagaOrchestrator CRASHED - crashed on request ***" in out
    assert "[9.2] *** SagaOrchestrator RESTARTED - restart delay passed ***" in out


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("4.2:crash:pilot", "faults.0.actor"),
        ("-1:crash:orchestrator", "faults.0.t"),
        ("99:crash:orchestrator", "faults.0.t"),
        ("soon:crash:orchestrator", "faults.0.t: must be a number"),
        ("4.2:crash", "TIME:ACTION:ACTOR"),
    ],
)
def test_cli_bad_faults_exit_2_with_one_line(text, needle):
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--preset", "tutorial", f"--fault={text}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr, done.stderr
    assert done.stdout == ""


def test_api_gives_field_errors_for_bad_faults(client: FlaskClient) -> None:
    resp = client.post(
        "/api/runs",
        json={
            "preset": "tutorial",
            "params": {"faults": [{"t": 50, "action": "crash", "actor": "bus"}]},
        },
    )
    assert resp.status_code == 400
    assert set(resp.json["errors"]) == {"faults.0.t", "faults.0.actor"}


def test_injected_faults_are_stored_and_replayed_by_rerun(
    app: Flask, client: FlaskClient, sio: SocketIOTestClient
) -> None:
    ack = sio.emit(
        "start_run", {"preset": "tutorial", "speed": 1.0, "start_paused": True}, callback=True
    )
    run = {"run_id": ack["id"], "token": ack["control_token"]}
    for _ in range(6):
        assert sio.emit("control_run", {**run, "action": "step"}, callback=True)["ok"]
    fault = {"action": "crash", "actor": "orchestrator"}
    assert sio.emit("control_run", {**run, "action": "inject", "fault": fault}, callback=True)["ok"]
    drain(sio)
    stored = client.get(f"/api/runs/{ack['id']}").json["params"]["faults"]
    assert len(stored) == 1 and stored[0]["actor"] == "orchestrator" and stored[0]["t"] > 0
    sio.emit("control_run", {**run, "action": "speed", "speed": "instant"}, callback=True)
    sio.emit("control_run", {**run, "action": "resume"}, callback=True)
    wait_until(run_ended(app, ack["id"]), what="the first run to end")
    again = client.post(f"/api/runs/{ack['id']}/rerun", json={"seed": "same", "speed": "instant"})
    assert again.status_code == 201
    wait_until(run_ended(app, again.json["id"]), what="the re-run to end")
    first = crashes(stored_events(client, ack["id"]))
    assert first[0] == (stored[0]["t"], "actor.crashed", "orchestrator")
    assert crashes(stored_events(client, again.json["id"])) == first


def test_run_info_carries_the_preset_description(app: Flask, client: FlaskClient) -> None:
    resp = client.post("/api/runs", json={"preset": "no-isolation", "speed": "instant"})
    info = client.get(f"/api/runs/{resp.json['id']}").json
    assert info["preset"] == "no-isolation" and "not isolated" in info["description"]


def test_remedy_runs_the_fix_on_the_same_seed(app: Flask, client: FlaskClient) -> None:
    resp = client.post(
        "/api/runs",
        json={"preset": "wrong-compensation-order", "params": {"seed": 9}, "speed": "instant"},
    )
    failing = resp.json["id"]
    assert client.get(f"/api/runs/{failing}").json["remedy"] == "right-compensation-order"
    fix = client.post(f"/api/runs/{failing}/remedy", json={})
    assert fix.status_code == 201
    assert fix.json["compare_url"] == f"/compare?a={failing}&b={fix.json['id']}"
    info = client.get(f"/api/runs/{fix.json['id']}").json
    assert info["preset"] == "right-compensation-order" and info["params"]["seed"] == 9
    assert client.get("/api/presets").json["car-no-retry"]["remedy"] == "car-retry"


def test_a_run_without_a_failing_preset_has_no_remedy(app: Flask, client: FlaskClient) -> None:
    resp = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"})
    refused = client.post(f"/api/runs/{resp.json['id']}/remedy", json={})
    assert refused.status_code == 400 and "no remedy" in refused.json["errors"]["preset"]

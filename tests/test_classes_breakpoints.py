"""Breakpoints: a live run pauses by itself at chosen events and holds back what follows."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from tests.conftest import batch_events, drain, reference_lines, run_ended, wait_until


def start(sio: SocketIOTestClient, **body: Any) -> dict[str, Any]:
    ack = sio.emit("start_run", {"preset": "tutorial", **body}, callback=True)
    assert ack["ok"], ack
    return ack


def control(sio: SocketIOTestClient, run: dict[str, Any], action: str, **extra: Any) -> dict:
    message = {"run_id": run["id"], "token": run["control_token"], "action": action, **extra}
    return sio.emit("control_run", message, callback=True)


class Watch:
    """Everything one test client received for one run, accumulated across drains."""

    def __init__(self, sio: SocketIOTestClient, run_id: str) -> None:
        self.sio, self.run_id = sio, run_id
        self.events: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []

    def poll(self) -> Watch:
        got = drain(self.sio)
        self.events += batch_events(got.get("run_events", []), self.run_id)
        self.statuses += [s for s in got.get("run_status", []) if s["run_id"] == self.run_id]
        return self

    def paused_at(self) -> dict[str, Any] | None:
        self.poll()
        last = self.statuses[-1] if self.statuses else {}
        return last.get("breakpoint") if last.get("state") == "paused" else None


def test_a_failed_step_pauses_the_run_and_nothing_after_it_is_sent(app: Flask, sio) -> None:
    run = start(sio, speed=50, breakpoints=["step_failed"])
    watch = Watch(sio, run["id"])
    hit = wait_until(watch.paused_at, what="the run to pause at the car failure")
    assert hit["name"] == "step_failed" and hit["label"] == "a step failed"
    assert hit["event"]["kind"] == "step.failed" and hit["event"]["saga"] == "BOOK003"
    assert watch.events[-1] == hit["event"], "the failure is the last event anyone saw"
    stored = app.extensions["sagalab.runs"].store
    assert stored.get_run(run["id"])["status"] == "paused"
    assert stored.get_run(run["id"])["event_count"] == hit["seq"] + 1
    live = app.extensions["sagalab.runs"].get(run["id"])
    assert live.status()["breakpoint"]["seq"] == hit["seq"]


def test_resume_releases_the_held_events_and_the_trace_is_unchanged(app: Flask, sio) -> None:
    run = start(sio, speed="instant", breakpoints=["step_failed", "compensation_started"])
    watch = Watch(sio, run["id"])
    kinds = []
    while True:
        hit = wait_until(
            lambda: (
                watch.paused_at()
                or watch.poll().statuses[-1]["state"] not in ("running", "paused", "pending")
            ),
            what="a pause or the end",
        )
        if not isinstance(hit, dict):
            break
        kinds.append((hit["event"]["kind"], hit["event"]["saga"], hit["event"]["step"]))
        assert control(sio, run, "resume")["ok"]
        watch.statuses.clear()
    wait_until(run_ended(app, run["id"]), what="the run to end")
    watch.poll()
    assert kinds == [
        ("step.failed", "BOOK003", "car"),
        ("compensation.started", "BOOK003", "hotel"),
        ("compensation.started", "BOOK003", "flight"),
        # BOOK004's flight fails too, but a failed first step has nothing to undo: no pause
    ]
    params = app.extensions["sagalab.runs"].store.get_run(run["id"])["params"]
    lines = [
        line
        for rows in app.extensions["sagalab.runs"].store.event_lines(run["id"])
        for _seq, line in rows
    ]
    assert lines == reference_lines(params), "pausing at breakpoints changes nothing in the trace"
    assert [e["seq"] for e in watch.events] == list(range(len(lines)))


def test_step_at_a_breakpoint_releases_the_next_instant_only(sio) -> None:
    run = start(sio, speed="instant", breakpoints=["step_failed"])
    watch = Watch(sio, run["id"])
    hit = wait_until(watch.paused_at, what="the pause")
    ack = control(sio, run, "step")
    assert ack["ok"] and ack["events"] >= 1
    watch.poll()
    released = [e for e in watch.events if e["seq"] > hit["seq"]]
    assert len(released) == ack["events"]
    assert {e["t"] for e in released} == {hit["event"]["t"]}
    assert watch.statuses[-1]["state"] == "paused"


def test_breakpoints_can_be_changed_and_cleared_on_a_live_run(app: Flask, sio) -> None:
    run = start(sio, speed=50, start_paused=True)
    assert control(sio, run, "breakpoints", breakpoints=["actor_crashed"])["ok"]
    watch = Watch(sio, run["id"])
    assert watch.poll().statuses[-1]["breakpoints"] == ["actor_crashed"]
    fault = {"action": "crash", "actor": "hotel"}
    assert control(sio, run, "inject", fault=fault)["ok"]
    hit = wait_until(watch.paused_at, what="the crash breakpoint")
    assert hit["event"]["kind"] == "actor.crashed" and hit["event"]["actor"] == "hotel"
    assert control(sio, run, "breakpoints", breakpoints=[])["ok"]
    assert "breakpoints" not in watch.poll().statuses[-1]


@pytest.mark.parametrize(
    ("value", "words"),
    [("step_failed", "list"), (["nap"], "unknown breakpoint 'nap'"), ([1], "list")],
)
def test_bad_breakpoints_are_refused_by_name(client, sio, value, words) -> None:
    response = client.post("/api/runs", json={"preset": "tutorial", "breakpoints": value})
    assert response.status_code == 400 and words in response.get_json()["errors"]["breakpoints"]
    run = start(sio, start_paused=True)
    ack = control(sio, run, "breakpoints", breakpoints=value)
    assert ack["ok"] is False and words in ack["error"]
    assert "needs" in control(sio, run, "breakpoints")["error"]

"""Socket.IO with Flask-SocketIO's test client: starting, joining, leaving, bad messages."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIOTestClient

from app.extensions import socketio_of
from app.runs import live
from tests.conftest import batch_events, drain, reference_lines, run_ended, wait_until


def start(sio: SocketIOTestClient, **body) -> dict:
    return sio.emit("start_run", body, callback=True)


def test_start_run_acks_id_token_and_url_and_streams_to_the_starter(
    app: Flask, sio: SocketIOTestClient
) -> None:
    params = {"bookings": 6, "seed": 3}
    ack = start(sio, params=params, speed="instant")
    assert ack["ok"] is True
    assert ack["url"] == f"/runs/{ack['id']}" and ack["control_token"]
    wait_until(run_ended(app, ack["id"]), what="the run to end")
    got = drain(sio)
    events = batch_events(got["run_events"], ack["id"])
    assert [e["seq"] for e in events] == list(range(len(events)))
    from sim import to_json

    assert [to_json(e) for e in events] == reference_lines(params)
    assert got["run_status"][-1]["state"] == "finished"


def test_start_run_errors_name_the_fields(sio: SocketIOTestClient) -> None:
    ack = start(sio, preset="tutorial", speed="warp", params={"bookings": "many"})
    assert ack["ok"] is False
    assert "speed" in ack["errors"]
    assert any("bookings" in key for key in ack["errors"])
    assert sio.emit("start_run", "not an object", callback=True)["errors"]["body"]


def test_join_run_replays_everything_in_order(
    app: Flask, client, sio: SocketIOTestClient, monkeypatch
) -> None:
    monkeypatch.setattr(live, "CATCHUP_UNDER_LOCK", 5)  # catch up in several passes
    params = {"bookings": 8, "seed": 11}
    run_id = client.post("/api/runs", json={"params": params, "speed": "instant"}).json["id"]
    wait_until(run_ended(app, run_id), what="the run to end")
    ack = sio.emit("join_run", {"run_id": run_id}, callback=True)
    assert ack["ok"] is True
    assert ack["run"]["id"] == run_id and ack["run"]["status"] == "finished"
    got = drain(sio)
    from sim import to_json

    assert [to_json(e) for e in batch_events(got["run_events"], run_id)] == reference_lines(params)
    assert got["run_status"][-1]["state"] == "finished"


def test_join_run_from_seq_sends_only_the_rest(app: Flask, client, sio: SocketIOTestClient) -> None:
    run_id = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"}).json["id"]
    wait_until(run_ended(app, run_id), what="the run to end")
    total = client.get(f"/api/runs/{run_id}").json["event_count"]
    sio.emit("join_run", {"run_id": run_id, "from_seq": 10}, callback=True)
    seqs = [e["seq"] for e in batch_events(drain(sio)["run_events"], run_id)]
    assert seqs == list(range(10, total))


def test_join_live_paused_run_then_step_streams_live(
    app: Flask, client, sio: SocketIOTestClient
) -> None:
    body = {"preset": "tutorial", "speed": 1.0, "start_paused": True}
    started = client.post("/api/runs", json=body).json
    ack = sio.emit("join_run", {"run_id": started["id"]}, callback=True)
    assert ack["ok"] and ack["run"]["status"] == "paused" and ack["run"]["live"] is True
    before = batch_events(drain(sio).get("run_events", []), started["id"])
    control = {"run_id": started["id"], "token": started["control_token"], "action": "step"}
    step_ack = sio.emit("control_run", control, callback=True)
    assert step_ack["ok"] and step_ack["events"] >= 1
    after = batch_events(drain(sio)["run_events"], started["id"])
    seqs = [e["seq"] for e in before + after]
    assert seqs == list(range(len(seqs)))
    assert len(after) >= step_ack["events"]


def test_leave_run_stops_the_stream(app: Flask, client, sio: SocketIOTestClient) -> None:
    started = client.post("/api/runs", json={"preset": "tutorial", "start_paused": True}).json
    sio.emit("join_run", {"run_id": started["id"]}, callback=True)
    assert sio.emit("leave_run", {"run_id": started["id"]}, callback=True) == {"ok": True}
    drain(sio)
    control = {"run_id": started["id"], "token": started["control_token"], "action": "step"}
    other = socketio_of(app).test_client(app, flask_test_client=client)
    assert other.emit("control_run", control, callback=True)["ok"]
    assert "run_events" not in drain(sio)


def test_join_unknown_or_malformed_is_an_error(sio: SocketIOTestClient) -> None:
    assert "no run" in sio.emit("join_run", {"run_id": "nope"}, callback=True)["error"]
    for bad in (
        {},
        {"run_id": 5},
        "x",
        None,
        {"run_id": "r", "from_seq": -1},
        {"run_id": "r", "from_seq": True},
    ):
        ack = sio.emit("join_run", bad, callback=True)
        assert ack["ok"] is False and ack["error"], bad
    assert sio.emit("leave_run", [], callback=True)["ok"] is False


def test_unknown_event_is_answered_with_an_error(sio: SocketIOTestClient) -> None:
    ack = sio.emit("launch_missiles", {"now": True}, callback=True)
    assert ack["ok"] is False and "unknown event" in ack["error"]
    errors = drain(sio)["protocol_error"]
    assert errors[0]["event"] == "launch_missiles"


def test_oversized_messages_get_a_clear_error(sio: SocketIOTestClient) -> None:
    big = {"params": {"plan": {f"BOOK{i:03d}": ["car"] for i in range(1, 999)}}}
    ack = sio.emit("start_run", big, callback=True)
    assert ack["ok"] is False and "over the limit" in ack["errors"]["body"]
    join = sio.emit("join_run", {"run_id": "x" * 5000}, callback=True)
    assert "over the limit" in join["error"]


def test_start_run_respects_the_live_run_limit(app: Flask, sio: SocketIOTestClient) -> None:
    limit = app.config["MAX_LIVE_RUNS"]
    for _ in range(limit):
        assert start(sio, preset="tutorial", start_paused=True)["ok"]
    ack = start(sio, preset="tutorial", start_paused=True)
    assert ack["ok"] is False and "limit" in ack["errors"]["runs"]

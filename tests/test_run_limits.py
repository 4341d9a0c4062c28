"""No silent holes, a fair share for each client, and limits on how long a run may live."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from tests.conftest import make_app, run_ended, wait_until


def start(client: FlaskClient, remote: str = "127.0.0.1", **body: Any) -> Any:
    return client.post("/api/runs", json=body, environ_base={"REMOTE_ADDR": remote})


def stored_kinds(app: Flask, run_id: str) -> list[str]:
    import json

    store = app.extensions["sagalab.runs"].store
    return [json.loads(line)["kind"] for rows in store.event_lines(run_id) for _s, line in rows]


def test_a_failed_batch_write_fails_the_run_with_the_true_count(
    app: Flask, client: FlaskClient, monkeypatch: Any
) -> None:
    store = app.extensions["sagalab.runs"].store
    real = store.append_events
    calls = {"n": 0}

    def full_disk(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise sqlite3.OperationalError("database or disk is full")
        real(*args, **kwargs)

    monkeypatch.setattr(store, "append_events", full_disk)
    run = start(client, preset="tutorial", params={"bookings": 150}, speed=50).get_json()
    wait_until(lambda: app.extensions["sagalab.runs"].get(run["id"]) is None, what="the run end")
    stored = store.get_run(run["id"])
    kinds = stored_kinds(app, run["id"])
    assert stored["status"] == "failed"
    assert "disk is full" in stored["reason"]
    assert stored["event_count"] == len(kinds) > 0  # the true count, no hole claimed
    assert f"the first {len(kinds):,} were stored" in stored["reason"]
    assert "run.finished" not in kinds
    assert client.get(f"/api/runs/{run['id']}").get_json()["status"] == "failed"


def test_a_run_that_fills_the_store_stops_as_a_failed_write(tmp_path: Any) -> None:
    """STORE_MAX_MB is checked while the run writes, not only when it starts."""
    app = make_app(tmp_path, STORE_MAX_MB=1)
    client = app.test_client()
    run = start(
        client, preset="tutorial", params={"bookings": 2_000, "until": None}, speed="instant"
    )
    assert run.status_code == 201, run.get_json()  # the store was nearly empty at the start
    run_id = run.get_json()["id"]
    wait_until(run_ended(app, run_id), timeout=60, what="the run to end")
    store = app.extensions["sagalab.runs"].store
    stored, kinds = store.get_run(run_id), stored_kinds(app, run_id)
    assert stored["status"] == "failed"
    assert "STORE_MAX_MB" in stored["reason"] and "cannot take" in stored["reason"]
    assert stored["event_count"] == len(kinds) > 0
    assert f"the first {len(kinds):,} were stored" in stored["reason"]
    assert "run.finished" not in kinds
    assert [seq for rows in store.event_lines(run_id) for seq, _ in rows] == list(range(len(kinds)))
    assert store.size_mb() < 1  # it stopped before a batch would cross the quota


@pytest.mark.parametrize(
    ("limit", "body", "why"),
    [
        ({"RUN_IDLE_SECONDS": 0.3}, {"speed": 1, "start_paused": True}, "idle"),
        ({"RUN_MAX_SECONDS": 0.5}, {"speed": 0.1}, "limit of 0.5 s per run"),
    ],
    ids=["paused-run-idle-too-long", "slow-run-at-the-wall-clock-cap"],
)
def test_a_live_run_is_stopped_when_idle_or_too_old(
    tmp_path: Any, limit: dict[str, float], body: dict[str, Any], why: str
) -> None:
    app = make_app(tmp_path, **limit)
    run = start(app.test_client(), preset="tutorial", **body).get_json()
    wait_until(run_ended(app, run["id"]), timeout=20, what="the run to be stopped")
    stored = app.extensions["sagalab.runs"].store.get_run(run["id"])
    assert stored["status"] == "stopped" and why in stored["reason"]


def test_each_client_may_have_only_so_many_live_runs(tmp_path: Any) -> None:
    app = make_app(tmp_path, MAX_LIVE_RUNS_PER_CLIENT=2)
    client = app.test_client()
    for _ in range(2):
        assert start(client, preset="tutorial", speed=1, start_paused=True).status_code == 201
    refused = start(client, preset="tutorial", speed=1, start_paused=True)
    assert refused.status_code == 429
    assert "2 live runs" in refused.get_json()["errors"]["runs"]
    other = start(client, "10.9.9.9", preset="tutorial", speed=1, start_paused=True)
    assert other.status_code == 201  # another client still gets its share
    app.extensions["sagalab.runs"].shutdown("test finished")


def test_joins_per_connection_are_limited(tmp_path: Any) -> None:
    from app.extensions import socketio_of

    app = make_app(tmp_path, MAX_JOINS_PER_CONNECTION=3)
    client = app.test_client()
    run = start(client, preset="tutorial", params={"bookings": 3}, speed="instant").get_json()
    wait_until(run_ended(app, run["id"]), what="the run to end")
    sio: SocketIOTestClient = socketio_of(app).test_client(app, flask_test_client=client)
    acks = [sio.emit("join_run", {"run_id": run["id"]}, callback=True) for _ in range(4)]
    assert [a["ok"] for a in acks] == [True, True, True, False]
    assert "3 joins" in acks[-1]["error"]
    sio.disconnect()


def test_experiment_queue_has_a_cap_and_each_client_a_share(tmp_path: Any) -> None:
    from tests.test_experiments_api import SLOW_FAKE, body

    app = make_app(
        tmp_path,
        EXPERIMENT_WORKERS=0,
        EXPERIMENT_RUN_FN=SLOW_FAKE,
        EXPERIMENT_MAX_QUEUED=3,
        EXPERIMENT_MAX_QUEUED_PER_CLIENT=2,
    )
    client = app.test_client()

    def submit(remote: str) -> Any:
        spec = body(replications=500)
        return client.post("/api/experiments", json=spec, environ_base={"REMOTE_ADDR": remote})

    created = [submit("10.0.0.1") for _ in range(2)]
    assert [r.status_code for r in created] == [201, 201]
    mine = submit("10.0.0.1")
    assert mine.status_code == 429 and "per client" in mine.get_json()["errors"]["queue"]
    assert submit("10.0.0.2").status_code == 201
    full = submit("10.0.0.3")
    assert full.status_code == 429 and "3 experiments" in full.get_json()["errors"]["queue"]
    for reply in created:
        token = reply.get_json()["control_token"]
        client.post(f"/api/experiments/{reply.get_json()['id']}/cancel", json={"token": token})
    from app import shutdown

    shutdown(app)


def fill(app: Flask, run_id: str, events: int) -> None:
    """A stored run with `events` events of about 200 bytes each."""
    store = app.extensions["sagalab.runs"].store
    store.create_run(run_id, None, {"bookings": 1}, "instant", "finished")
    line = '{"kind":"note","text":"' + "x" * 180 + '"}'
    for first in range(0, events, 10_000):
        seqs = range(first, min(first + 10_000, events))
        store.append_events(run_id, [(seq, line) for seq in seqs], 0.0, seqs[-1] + 1)


@pytest.mark.sqlite
def test_deleting_a_huge_run_takes_the_write_lock_in_short_chunks(
    app: Flask, monkeypatch: Any
) -> None:
    store = app.extensions["sagalab.runs"].store
    fill(app, "huge", 45_000)
    fill(app, "kept", 10)
    deleted: list[int] = []
    real_write = store.db.write

    def write() -> Any:
        context = real_write()
        connection = context.__enter__()
        before = connection.total_changes

        class Recorder:
            def __enter__(self) -> Any:
                return connection

            def __exit__(self, *exc: Any) -> Any:
                deleted.append(connection.total_changes - before)
                return context.__exit__(*exc)

        return Recorder()

    monkeypatch.setattr(store.db, "write", write)
    assert store.delete_run("huge", chunk=10_000) is True
    assert len(deleted) >= 5 and max(deleted) <= 10_000  # never all 45,000 under the lock
    assert store.get_run("huge") is None and list(store.event_lines("huge")) == []
    assert sum(len(rows) for rows in store.event_lines("kept")) == 10
    assert store.delete_run("huge") is False


def test_a_full_store_refuses_new_runs_with_a_clear_message(tmp_path: Any) -> None:
    app = make_app(tmp_path, STORE_MAX_MB=2)
    client = app.test_client()
    assert start(client, preset="tutorial", speed=1, start_paused=True).status_code == 201
    app.extensions["sagalab.runs"].shutdown("test finished")
    fill(app, "big", 12_000)
    refused = start(client, preset="tutorial", speed="instant")
    assert refused.status_code == 429
    message = refused.get_json()["errors"]["store"]
    assert "STORE_MAX_MB" in message and "of 2 MB" in message and "delete old runs" in message

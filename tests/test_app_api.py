"""The REST API: presets, starting runs, every error path, listing, reading, events, health."""

from __future__ import annotations

import json
import threading
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from sim import PRESETS
from tests.conftest import TEST_LIMITS, reference_lines, run_ended, wait_until


def start(client: FlaskClient, **body: Any) -> Any:
    return client.post("/api/runs", json=body)


def test_presets_lists_every_preset_with_description_and_params(client: FlaskClient) -> None:
    response = client.get("/api/presets")
    assert response.status_code == 200
    assert set(response.json) == set(PRESETS)
    for name, preset in response.json.items():
        assert preset["description"] == PRESETS[name]["description"]
        assert preset["params"] == PRESETS[name]["params"]
    # a lesson measured by a built-in experiment links to it (the dashboard shows the link)
    measured = response.json["optimistic-order"]["experiments"]
    assert [x["url"] for x in measured] == ["/experiments?builtin=pessimistic-order"]
    assert response.json["no-isolation"]["experiments"] == []


def test_post_run_returns_id_token_and_url(client: FlaskClient, app: Flask) -> None:
    response = start(client, preset="tutorial", params={"bookings": 3}, speed="instant")
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"id", "control_token", "url"}
    assert body["url"] == f"/runs/{body['id']}" == response.headers["Location"]
    wait_until(run_ended(app, body["id"]), what="the instant run to end")
    run = client.get(f"/api/runs/{body['id']}").json
    assert run["status"] == "finished"
    assert run["params"]["bookings"] == 3
    assert run["summary"]["events"] == run["event_count"]


def test_stored_events_equal_the_engine_output(client: FlaskClient, app: Flask) -> None:
    params = {"bookings": 12, "seed": 7, "services": {"car": {"failure_rate": 0.5}}}
    run_id = start(client, params=params, speed="instant").json["id"]
    wait_until(run_ended(app, run_id), what="the run to end")
    response = client.get(f"/api/runs/{run_id}/events")
    assert response.status_code == 200
    assert response.mimetype == "application/jsonl"
    body = response.get_data(as_text=True)
    assert body == "".join(line + "\n" for line in reference_lines(params))


def test_runs_are_listed_newest_first(client: FlaskClient, app: Flask) -> None:
    ids = []
    for seed in (1, 2, 3):
        ids.append(start(client, params={"bookings": 2, "seed": seed}, speed="instant").json["id"])
        wait_until(run_ended(app, ids[-1]), what="the run to end")
    listing = client.get("/api/runs").json
    assert [run["id"] for run in listing["runs"]] == ids[::-1]
    assert listing["total"] == 3
    assert [r["params"]["seed"] for r in listing["runs"]] == [3, 2, 1]
    assert [r["id"] for r in client.get("/api/runs?limit=1&offset=1").json["runs"]] == [ids[1]]


def test_paused_run_shows_as_live_and_paused(client: FlaskClient) -> None:
    run_id = start(client, preset="tutorial", speed=1.0, start_paused=True).json["id"]
    run = client.get(f"/api/runs/{run_id}").json
    assert run["status"] == "paused"
    assert run["live"] is True
    assert run["speed"] == 1.0
    assert run["summary"] is not None


def test_bad_values_are_named_field_by_field(client: FlaskClient) -> None:
    response = start(
        client,
        preset="tutorial",
        speed=0,
        start_paused="yes",
        params={"bookings": -1, "services": {"car": {"failure_rate": 2}}},
        colour=1,
    )
    assert response.status_code == 400
    errors = response.json["errors"]
    assert {"speed", "start_paused", "colour"} <= set(errors)
    assert any("bookings" in key for key in errors)
    assert any("failure_rate" in key for key in errors)


def test_unknown_preset_is_refused(client: FlaskClient) -> None:
    response = start(client, preset="no-such-preset")
    assert response.status_code == 400
    assert "preset" in response.json["errors"]


def test_body_must_be_a_json_object(client: FlaskClient) -> None:
    not_json = client.post("/api/runs", data="speed=1", content_type="text/plain")
    assert not_json.status_code == 400 and "body" in not_json.json["errors"]
    a_list = client.post("/api/runs", json=[1, 2])
    assert a_list.status_code == 400 and "body" in a_list.json["errors"]
    bad_params = start(client, params=[1])
    assert bad_params.status_code == 400 and "params" in bad_params.json["errors"]


def test_speed_outside_range_or_not_a_number_is_refused(client: FlaskClient) -> None:
    for speed in (0.05, 1001, "fast", True, None):
        response = start(client, preset="tutorial", speed=speed)
        assert response.status_code == 400, speed
        assert "speed" in response.json["errors"]


def test_bookings_limits_depend_on_speed(client: FlaskClient) -> None:
    live = start(client, params={"bookings": TEST_LIMITS["MAX_BOOKINGS_LIVE"] + 1}, speed=1.0)
    assert live.status_code == 400
    assert "instant" in live.json["errors"]["bookings"]
    instant = start(
        client, params={"bookings": TEST_LIMITS["MAX_BOOKINGS_INSTANT"] + 1}, speed="instant"
    )
    assert instant.status_code == 400
    assert "instant run" in instant.json["errors"]["bookings"]


def test_live_run_limit_gives_429(client: FlaskClient) -> None:
    for _ in range(TEST_LIMITS["MAX_LIVE_RUNS"]):
        assert start(client, preset="tutorial", start_paused=True).status_code == 201
    response = start(client, preset="tutorial", start_paused=True)
    assert response.status_code == 429
    assert "limit" in response.json["errors"]["runs"]
    assert client.get("/healthz").json["live_runs"] == TEST_LIMITS["MAX_LIVE_RUNS"]


def test_request_body_over_the_limit_gives_413(client: FlaskClient) -> None:
    big = {"params": {"plan": {f"BOOK{i:03d}": ["car"] for i in range(1, 999)}}}
    response = client.post("/api/runs", data=json.dumps(big), content_type="application/json")
    assert response.status_code == 413
    assert f"{TEST_LIMITS['MAX_MESSAGE_BYTES']:,}" in response.json["error"]


def test_foreign_origin_is_refused(client: FlaskClient) -> None:
    response = client.post(
        "/api/runs", json={"preset": "tutorial"}, headers={"Origin": "http://evil.example"}
    )
    assert response.status_code == 403
    own = client.post(
        "/api/runs",
        json={"preset": "tutorial", "start_paused": True},
        headers={"Origin": "http://localhost"},
    )
    assert own.status_code == 201


def test_unknown_runs_and_paths_give_json_404(client: FlaskClient) -> None:
    for path in ("/api/runs/nope", "/api/runs/nope/events", "/api/nothing-here"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.is_json and response.json["error"], path


def test_wrong_method_gives_json_405(client: FlaskClient) -> None:
    response = client.delete("/api/presets")
    assert response.status_code == 405
    assert response.json["error"]


def test_list_rejects_bad_paging(client: FlaskClient) -> None:
    for query in ("limit=x", "limit=0", "limit=501", "offset=-1"):
        assert client.get(f"/api/runs?{query}").status_code == 400, query


def test_healthz_reports_ok_and_counts(client: FlaskClient) -> None:
    before = client.get("/healthz").json
    assert before == {"ok": True, "live_runs": 0, "runs": 0}
    start(client, preset="tutorial", start_paused=True)
    after = client.get("/healthz").json
    assert after["live_runs"] == 1 and after["runs"] == 1


def test_healthz_counts_a_deleted_run_at_once(client: FlaskClient, app: Flask) -> None:
    """/healthz keeps its count a second; this process's deletes still show at once."""
    run = start(client, preset="tutorial", params={"bookings": 3}, speed="instant").json
    wait_until(run_ended(app, run["id"]), what="the run to end")
    assert client.get("/healthz").json["runs"] == 1
    token = {"token": run["control_token"]}
    assert client.delete(f"/api/runs/{run['id']}", json=token).status_code == 200
    assert client.get("/healthz").json["runs"] == 0


def cli_jsonl(*args: str) -> str:
    """What `python -m sim --format jsonl` prints for these arguments."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "sim", *args, "--format", "jsonl"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_stored_events_equal_the_cli_at_instant_and_paced_speeds(
    client: FlaskClient, app: Flask
) -> None:
    expected = cli_jsonl(
        "--preset", "orchestrator-crash-durable-log", "--bookings", "9", "--seed", "4"
    )
    body = {"preset": "orchestrator-crash-durable-log", "params": {"bookings": 9, "seed": 4}}
    for speed in ("instant", 1000):
        run_id = start(client, **body, speed=speed).json["id"]
        wait_until(run_ended(app, run_id), what=f"the run at speed {speed} to end")
        assert client.get(f"/api/runs/{run_id}/events").get_data(as_text=True) == expected


def test_event_limit_stops_a_run_and_says_why(tmp_path) -> None:
    from tests.conftest import make_app

    app = make_app(tmp_path, MAX_EVENTS_PER_RUN=100, INSTANT_CHUNK_EVENTS=10)
    client = app.test_client()
    run_id = start(client, params={"bookings": 50, "until": None}, speed="instant").json["id"]
    wait_until(run_ended(app, run_id), what="the run to hit the event limit")
    run = client.get(f"/api/runs/{run_id}").json
    assert run["status"] == "stopped"
    assert "limit of 100 events" in run["reason"]
    lines = client.get(f"/api/runs/{run_id}/events").get_data(as_text=True).splitlines()
    assert len(lines) == run["event_count"] < 200
    assert json.loads(lines[-1])["kind"] == "run.finished"


def overtaken_by_the_end(app: Flask, monkeypatch: Any, read: str, run_id: str) -> None:
    """The store's `read` (get_run or list_runs), called from this thread, reads and then
    lets the paused run resume and end before it returns: a reader descheduled between
    reading the store and looking at the live runs, while the run ends."""
    manager = app.extensions["sagalab.runs"]
    real, reader = getattr(manager.store, read), threading.current_thread()

    def overtaken(*args: Any) -> Any:
        rows = real(*args)
        run = manager.get(run_id)
        if run is not None and threading.current_thread() is reader:
            run.resume()
            wait_until(lambda: manager.get(run_id) is None, what="the run to end")
        return rows

    monkeypatch.setattr(manager.store, read, overtaken)


def test_a_run_read_as_it_ends_is_live_or_stored_in_full(
    client: FlaskClient, app: Flask, monkeypatch: Any
) -> None:
    """Whenever `live` is false, the final status and summary are there (never `live: false`
    with the status and summary of before the end)."""
    body = {"preset": "tutorial", "params": {"bookings": 3}, "speed": "instant"}
    run_id = start(client, **body, start_paused=True).json["id"]
    overtaken_by_the_end(app, monkeypatch, "get_run", run_id)
    run = client.get(f"/api/runs/{run_id}").json
    assert run["status"] == "finished", run["live"]
    assert run["summary"] is not None and run["summary"]["events"] == run["event_count"]


def test_a_run_listed_as_it_ends_is_live_or_shows_its_end(
    client: FlaskClient, app: Flask, monkeypatch: Any
) -> None:
    body = {"preset": "tutorial", "params": {"bookings": 3}, "speed": "instant"}
    run_id = start(client, **body, start_paused=True).json["id"]
    overtaken_by_the_end(app, monkeypatch, "list_runs", run_id)
    (run,) = client.get("/api/runs").json["runs"]
    assert run["status"] == "finished", run["live"]
    assert run["event_count"] > 1

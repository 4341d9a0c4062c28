"""History routes through the Flask test client: exports, delete, re-run, twins, pages."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.history.exports import COMMON_FIELDS, CSV_COLUMNS
from sim.trace.transcript import render
from tests.conftest import run_ended, wait_until


def finished(app: Flask, client: FlaskClient, preset: str = "tutorial", **params: Any) -> str:
    resp = client.post("/api/runs", json={"preset": preset, "params": params, "speed": "instant"})
    assert resp.status_code == 201, resp.json
    run_id = resp.json["id"]
    wait_until(run_ended(app, run_id), what=f"run {run_id} to end")
    return run_id


def stored_events(client: FlaskClient, run_id: str) -> list[dict[str, Any]]:
    text = client.get(f"/api/runs/{run_id}/events").get_data(as_text=True)
    return [json.loads(line) for line in text.splitlines()]


def event_from_row(row: dict[str, str]) -> dict[str, Any]:
    """Rebuild an event from its CSV row: numbers by column, empty cells absent or null."""
    event: dict[str, Any] = {"seq": int(row["seq"]), "t": float(row["t"]), "kind": row["kind"]}
    for key in ("saga", "actor", "step"):
        event[key] = row[key] or None
    for key in ("attempt", "units"):
        if row[key]:
            event[key] = int(row[key])
    for key in ("reason", "event_type", "check", "detail"):
        if row[key]:
            event[key] = row[key]
    inventory = {
        s: int(row[f"inventory_{s}"]) for s in ("flight", "hotel", "car") if row[f"inventory_{s}"]
    }
    if inventory:
        event["inventory"] = inventory
    event.update(json.loads(row["extra"]) if row["extra"] else {})
    return event


def test_csv_has_a_row_per_event_with_every_field(app: Flask, client: FlaskClient) -> None:
    run_id = finished(app, client, "orchestrator-crash-durable-log")
    events = stored_events(client, run_id)
    resp = client.get(f"/api/runs/{run_id}/events.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == len(events)
    # an empty cell is both "absent" and null: the events compare without null common fields
    expected = [
        {k: v for k, v in e.items() if not (k in COMMON_FIELDS and v is None)} for e in events
    ]
    assert [event_from_row(row) for row in rows] == expected


def test_transcript_is_exactly_the_rendered_events(app: Flask, client: FlaskClient) -> None:
    run_id = finished(app, client, "tutorial", plan={"BOOK002": ["flight"], "BOOK004": ["car"]})
    resp = client.get(f"/api/runs/{run_id}/transcript.txt")
    assert resp.mimetype == "text/plain"
    expected = "".join(line + "\n" for line in render(stored_events(client, run_id)))
    assert resp.get_data(as_text=True) == expected
    assert "Saga BOOK001 COMPLETED" in expected


def test_summary_download_is_the_run_summary(app: Flask, client: FlaskClient) -> None:
    run_id = finished(app, client)
    resp = client.get(f"/api/runs/{run_id}/summary.json")
    assert "attachment" in resp.headers["Content-Disposition"]
    assert json.loads(resp.data) == stored_events(client, run_id)[-1]["summary"]


def test_exports_of_unknown_runs_are_404_json(client: FlaskClient) -> None:
    for path in ("events.csv", "transcript.txt", "summary.json"):
        resp = client.get(f"/api/runs/nope/{path}")
        assert resp.status_code == 404 and "nope" in resp.json["error"]
    assert client.delete("/api/runs/nope").status_code == 404


def test_delete_removes_the_run_and_its_events(app: Flask, client: FlaskClient) -> None:
    started = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"}).json
    run_id = started["id"]
    wait_until(run_ended(app, run_id), what="the run to end")
    deleted = client.delete(f"/api/runs/{run_id}", json={"token": started["control_token"]})
    assert deleted.json == {"deleted": run_id}
    assert client.get(f"/api/runs/{run_id}").status_code == 404
    assert client.get(f"/runs/{run_id}").status_code == 404
    assert list(app.extensions["sagalab.runs"].store.event_lines(run_id)) == []


def test_a_live_run_cannot_be_deleted(app: Flask, client: FlaskClient) -> None:
    resp = client.post("/api/runs", json={"preset": "tutorial", "speed": 1.0, "start_paused": True})
    run_id = resp.json["id"]
    refused = client.delete(f"/api/runs/{run_id}", json={"token": resp.json["control_token"]})
    assert refused.status_code == 409 and "stop it" in refused.json["error"]
    assert client.get(f"/api/runs/{run_id}").status_code == 200


def test_rerun_with_the_same_seed_repeats_the_run(app: Flask, client: FlaskClient) -> None:
    first = finished(app, client, "tutorial", bookings=8)
    resp = client.post(f"/api/runs/{first}/rerun", json={"seed": "same", "speed": "instant"})
    assert resp.status_code == 201
    again = resp.json["id"]
    wait_until(run_ended(app, again))
    assert stored_events(client, again) == stored_events(client, first)
    assert client.get(f"/api/runs/{again}").json["preset"] == "tutorial"


def test_rerun_with_a_new_seed_changes_only_the_seed(app: Flask, client: FlaskClient) -> None:
    first = finished(app, client, "tutorial")
    resp = client.post(f"/api/runs/{first}/rerun", json={"seed": "new"})
    new = client.get(f"/api/runs/{resp.json['id']}").json["params"]
    old = client.get(f"/api/runs/{first}").json["params"]
    assert new["seed"] != old["seed"]
    assert {**new, "seed": old["seed"]} == old
    assert client.post(f"/api/runs/{first}/rerun", json={"seed": 3}).status_code == 400


def test_twin_flips_one_switch_and_keeps_the_seed(app: Flask, client: FlaskClient) -> None:
    a = finished(app, client, "orchestrator-crash-no-log")
    resp = client.post(f"/api/runs/{a}/twin", json={"switch": "orchestrator.durable_log"})
    assert resp.status_code == 201
    b = resp.json["id"]
    assert resp.json["compare_url"] == f"/compare?a={a}&b={b}"
    assert resp.json["switch"] == {"name": "orchestrator.durable_log", "a": False, "b": True}
    pa = client.get(f"/api/runs/{a}").json["params"]
    pb = client.get(f"/api/runs/{b}").json["params"]
    assert pb["orchestrator"]["durable_log"] is True
    pb["orchestrator"]["durable_log"] = False
    assert pa == pb


def test_twin_refuses_switches_that_do_not_apply(app: Flask, client: FlaskClient) -> None:
    a = finished(app, client, "tutorial-choreography")
    for switch in ("orchestrator.durable_log", "nonsense", None):
        resp = client.post(f"/api/runs/{a}/twin", json={"switch": switch})
        assert resp.status_code == 400 and "switch" in resp.json["errors"]
    outbox = client.post(f"/api/runs/{a}/twin", json={"switch": "choreography.outbox"})
    assert outbox.status_code == 201


def test_runs_page_pages_and_filters(app: Flask, client: FlaskClient) -> None:
    store = app.extensions["sagalab.runs"].store
    from sim import resolve

    for i in range(30):
        preset = "tutorial-choreography" if i % 3 == 0 else "tutorial"
        params = resolve({"preset": preset}).to_dict()
        store.create_run(f"run{i:03d}", preset, params, "instant", "finished")
    first = client.get("/runs").get_data(as_text=True)
    assert "30 runs · page 1 of 2" in first
    assert first.count('class="run-row"') == 25
    assert first.index("run029") < first.index("run028")  # newest first
    second = client.get("/runs?page=2").get_data(as_text=True)
    assert second.count('class="run-row"') == 5 and "run000" in second
    chor = client.get("/runs?mode=choreography").get_data(as_text=True)
    assert "10 runs" in chor and chor.count('data-mode="choreography"') == 10
    assert 'data-mode="orchestration"' not in chor
    by_preset = client.get("/runs?preset=tutorial").get_data(as_text=True)
    assert "20 runs" in by_preset
    assert client.get("/runs?page=abc").status_code == 400  # named, not silently page 1


def test_compare_page_lists_differences(app: Flask, client: FlaskClient) -> None:
    a = finished(app, client, "orchestrator-crash-no-log")
    b = finished(app, client, "orchestrator-crash-durable-log")
    html = client.get(f"/compare?a={a}&b={b}").get_data(as_text=True)
    assert 'data-name="invariants.no_double_booking"' in html
    assert 'class="differs" data-name="invariants.no_double_booking"' in html
    assert 'data-name="orchestrator.durable_log"' in html
    assert f'id="run-a" data-side="a" data-run-id="{a}"' in html
    assert f'id="run-b" data-side="b" data-run-id="{b}"' in html
    assert "<iframe" not in html  # both runs in one document
    assert client.get(f"/compare?a={a}&b=missing").status_code == 404
    picker = client.get("/compare").get_data(as_text=True)
    assert 'id="pick-a"' in picker and a in picker


def test_switches_name_their_modes(client: FlaskClient) -> None:
    switches = client.get("/api/switches").json
    assert switches["orchestrator.durable_log"]["modes"] == ["orchestration"]
    assert "choreography" in switches["mode"]["modes"]

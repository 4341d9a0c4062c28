"""`/api/sagas` and runs of any saga over REST: store, list, refuse, run, replace, delete."""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.access import digest
from sim import Simulation, resolve
from sim.saga import BUILTIN
from tests.conftest import run_ended, wait_until

FIVE = {
    "name": "food-order",
    "title": "Food order",
    "description": "Hold a table, check the customer, charge, cook, deliver.",
    "steps": [
        {"name": "hold_table", "service": "Table Service", "unit": "table", "capacity": 4,
         "failure_rate": 0.1, "kind": "compensatable"},
        {"name": "check_customer", "service": "Customer Service", "unit": "check",
         "capacity": None, "failure_rate": 0.05, "kind": "compensatable"},
        {"name": "charge", "service": "Payment Service", "unit": "charge", "capacity": None,
         "failure_rate": 0.2, "kind": "pivot"},
        {"name": "cook", "service": "Kitchen", "unit": "cook", "capacity": 3,
         "failure_rate": 0.2, "kind": "retriable"},
        {"name": "deliver", "service": "Courier", "unit": "courier", "capacity": None,
         "failure_rate": 0.3, "kind": "retriable"},
    ],
}  # fmt: skip


def stored(client: FlaskClient, definition: dict[str, Any] = FIVE) -> dict[str, Any]:
    resp = client.post("/api/sagas", json=definition)
    assert resp.status_code == 201, resp.json
    return resp.json


def finished(app: Flask, client: FlaskClient, body: dict[str, Any]) -> str:
    resp = client.post("/api/runs", json={"speed": "instant", **body})
    assert resp.status_code == 201, resp.json
    wait_until(run_ended(app, resp.json["id"]), what="the run's end")
    return resp.json["id"]


def test_the_built_ins_are_listed_first_and_readable(client: FlaskClient) -> None:
    listed = client.get("/api/sagas").json["sagas"]
    assert [s["name"] for s in listed] == list(BUILTIN)
    assert all(s["builtin"] for s in listed)
    co = client.get("/api/sagas/create-order").json
    assert co["builtin"] and co["saga"] == BUILTIN["create-order"].to_dict()
    assert [s["kind"] for s in co["saga"]["steps"]].count("pivot") == 1
    assert client.get("/api/sagas/nope").status_code == 404
    assert client.get("/api/sagas/Bad%20Name").status_code == 404


def test_a_stored_saga_is_listed_and_read_back_with_its_words_filled(client: FlaskClient) -> None:
    answer = stored(client)
    assert answer["url"] == "/api/sagas/food-order" and len(answer["token"]) >= 20
    got = client.get("/api/sagas/food-order").json
    assert got["builtin"] is False and got["saga"] == answer["saga"]
    assert got["saga"]["steps"][0]["words"]["units"] == "tables"
    names = [s["name"] for s in client.get("/api/sagas").json["sagas"]]
    assert names == [*BUILTIN, "food-order"]


def test_bad_definitions_are_400_with_the_schemas_message_per_field(client: FlaskClient) -> None:
    bad = copy.deepcopy(FIVE)
    bad["steps"][2]["kind"] = "retriable"  # a retriable step before the pivot: none left
    bad["steps"][0]["capacity"] = -1
    resp = client.post("/api/sagas", json=bad)
    assert resp.status_code == 400
    assert resp.json["errors"] == {
        "steps.0.capacity": "must be a whole number from 0 to 1,000,000,000, or null (the step "
        "holds nothing)",
        **{f"steps.{i}.kind": "a retriable step must come after the pivot" for i in (2, 3, 4)},
    }
    assert client.get("/api/sagas/food-order").status_code == 404
    assert client.post("/api/sagas", data="not json").status_code == 400


def test_check_answers_the_schemas_messages_and_stores_nothing(client: FlaskClient) -> None:
    good = client.post("/api/sagas/check", json=FIVE)
    assert good.status_code == 200 and good.json["saga"]["steps"][3]["words"]["label"] == "Cooks"
    bad = copy.deepcopy(FIVE)
    bad["steps"][1]["kind"] = "pivot"  # two pivots
    resp = client.post("/api/sagas/check", json=bad)
    assert resp.status_code == 400
    assert resp.json["errors"] == {"steps.2.kind": "a saga has at most one pivot (step 1 is one)"}
    assert [s["name"] for s in client.get("/api/sagas").json["sagas"]] == list(BUILTIN)


def test_a_built_ins_name_is_409_and_so_is_a_stored_name(client: FlaskClient) -> None:
    clash = {**copy.deepcopy(FIVE), "name": "travel"}
    resp = client.post("/api/sagas", json=clash)
    assert resp.status_code == 409 and "built-in" in resp.json["error"]
    stored(client)
    again = client.post("/api/sagas", json=FIVE)
    assert again.status_code == 409 and "PUT /api/sagas/food-order" in again.json["error"]


def test_runs_take_a_stored_saga_by_name_or_inline_and_store_the_whole_definition(
    app: Flask, client: FlaskClient
) -> None:
    saga = stored(client)["saga"]
    by_name = finished(app, client, {"saga": "food-order", "params": {"bookings": 6, "seed": 3}})
    inline = finished(app, client, {"params": {"saga": FIVE, "bookings": 6, "seed": 3}})
    a = client.get(f"/api/runs/{by_name}").json
    b = client.get(f"/api/runs/{inline}").json
    assert a["params"]["saga"] == saga == b["params"]["saga"]
    assert a["summary"] == b["summary"]
    assert set(a["summary"]["inventory"]) == {"hold_table", "cook"}
    assert all(check["ok"] for check in a["summary"]["invariants"].values())
    mine = resolve({"params": {"saga": FIVE, "bookings": 6, "seed": 3}})
    assert a["summary"] == Simulation(mine).run()


def test_an_unknown_saga_name_or_a_bad_inline_one_starts_nothing(client: FlaskClient) -> None:
    resp = client.post("/api/runs", json={"saga": "no-such-saga", "speed": "instant"})
    assert resp.status_code == 400 and "no saga named 'no-such-saga'" in resp.json["errors"]["saga"]
    bad = {**copy.deepcopy(FIVE), "steps": FIVE["steps"][:1]}
    resp = client.post("/api/runs", json={"params": {"saga": bad}, "speed": "instant"})
    assert resp.json["errors"] == {"saga.steps": "must list 2 to 8 steps"}
    resp = client.post(
        "/api/runs",
        json={"saga": "create-order", "params": {"services": {"car": {"capacity": 1}}}},
    )
    assert resp.json["errors"] == {"services.car.capacity": "is not a known parameter"}
    assert client.get("/api/runs").json["runs"] == []


def test_a_stored_runs_definition_survives_an_edit_and_a_delete(
    app: Flask, client: FlaskClient
) -> None:
    token = stored(client)["token"]
    first = finished(app, client, {"saga": "food-order", "params": {"bookings": 5}})
    old = client.get(f"/api/runs/{first}").json
    edited = copy.deepcopy(FIVE)
    edited["steps"][0] = {**edited["steps"][0], "name": "hold_seat", "unit": "seat"}
    assert client.put("/api/sagas/food-order", json={"saga": edited}).status_code == 403
    resp = client.put("/api/sagas/food-order", json={"saga": edited, "token": token})
    assert resp.status_code == 200 and resp.json["saga"]["steps"][0]["name"] == "hold_seat"
    assert client.get(f"/api/runs/{first}").json["params"] == old["params"]
    assert client.delete("/api/sagas/food-order", json={"token": "x" * 24}).status_code == 403
    assert client.delete("/api/sagas/food-order", json={"token": token}).status_code == 200
    assert client.get("/api/sagas/food-order").status_code == 404
    again = client.post(f"/api/runs/{first}/rerun", json={"seed": "same", "speed": "instant"})
    assert again.status_code == 201, again.json
    wait_until(run_ended(app, again.json["id"]), what="the re-run's end")
    rerun = client.get(f"/api/runs/{again.json['id']}").json
    assert rerun["params"]["saga"] == old["params"]["saga"]
    assert rerun["summary"] == old["summary"]
    rows = list(csv.reader(io.StringIO(client.get(f"/api/runs/{first}/events.csv").text)))
    assert "inventory_hold_table" in rows[0] and "inventory_cook" in rows[0]
    assert "inventory_flight" not in rows[0]
    transcript = client.get(f"/api/runs/{first}/transcript.txt").text
    assert "Table Service started (tables: 4)" in transcript


def test_an_administrator_may_delete_any_stored_saga(tmp_path: Any) -> None:
    from tests.conftest import make_app

    admin = "a" * 24
    app = make_app(tmp_path, ADMIN_TOKEN=admin)
    client = app.test_client()
    try:
        stored(client)
        assert client.delete("/api/sagas/food-order").status_code == 403
        assert client.delete("/api/sagas/travel", json={"token": admin}).status_code == 409
        assert client.delete("/api/sagas/food-order", json={"token": admin}).status_code == 200
    finally:
        app.extensions["sagalab.runs"].shutdown("test finished")


def test_runs_stored_before_sagas_were_data_open_as_travel(app: Flask, client: FlaskClient) -> None:
    """A run row as the code before this change wrote it: params without `saga`, the gap as
    `compensate_on_hotel_failure`; it replays, exports and re-runs as a travel run."""
    params = resolve({"preset": "tutorial-choreography-gap"}).to_dict()
    events: list[dict[str, Any]] = []
    Simulation(resolve({"params": params}), sink=events.append).run()
    old = {k: v for k, v in params.items() if k != "saga"}
    old["choreography"] = {
        **{k: v for k, v in old["choreography"].items() if k != "unheard_failure"},
        "compensate_on_hotel_failure": False,
    }
    events[0]["params"] = old
    store = app.extensions["sagalab.runs"].store
    with store.db.write() as db:
        db.execute(
            "INSERT INTO runs (id, created, preset, params, speed, status, summary, t, "
            "event_count, token_digest) VALUES (?, 1, ?, ?, '\"instant\"', 'finished', ?, ?, ?, ?)",
            ("oldrun000001", "tutorial-choreography-gap", json.dumps(old),
             json.dumps(events[-1]["summary"]), events[-1]["t"], len(events), digest("t" * 24)),
        )  # fmt: skip
        db.executemany(
            "INSERT INTO events (run_id, seq, json) VALUES (?, ?, ?)",
            [("oldrun000001", e["seq"], json.dumps(e)) for e in events],
        )
    assert client.get("/api/runs/oldrun000001").json["status"] == "finished"
    rows = list(csv.reader(io.StringIO(client.get("/api/runs/oldrun000001/events.csv").text)))
    assert rows[0][-4:] == ["inventory_flight", "inventory_hotel", "inventory_car", "extra"]
    assert "FlightService started (seats: 10)" in client.get(
        "/api/runs/oldrun000001/transcript.txt"
    ).get_data(as_text=True)
    again = client.post("/api/runs/oldrun000001/rerun", json={"seed": "same", "speed": "instant"})
    assert again.status_code == 201, again.json
    wait_until(run_ended(app, again.json["id"]), what="the re-run's end")
    rerun = client.get(f"/api/runs/{again.json['id']}").json
    assert rerun["params"]["saga"]["name"] == "travel"
    assert rerun["params"]["choreography"]["unheard_failure"] == "hotel"
    assert rerun["summary"] == events[-1]["summary"]


def test_the_parameter_schema_follows_a_saga(client: FlaskClient) -> None:
    fields = client.get("/api/params?saga=create-order").json["fields"]
    assert "services.create_ticket.capacity" in fields
    assert "services.verify_consumer.capacity" not in fields  # it holds nothing
    assert "services.flight.capacity" not in fields
    assert fields["orchestrator.crash_step"]["choices"] == list(BUILTIN["create-order"].names)
    stored(client)
    mine = client.get("/api/params?saga=food-order").json
    assert mine["defaults"]["services"]["cook"] == {"capacity": 3, "failure_rate": 0.2}
    assert client.get("/api/params?saga=nope").status_code == 404
    assert mine["saga"]["name"] == "food-order"  # the definition the form lays its rows out by


def test_the_parameter_schema_of_a_presets_own_saga(client: FlaskClient) -> None:
    """A preset may carry a definition of its own (travel reordered): its fields, in its order."""
    body = client.get("/api/params?preset=pessimistic-order").json
    assert [s["name"] for s in body["saga"]["steps"]] == ["car", "hotel", "flight"]
    assert body["fields"]["retry_steps"]["choices"] == ["car", "hotel", "flight"]
    assert client.get("/api/params?preset=create-order").json["saga"]["name"] == "create-order"
    assert client.get("/api/params?preset=tutorial").json["saga"]["name"] == "travel"
    assert client.get("/api/params?preset=nope").status_code == 404


def test_an_experiment_sweeps_a_stored_sagas_own_parameter(tmp_path: Any) -> None:
    from tests.conftest import make_app

    app = make_app(tmp_path, EXPERIMENT_WORKERS=0)
    client = app.test_client()
    try:
        stored(client)
        fields = client.get("/api/experiment-fields?saga=food-order").json
        assert "services.cook.failure_rate" in fields and "services.car.capacity" not in fields
        spec = {
            "base": {"preset": None, "params": {"saga": "food-order", "bookings": 8}},
            "sweep": {"param": "services.cook.failure_rate", "from": 0, "to": 0.6, "step": 0.3},
            "factor": {"param": "semantic_lock", "levels": [False, True]},
            "replications": 4,
            "seed": 1,
        }
        created = client.post("/api/experiments", json=spec)
        assert created.status_code == 201, created.json
        exp_id = created.json["id"]
        done = wait_until(
            lambda: (
                (r := client.get(f"/api/experiments/{exp_id}").json)["status"] == "finished" and r
            ),
            what="the experiment's end",
        )
        assert len(done["points"]) == 6 and all(p["runs"] == 4 for p in done["points"])
        assert {p["level"] for p in done["points"]} == {False, True}
        assert all(p["compensation_mismatch_runs"] == 0 for p in done["points"])
        assert done["points"][0]["value"] == 0.0 and done["points"][-1]["value"] == 0.6
        unknown = dict(spec, base={"preset": None, "params": {"saga": "gone"}})
        refused = client.post("/api/experiments", json=unknown)
        assert refused.status_code == 400 and "base.params.saga" in refused.json["errors"]
    finally:
        app.extensions["sagalab.runs"].shutdown("test finished")

"""The experiments REST API and Socket.IO progress, on a stand-in simulation."""

import time

import pytest

from app import create_app
from app.extensions import socketio_of
from tests.conftest import wait_until
from tests.sim_helpers import experiment_spec
from tests.test_batch_pool import fake_run_summary

FAKE = "tests.test_batch_pool:fake_run_summary"
SLOW_FAKE = "tests.test_experiments_api:slow_fake_run_summary"
BROKEN = "tests.test_experiments_api:broken_run_summary"


def slow_fake_run_summary(params):
    """The stand-in simulation, taking a while per run so that cancel always comes first."""
    time.sleep(0.01)
    return fake_run_summary(params)


def broken_run_summary(params):
    """A stand-in simulation that crashes on the third point."""
    if params["services"]["car"]["failure_rate"] > 0.3:
        raise RuntimeError("the model broke")
    return fake_run_summary(params)


def make_app(database, run_fn=FAKE):
    """The real app, experiments run in the server process on a stand-in simulation."""
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE": str(database),
        "EXPERIMENT_WORKERS": 0,
        "EXPERIMENT_RUN_FN": run_fn,
        "EXPERIMENT_MAX_RUNS": 5000,
    })  # fmt: skip


@pytest.fixture
def app_with(tmp_path):
    """Make apps on a given stand-in simulation; shut their run managers down afterwards."""
    made = []

    def make(run_fn=FAKE):
        made.append(make_app(tmp_path / f"db{len(made)}.sqlite3", run_fn))
        return made[-1]

    yield make
    for app in made:
        app.extensions["sagalab.runs"].shutdown("test finished")


@pytest.fixture
def exp_app(app_with):
    return app_with()


@pytest.fixture
def client(exp_app):
    return exp_app.test_client()


def body(**changes):
    return experiment_spec(0.2, 5, **changes)


def wait_until_done(client, exp_id):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got = client.get(f"/api/experiments/{exp_id}").get_json()
        if got["status"] not in ("queued", "running"):
            return got
        time.sleep(0.05)
    raise AssertionError(f"experiment {exp_id} still {got['status']}")


def test_post_runs_the_experiment_and_get_shows_every_point(client):
    created = client.post("/api/experiments", json=body())
    assert created.status_code == 201
    exp_id = created.get_json()["id"]
    got = wait_until_done(client, exp_id)
    assert got["status"] == "finished"
    assert got["progress"]["runs_done"] == got["progress"]["runs_total"] == 40
    assert len(got["points"]) == 8
    point = got["points"][1]
    assert (point["value"], point["level"], point["runs"]) == (0.0, "choreography", 5)
    assert point["ci95"][0] <= point["success_rate"] <= point["ci95"][1]
    assert point["completed"] + point["compensated"] == 50
    assert [e["id"] for e in client.get("/api/experiments").get_json()] == [exp_id]


def test_bad_settings_get_field_errors_and_nothing_runs(client):
    reply = client.post(
        "/api/experiments",
        json=body(sweep={"param": "services.car.rate", "from": 0.5, "to": 0, "step": 0.1}),
    )
    assert reply.status_code == 400
    assert "services.car.rate" in reply.get_json()["errors"]["sweep.param"]
    too_many = client.post("/api/experiments", json=body(replications=1000))
    assert "more than the limit of 5000" in too_many.get_json()["errors"]["replications"]
    assert client.post("/api/experiments", data="nope").status_code == 400
    assert client.get("/api/experiments").get_json() == []


def test_csv_export_has_a_row_per_point(client):
    exp_id = client.post("/api/experiments", json=body()).get_json()["id"]
    wait_until_done(client, exp_id)
    reply = client.get(f"/api/experiments/{exp_id}.csv")
    assert reply.mimetype == "text/csv"
    lines = reply.get_data(as_text=True).splitlines()
    assert lines[0].startswith("services.car.failure_rate,mode,runs,")
    assert len(lines) == 9


def test_unknown_experiments_are_404(client):
    assert client.get("/api/experiments/nope").status_code == 404
    assert client.get("/api/experiments/nope.csv").status_code == 404
    assert client.post("/api/experiments/nope/cancel", json={}).status_code == 404


def test_cancel_needs_the_control_token_and_keeps_partial_results(app_with):
    client = app_with(SLOW_FAKE).test_client()
    created = client.post("/api/experiments", json=body(replications=500)).get_json()
    exp_id = created["id"]
    wrong = client.post(f"/api/experiments/{exp_id}/cancel", json={"token": "guess"})
    assert wrong.status_code == 403
    token = created["control_token"]
    assert (
        client.post(f"/api/experiments/{exp_id}/cancel", json={"token": token}).status_code == 200
    )
    got = wait_until_done(client, exp_id)
    assert got["status"] == "cancelled"
    assert got["progress"]["runs_done"] < got["progress"]["runs_total"]
    assert sum(p["runs"] for p in got["points"]) == got["progress"]["runs_done"]
    again = client.post(f"/api/experiments/{exp_id}/cancel", json={"token": token})
    assert again.status_code == 409


def test_socketio_join_replays_state_then_streams_progress(exp_app):
    http = exp_app.test_client()
    exp_id = http.post("/api/experiments", json=body()).get_json()["id"]
    sio = socketio_of(exp_app).test_client(exp_app, flask_test_client=http)
    ack = sio.emit("join_experiment", {"experiment_id": exp_id}, callback=True)
    assert ack["ok"] and ack["experiment"]["id"] == exp_id
    wait_until_done(http, exp_id)
    received = sio.get_received()
    if ack["experiment"]["status"] != "finished":
        names = {m["name"] for m in received}
        assert "experiment_status" in names
        final = [m["args"][0] for m in received if m["name"] == "experiment_status"][-1]
        assert final["status"] == "finished"
    missing = sio.emit("join_experiment", {"experiment_id": "nope"}, callback=True)
    assert missing == {"ok": False, "error": "no experiment nope"}


def test_page_and_helpers(client):
    assert client.get("/experiments").status_code == 200
    exp_id = client.post("/api/experiments", json=body()).get_json()["id"]
    assert f'data-experiment-id="{exp_id}"' in client.get(f"/experiments/{exp_id}").text
    assert client.get("/experiments/nope").status_code == 404
    fields = client.get("/api/experiment-fields").get_json()
    assert fields["services.car.failure_rate"]["kind"] == "float"
    assert "seed" not in fields
    assert "exercise-1" in client.get("/api/experiment-presets").get_json()


def test_a_crashing_run_fails_the_experiment_with_its_message_and_the_queue_goes_on(app_with):
    client = app_with(BROKEN).test_client()
    broken = client.post("/api/experiments", json=body()).get_json()["id"]
    fine = client.post("/api/experiments", json=body(sweep={**body()["sweep"], "to": 0.2}))
    got = wait_until_done(client, broken)
    assert got["status"] == "failed"
    assert got["error"] == "RuntimeError: the model broke"
    assert [p["value"] for p in got["points"]] == [0.0, 0.0, 0.2, 0.2]
    assert wait_until_done(client, fine.get_json()["id"])["status"] == "finished"


@pytest.mark.parametrize("ending", ["finished", "cancelled"])
def test_an_experiments_end_is_stored_before_it_is_announced(app_with, ending):
    """A page that hears an experiment's end asks for it at once; the answer must already be
    the end, not "running" (the page then showed "running" for good: 1 of 3 tries of the
    browser test after the sagas tests, under load)."""
    app = app_with(SLOW_FAKE)
    manager = app.extensions["experiments"]
    seen: list[tuple[str, str, str]] = []
    emit = manager.socketio.emit

    def watching(event, message, **kwargs):
        if event == "experiment_status" and message["status"] not in ("queued", "running"):
            answer = manager.snapshot(message["id"])["status"]
            seen.append((message["status"], answer, manager.store.get(message["id"])["status"]))
        return emit(event, message, **kwargs)

    manager.socketio.emit = watching
    client = app.test_client()
    created = client.post(
        "/api/experiments", json=body(replications=40 if ending == "cancelled" else 2)
    )
    exp_id = created.get_json()["id"]
    if ending == "cancelled":
        wait_until(
            lambda: client.get(f"/api/experiments/{exp_id}").get_json()["points"],
            what="a first point",
        )
        token = created.get_json()["control_token"]
        assert (
            client.post(f"/api/experiments/{exp_id}/cancel", json={"token": token}).status_code
            == 200
        )
    assert wait_until_done(client, exp_id)["status"] == ending
    assert seen == [(ending, ending, ending)]


REAL = "sim.runner:run_summary"


def orders_body(levels, **changes):
    return {
        "base": {"preset": None, "params": {"saga": "create-order", "bookings": 6}},
        "sweep": {"param": "services.authorize_card.failure_rate", "from": 0.5, "to": 0.5,
                  "step": 0.1},
        "factor": {"param": "order", "levels": levels},
        "replications": 3,
        "seed": 1,
        **changes,
    }  # fmt: skip


CREATE_ORDER = [
    "create_order", "verify_consumer", "create_ticket", "authorize_card", "approve_ticket",
    "approve_order",
]  # fmt: skip


def test_orders_of_a_saga_are_checked_each_at_its_level_and_nothing_runs(client):
    early = [*CREATE_ORDER[:3], "approve_ticket", "authorize_card", "approve_order"]
    reply = client.post(
        "/api/experiments", json=orders_body([CREATE_ORDER, early, CREATE_ORDER[:2], "x"])
    )
    assert reply.status_code == 400
    errors = reply.get_json()["errors"]
    assert errors == {
        "factor.levels.1": "approve_ticket (step 3): a retriable step must come after the "
        "pivot; give a step another kind as name:kind (compensatable, pivot, retriable)",
        "factor.levels.2": "leaves out create_ticket, authorize_card, approve_ticket, "
        "approve_order: an order lists every step once",
        # the example is in create-order's own steps, the likeliest failure first
        "factor.levels.3": "must be a list of the saga's steps in the order they run, e.g. "
        '["authorize_card:compensatable", "create_ticket", "approve_ticket:compensatable", '
        '"verify_consumer:pivot", "approve_order", "create_order:retriable"]',
    }
    assert client.get("/api/experiments").get_json() == []
    fields = client.get("/api/experiment-fields?saga=create-order").get_json()
    assert fields["order"]["kind"] == "order"
    assert [s["name"] for s in fields["order"]["steps"]] == CREATE_ORDER
    assert fields["order"]["steps"][3] == {
        "name": "authorize_card", "kind": "pivot", "failure_rate": 0.15,
    }  # fmt: skip


def test_an_orders_experiment_gives_a_point_per_order_with_intervals(app_with):
    client = app_with(REAL).test_client()
    first = ["create_ticket", "create_order", "verify_consumer", *CREATE_ORDER[3:]]
    created = client.post("/api/experiments", json=orders_body([CREATE_ORDER, first]))
    assert created.status_code == 201, created.get_json()
    got = wait_until_done(client, created.get_json()["id"])
    assert got["status"] == "finished"
    assert got["spec"]["factor"]["levels"][1][:2] == [
        "create_ticket:compensatable", "create_order:compensatable",
    ]  # fmt: skip
    assert [p["level"] for p in got["points"]] == got["spec"]["factor"]["levels"]
    for point in got["points"]:
        assert point["runs"] == 3 and point["sagas"] == 18
        assert point["completed"] + point["compensated"] + point["flagged"] == 18
        assert point["ci95"][0] <= point["success_rate"] <= point["ci95"][1]
        per_run = point["compensations"]["per_run"]
        assert per_run["ci95"][0] <= per_run["mean"] <= per_run["ci95"][1]
        assert per_run["mean"] == point["compensations"]["performed"] / 3
    lines = client.get(f"/api/experiments/{got['id']}.csv").get_data(as_text=True).splitlines()
    assert lines[0].startswith("services.authorize_card.failure_rate,order,runs,")
    assert lines[2].startswith("0.5,create_ticket:compensatable > create_order:compensatable >")

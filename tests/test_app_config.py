"""Configuration layering, the store's schema and restarts."""

from __future__ import annotations

import sqlite3

import pytest

from app import config, create_app
from app.store import Store
from tests.conftest import make_app
from tests.sim_helpers import experiment_spec


def test_environment_overrides_defaults(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SAGALAB_MAX_LIVE_RUNS", "3")
    monkeypatch.setenv("SAGALAB_ALLOWED_ORIGINS", "http://a.example, http://b.example")
    monkeypatch.setenv("SAGALAB_DATABASE", str(tmp_path / "env.sqlite3"))
    app = create_app({"TESTING": True})
    assert app.config["MAX_LIVE_RUNS"] == 3
    assert app.config["ALLOWED_ORIGINS"] == ["http://a.example", "http://b.example"]
    assert app.config["DATABASE"] == str(tmp_path / "env.sqlite3")
    assert app.config["MAX_CONTENT_LENGTH"] == config.DEFAULTS["MAX_MESSAGE_BYTES"]


def test_test_config_wins_over_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SAGALAB_MAX_LIVE_RUNS", "3")
    app = make_app(tmp_path, MAX_LIVE_RUNS=9)
    assert app.config["MAX_LIVE_RUNS"] == 9


def test_environment_sets_the_experiment_limits(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SAGALAB_EXPERIMENT_MAX_RUNS", "10")
    app = make_app(
        tmp_path, EXPERIMENT_WORKERS=0, EXPERIMENT_RUN_FN="tests.test_batch_pool:fake_run_summary"
    )
    assert app.config["EXPERIMENT_MAX_RUNS"] == 10
    client = app.test_client()
    spec = experiment_spec(0.1, 1, factor=None)
    eleven = client.post("/api/experiments", json={**spec, "sweep": {**spec["sweep"], "to": 1}})
    assert eleven.status_code == 400  # 0, 0.1, ..., 1: eleven runs
    assert eleven.get_json()["errors"]["replications"] == (
        "11 values x 1 levels x 1 replications = 11 runs, more than the limit of 10"
    )
    ten = client.post("/api/experiments", json={**spec, "sweep": {**spec["sweep"], "to": 0.9}})
    assert ten.status_code == 201
    app.extensions["experiments"].shutdown()
    app.extensions["sagalab.runs"].shutdown("test finished")


def test_bad_environment_value_names_the_variable(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SAGALAB_PORT", "fivethousand")
    with pytest.raises(ValueError, match="SAGALAB_PORT"):
        make_app(tmp_path)


def test_instance_config_file_is_read(tmp_path, monkeypatch) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        f"MAX_BOOKINGS_LIVE = 77\nDATABASE = {str(tmp_path / 'i.sqlite3')!r}\n"
    )
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(instance))
    app = create_app()
    assert app.config["MAX_BOOKINGS_LIVE"] == 77
    assert app.config["DATABASE"] == str(tmp_path / "i.sqlite3")


def test_store_uses_wal_and_one_schema(tmp_path) -> None:
    path = str(tmp_path / "s.sqlite3")
    Store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "events"} <= tables


def test_restart_marks_live_runs_interrupted_and_keeps_runs(tmp_path) -> None:
    first = make_app(tmp_path)
    client = first.test_client()
    run_id = client.post("/api/runs", json={"preset": "tutorial", "start_paused": True}).json["id"]
    store = first.extensions["sagalab.runs"].store
    assert store.get_run(run_id)["status"] == "paused"
    second = make_app(tmp_path)  # the first app's runs were never shut down: a crash
    run = second.test_client().get(f"/api/runs/{run_id}").json
    assert run["status"] == "interrupted"
    assert "server stopped" in run["reason"]
    assert run["live"] is False
    first.extensions["sagalab.runs"].shutdown("test finished")


def test_environment_values_are_json_or_text_as_the_key_needs(tmp_path, monkeypatch) -> None:
    """Flask's from_prefixed_env reads them; each is checked against its key's default."""
    monkeypatch.setenv("SAGALAB_ALLOWED_HOSTS", '["a.example", "b.example"]')  # JSON list
    monkeypatch.setenv("SAGALAB_RUN_IDLE_SECONDS", "60")  # an int where a float goes
    monkeypatch.setenv("SAGALAB_ADMIN_TOKEN", "123456789012345678901234")  # digits: still text
    monkeypatch.setenv("SAGALAB_DATABASE_URL", "")
    monkeypatch.setenv("SAGALAB_NOT_A_KEY", "1")
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "e.sqlite3")})
    assert app.config["ALLOWED_HOSTS"] == ["a.example", "b.example"]
    assert app.config["RUN_IDLE_SECONDS"] == 60.0 and isinstance(
        app.config["RUN_IDLE_SECONDS"], float
    )
    assert app.config["ADMIN_TOKEN"] == "123456789012345678901234"
    assert "NOT_A_KEY" not in app.config


@pytest.mark.parametrize(
    ("name", "value"),
    [("MAX_LIVE_RUNS", "2.5"), ("MAX_LIVE_RUNS", "true"), ("TICK_SECONDS", '"fast"')],
)
def test_an_environment_value_of_the_wrong_type_names_the_variable(
    tmp_path, monkeypatch, name, value
) -> None:
    monkeypatch.setenv(f"SAGALAB_{name}", value)
    with pytest.raises(ValueError, match=f"SAGALAB_{name}"):
        make_app(tmp_path)


@pytest.mark.parametrize("hops", [0, 1])
def test_behind_a_proxy_each_client_is_its_forwarded_address(tmp_path, hops) -> None:
    """PROXY_HOPS=1 (docs/deploy.md's nginx): the per-client limit counts each student's own
    address from X-Forwarded-For; without it a forwarded header is not believed."""
    app = make_app(tmp_path, PROXY_HOPS=hops, MAX_LIVE_RUNS_PER_CLIENT=1)
    client = app.test_client()
    body = {"preset": "tutorial", "start_paused": True}

    def start(address: str) -> int:
        return client.post("/api/runs", json=body, headers={"X-Forwarded-For": address}).status_code

    assert start("10.0.0.1") == 201
    assert start("10.0.0.1") == 429
    assert start("10.0.0.2") == (201 if hops else 429)
    app.extensions["sagalab.runs"].shutdown("test finished")

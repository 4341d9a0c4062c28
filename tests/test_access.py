"""Who may delete a run: its starter (control token) or an administrator (ADMIN_TOKEN)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.store import Store
from tests.conftest import make_app, run_ended, wait_until

ADMIN = "admin-token-for-the-tests-0123456789"


def finished(app: Flask, client: FlaskClient) -> dict[str, Any]:
    started = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"}).json
    wait_until(run_ended(app, started["id"]), what="the run to end")
    return started


def test_anyone_listing_runs_cannot_delete_them(app: Flask, client: FlaskClient) -> None:
    runs = [finished(app, client) for _ in range(3)]
    for run in client.get("/api/runs").json["runs"]:  # the ids are public
        refused = client.delete(f"/api/runs/{run['id']}")
        assert refused.status_code == 403
        assert "control token" in refused.json["error"]
        guessed = client.delete(f"/api/runs/{run['id']}", json={"token": "guess" * 5})
        assert guessed.status_code == 403 and "wrong token" in guessed.json["error"]
    other = client.delete(f"/api/runs/{runs[0]['id']}", json={"token": runs[1]["control_token"]})
    assert other.status_code == 403  # one run's token does not delete another
    assert client.get("/api/runs").json["total"] == 3


def test_the_runs_own_token_deletes_it_after_it_ended(app: Flask, client: FlaskClient) -> None:
    run = finished(app, client)
    deleted = client.delete(f"/api/runs/{run['id']}", json={"token": run["control_token"]})
    assert deleted.status_code == 200 and deleted.json == {"deleted": run["id"]}
    assert client.get(f"/api/runs/{run['id']}").status_code == 404


@pytest.mark.sqlite
def test_the_token_survives_a_restart_and_is_stored_only_as_a_digest(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    run = finished(app, app.test_client())
    app.extensions["sagalab.runs"].shutdown()
    with sqlite3.connect(tmp_path / "sagalab.sqlite3") as db:
        row = db.execute("SELECT * FROM runs").fetchone()
    assert run["control_token"] not in repr(row)
    again = make_app(tmp_path).test_client()
    refused = again.delete(f"/api/runs/{run['id']}")
    assert refused.status_code == 403
    deleted = again.delete(f"/api/runs/{run['id']}", json={"token": run["control_token"]})
    assert deleted.status_code == 200


def test_an_administrator_token_deletes_any_run(tmp_path: Any) -> None:
    app = make_app(tmp_path, ADMIN_TOKEN=ADMIN)
    client = app.test_client()
    run = finished(app, client)
    refused = client.delete(f"/api/runs/{run['id']}")
    assert refused.status_code == 403 and "administrator" in refused.json["error"]
    deleted = client.delete(f"/api/runs/{run['id']}", json={"token": ADMIN})
    assert deleted.status_code == 200
    app.extensions["sagalab.runs"].shutdown()


def test_without_an_administrator_token_nobody_else_may_delete(app: Flask, client) -> None:
    run = finished(app, client)
    refused = client.delete(f"/api/runs/{run['id']}", json={"token": ADMIN})
    assert refused.status_code == 403 and "administrator" not in refused.json["error"]


@pytest.mark.parametrize("token", ["short", "has spaces in it, sixteen+", "é" * 20])
def test_a_weak_or_odd_administrator_token_is_refused_at_start(tmp_path: Any, token: str) -> None:
    with pytest.raises(ValueError, match="ADMIN_TOKEN"):
        create_app({"TESTING": True, "DATABASE": str(tmp_path / "db"), "ADMIN_TOKEN": token})


@pytest.mark.sqlite
def test_runs_stored_before_tokens_were_kept_are_for_the_administrator(tmp_path: Any) -> None:
    path = str(tmp_path / "old.sqlite3")
    with sqlite3.connect(path) as db:  # the runs table as it was before token_digest
        db.executescript(
            "CREATE TABLE runs (id TEXT PRIMARY KEY, created REAL NOT NULL, preset TEXT,"
            " params TEXT NOT NULL, speed TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,"
            " summary TEXT, t REAL NOT NULL DEFAULT 0, event_count INTEGER NOT NULL DEFAULT 0);"
            "INSERT INTO runs (id, created, params, speed, status)"
            " VALUES ('old1', 0, '{\"mode\": \"orchestration\"}', '1.0', 'finished');"
        )
    Store(path).close()
    plain = make_app(tmp_path, DATABASE=path).test_client()
    refused = plain.delete("/api/runs/old1", json={"token": "x" * 24})
    assert refused.status_code == 403 and "without a control token" in refused.json["error"]
    admin = make_app(tmp_path, DATABASE=path, ADMIN_TOKEN=ADMIN).test_client()
    assert admin.delete("/api/runs/old1", json={"token": ADMIN}).status_code == 200

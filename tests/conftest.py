"""Fixtures: app -> client -> Socket.IO test client, and a real server on 127.0.0.1."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from app import create_app
from app.extensions import socketio_of
from app.server import serving
from harness import page
from harness.browser import Browser
from harness.processes import new_database, postgres_server

TEST_LIMITS = {
    "MAX_LIVE_RUNS": 4,
    "MAX_LIVE_RUNS_PER_CLIENT": 4,
    "MAX_BOOKINGS_LIVE": 200,
    "MAX_BOOKINGS_INSTANT": 2_000,
    "MAX_EVENTS_PER_RUN": 200_000,
    "MAX_MESSAGE_BYTES": 4_096,
}


DATABASES = ("sqlite", "postgresql")
_SESSION: dict[str, Any] = {"stack": ExitStack(), "postgres": "", "database": "sqlite", "made": {}}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=DATABASES,
        default="sqlite",
        help="the database every test app uses (the store's own tests use both anyway)",
    )


def pytest_configure(config: pytest.Config) -> None:
    _SESSION["database"] = config.getoption("--database")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _SESSION["database"] != "sqlite":
        skip = pytest.mark.skip(reason="reads the SQLite file itself")
        for item in items:
            if "sqlite" in item.keywords:
                item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session) -> None:
    from app import _shutdown_all

    _shutdown_all()  # the apps' background work ends before the servers they use stop
    _SESSION["stack"].close()


def postgres_database(key: str = "") -> str:
    """A new database on the session's PostgreSQL server (started on first use); the same
    one again for the same key (an app restarted on the same folder)."""
    if not _SESSION["postgres"]:
        _SESSION["postgres"] = _SESSION["stack"].enter_context(postgres_server())
    made = _SESSION["made"]
    if not key or key not in made:
        made[key] = new_database(_SESSION["postgres"], f"t{uuid.uuid4().hex[:12]}")
    return made[key]


def database_target(kind: str, tmp_path: Any) -> str:
    """A new, empty database of that kind: an SQLite path in tmp_path, or a PostgreSQL URL."""
    return postgres_database() if kind == "postgresql" else str(tmp_path / "sagalab.sqlite3")


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """Each database in turn, new and empty (an SQLite path or a PostgreSQL URL)."""
    return database_target(request.param, tmp_path)


def make_app(tmp_path: Any, **overrides: Any) -> Flask:
    """A test app on a new database: SQLite in tmp_path, or PostgreSQL with --database."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE": str(tmp_path / "sagalab.sqlite3"),
        **TEST_LIMITS,
        **overrides,
    }
    if _SESSION["database"] == "postgresql" and "DATABASE_URL" not in overrides:
        config["DATABASE_URL"] = postgres_database(str(tmp_path))
    return create_app(config)


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    app = make_app(tmp_path)
    yield app
    app.extensions["sagalab.runs"].shutdown("test finished")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sio(app: Flask, client: FlaskClient) -> Iterator[SocketIOTestClient]:
    sio = socketio_of(app).test_client(app, flask_test_client=client)
    yield sio
    if sio.is_connected():
        sio.disconnect()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served by Werkzeug's threaded server on a free loopback port."""
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on a free loopback port, shared by one module's browser tests."""
    with page.live_server(tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, shared by one module's browser tests."""
    with page.chromium() as browser:
        yield browser


def wait_until(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    """Poll until predicate() is truthy; fail the test (not time it) if it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"gave up waiting for {what or predicate}")


def run_ended(app: Flask, run_id: str) -> Callable[[], bool]:
    """A predicate: the run is no longer live and the store says it ended."""
    manager = app.extensions["sagalab.runs"]

    def ended() -> bool:
        stored = manager.store.get_run(run_id)
        return (
            manager.get(run_id) is None
            and stored is not None
            and stored["status"] in ("finished", "stopped", "interrupted", "failed")
        )

    return ended


def drain(sio: SocketIOTestClient) -> dict[str, list[Any]]:
    """Everything the test client has received so far: event name -> first arguments."""
    out: dict[str, list[Any]] = {}
    for pkt in sio.get_received():
        out.setdefault(pkt["name"], []).append(pkt["args"][0])
    return out


def batch_events(batches: list[dict[str, Any]], run_id: str) -> list[dict[str, Any]]:
    """The events of a run's `run_events` batches, in the order they arrived."""
    return [e for batch in batches if batch["run_id"] == run_id for e in batch["events"]]


def reference_lines(params: dict[str, Any]) -> list[str]:
    """The engine's own JSON lines for these (resolved) parameters, run in one go."""
    from sim import Simulation, resolve, to_json

    events: list[dict[str, Any]] = []
    Simulation(resolve({"params": params}), sink=events.append).run()
    return [to_json(e) for e in events]

"""Two apps made by create_app() in one process stay apart: own Socket.IO server, own database."""

from __future__ import annotations

import atexit
from typing import Any

import pytest

from app import shutdown
from app.server import serving
from tests.conftest import make_app, wait_until
from tests.test_e2e_live import Viewer, close_all, stored_lines

pytestmark = pytest.mark.e2e


class Recorder(Viewer):
    """Records every run id it hears of, and the events of its own run (even those that
    arrive before its start ack has been read)."""

    def __init__(self, url: str) -> None:
        self.seen: list[str] = []
        self.early: list[dict[str, Any]] = []
        self.early_statuses: list[dict[str, Any]] = []
        super().__init__(url)

    def _on_events(self, message: dict[str, Any]) -> None:
        self.seen.append(message["run_id"])
        with self.lock:
            if self.run_id is None:
                self.early.append(message)
            elif message["run_id"] == self.run_id:
                self.events.extend(message["events"])

    def _on_status(self, message: dict[str, Any]) -> None:
        self.seen.append(message["run_id"])
        with self.lock:
            if self.run_id is None:
                self.early_statuses.append(message)
            elif message["run_id"] == self.run_id:
                self.statuses.append(message)

    def start(self, body: dict[str, Any]) -> dict[str, Any]:
        ack = self.call("start_run", body)
        assert ack["ok"], ack
        with self.lock:
            self.run_id = ack["id"]
            for message in self.early:
                if message["run_id"] == self.run_id:
                    self.events.extend(message["events"])
            self.statuses.extend(m for m in self.early_statuses if m["run_id"] == self.run_id)
        return ack


def fresh_app(tmp_path: Any, name: str) -> Any:
    (tmp_path / name).mkdir()
    return make_app(tmp_path / name)


BODY = {"preset": "tutorial", "params": {"bookings": 30, "seed": 3}, "speed": "instant"}


def test_two_apps_side_by_side_do_not_cross_emits(tmp_path: Any) -> None:
    first = fresh_app(tmp_path, "a")
    second = fresh_app(tmp_path, "b")  # made after: it must not take over the first's emits
    with serving(first) as url_a, serving(second) as url_b:
        a, b = Recorder(url_a), Recorder(url_b)
        watcher_b = Recorder(url_b)  # on the second app, joined to nothing
        run_a = a.start(BODY)
        run_b = b.start({**BODY, "params": {"bookings": 20, "seed": 4}})
        for viewer in (a, b):
            wait_until(viewer.ended, what="both runs to end")
        for viewer, url, run in ((a, url_a, run_a), (b, url_b, run_b)):
            stored = stored_lines(url, run["id"])
            assert [e["seq"] for e in viewer.events] == list(range(len(stored)))
            assert set(viewer.seen) == {run["id"]}
        assert watcher_b.seen == []
        # each app knows only its own run
        assert first.extensions["sagalab.runs"].store.get_run(run_b["id"]) is None
        assert second.extensions["sagalab.runs"].store.get_run(run_a["id"]) is None
        close_all(a.client, b.client, watcher_b.client)


def test_each_app_has_its_own_socketio_and_one_database(tmp_path: Any) -> None:
    first, second = fresh_app(tmp_path, "a"), fresh_app(tmp_path, "b")
    assert first.extensions["socketio"] is not second.extensions["socketio"]
    for app in (first, second):
        runs, experiments = app.extensions["sagalab.runs"], app.extensions["experiments"]
        assert runs.socketio is app.extensions["socketio"]
        assert experiments.socketio is app.extensions["socketio"]
        assert runs.store.db is experiments.store.db  # one connection, one write lock
        shutdown(app)


def test_create_app_registers_no_exit_hook(tmp_path: Any, monkeypatch: Any) -> None:
    hooks: list[Any] = []
    monkeypatch.setattr(atexit, "register", hooks.append)
    for name in ("a", "b", "c"):
        shutdown(fresh_app(tmp_path, name))
    assert hooks == []

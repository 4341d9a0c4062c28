"""The real server on 127.0.0.1 with real python-socketio clients over WebSocket."""

from __future__ import annotations

import threading
from typing import Any

import engineio
import pytest
import requests
import socketio

from tests.conftest import wait_until

pytestmark = pytest.mark.e2e


class _InlineEngineIO(engineio.Client):
    def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class InOrderClient(socketio.Client):
    """python-socketio's client, handling each message on its read thread, in arrival order.

    The stock client starts a thread per incoming message, so its handlers may run out of
    order; this one checks the order on the wire. Its handlers must not wait for acks.
    """

    def _engineio_client_class(self) -> type[engineio.Client]:
        return _InlineEngineIO


class Viewer:
    """A python-socketio client that records one run's events and statuses."""

    def __init__(
        self, url: str, transports: tuple[str, ...] = ("websocket",), **connect: Any
    ) -> None:
        self.events: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self.run_id: str | None = None
        self.lock = threading.Lock()
        self.client = InOrderClient(reconnection=False)
        self.client.on("run_events", self._on_events)
        self.client.on("run_status", self._on_status)
        self.client.connect(url, transports=list(transports), wait_timeout=10, **connect)

    # before start_run's ack sets run_id, whatever arrives is that run's (it may come first)
    def _on_events(self, message: dict[str, Any]) -> None:
        if self.run_id in (None, message["run_id"]):
            with self.lock:
                self.events.extend(message["events"])

    def _on_status(self, message: dict[str, Any]) -> None:
        if self.run_id in (None, message["run_id"]):
            self.statuses.append(message)

    def call(self, event: str, data: Any) -> Any:
        return self.client.call(event, data, timeout=30)

    def start(self, body: dict[str, Any]) -> dict[str, Any]:
        ack = self.call("start_run", body)
        assert ack["ok"], ack
        self.run_id = ack["id"]
        return ack

    def join(self, run_id: str) -> dict[str, Any]:
        self.run_id = run_id
        ack = self.call("join_run", {"run_id": run_id})
        assert ack["ok"], ack
        return ack

    def ended(self) -> bool:
        return any(s["state"] in ("finished", "stopped") for s in self.statuses)


def close_all(*clients: socketio.Client) -> None:
    """Disconnect in parallel: python-socketio's client may wait 3 s for a close frame."""
    threads = [threading.Thread(target=c.disconnect) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def stored_lines(url: str, run_id: str) -> list[str]:
    response = requests.get(f"{url}/api/runs/{run_id}/events", timeout=30)
    assert response.status_code == 200
    return response.text.splitlines()


def test_late_viewer_ends_with_exactly_the_events_of_an_early_one(live_server: str) -> None:
    from sim import to_json

    controller = Viewer(live_server)
    params = {"bookings": 40, "seed": 5, "until": None}
    run = controller.start({"preset": "tutorial", "params": params, "speed": 10})
    early = Viewer(live_server)
    early.join(run["id"])
    wait_until(lambda: len(early.events) >= 5, what="the early viewer's first events")
    late = Viewer(live_server)
    joined = late.join(run["id"])
    assert joined["run"]["status"] == "running"  # really mid-run
    assert joined["run"]["event_count"] > 0
    control = {
        "run_id": run["id"],
        "token": run["control_token"],
        "action": "speed",
        "speed": "instant",
    }
    assert controller.call("control_run", control) == {"ok": True}
    for viewer in (controller, early, late):
        wait_until(viewer.ended, what="every viewer to see the end")
    stored = stored_lines(live_server, run["id"])
    assert len(stored) > joined["run"]["event_count"]
    for viewer in (controller, early, late):
        assert [e["seq"] for e in viewer.events] == list(range(len(stored)))
        assert [to_json(e) for e in viewer.events] == stored
    close_all(controller.client, early.client, late.client)


def test_a_client_without_the_token_cannot_pause(live_server: str) -> None:
    controller = Viewer(live_server)
    run = controller.start({"preset": "tutorial", "params": {"bookings": 50}, "speed": 2})
    intruder = Viewer(live_server)
    intruder.join(run["id"])
    for token in (None, "not-the-token"):
        ack = intruder.call("control_run", {"run_id": run["id"], "token": token, "action": "pause"})
        assert ack["ok"] is False and "token" in ack["error"]
    assert (
        requests.get(f"{live_server}/api/runs/{run['id']}", timeout=10).json()["status"]
        == "running"
    )
    assert controller.call(
        "control_run", {"run_id": run["id"], "token": run["control_token"], "action": "pause"}
    ) == {"ok": True}
    wait_until(
        lambda: intruder.statuses and intruder.statuses[-1]["state"] == "paused",
        what="the viewer to see the pause",
    )
    close_all(controller.client, intruder.client)


def connect_from(url: str, transport: str, origin: str) -> socketio.Client:
    """Connect as a page served from `origin` would (websocket-client sets Origin itself)."""
    if transport == "websocket":
        client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
        client.connect(url, transports=[transport], wait_timeout=10)
    else:
        client = socketio.Client(reconnection=False)
        client.connect(url, transports=[transport], headers={"Origin": origin}, wait_timeout=10)
    return client


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_foreign_origins_are_refused(live_server: str, transport: str) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect_from(live_server, transport, "http://evil.example")
    own = connect_from(live_server, transport, live_server)
    assert own.connected
    threading.Thread(target=own.disconnect, daemon=True).start()  # a long poll may linger


def test_a_message_over_the_transport_limit_drops_only_that_client(live_server: str) -> None:
    rude = Viewer(live_server)
    huge = {"params": {"plan": {f"BOOK{i:05d}": ["car"] for i in range(1, 5000)}}}
    rude.client.emit("start_run", huge)
    wait_until(lambda: not rude.client.connected, what="the server to drop the client")
    polite = Viewer(live_server)
    assert polite.call("join_run", {"run_id": "nope"})["ok"] is False
    assert requests.get(f"{live_server}/healthz", timeout=10).json()["ok"] is True
    close_all(polite.client)


def test_the_join_ack_arrives_before_the_catch_up(live_server: str) -> None:
    starter = Viewer(live_server)
    run = starter.start({"preset": "tutorial", "speed": "instant"})
    wait_until(starter.ended, what="the run to end")
    arrivals: list[str] = []
    late = InOrderClient(reconnection=False)
    late.on("run_events", lambda message: arrivals.append("events"))
    late.on("run_status", lambda message: arrivals.append("status"))
    late.connect(live_server, transports=["websocket"], wait_timeout=10)
    late.emit("join_run", {"run_id": run["id"]}, callback=lambda ack: arrivals.append("ack"))
    wait_until(lambda: "status" in arrivals, what="the catch-up to end with a status")
    assert arrivals[0] == "ack"
    assert arrivals[-1] == "status" and "events" in arrivals
    close_all(starter.client, late)

"""Slow and vanishing viewers on the real server: dropped, not waited for; replays stop."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from app import shutdown
from app.runs import fanout
from app.server import serving
from tests.conftest import make_app, run_ended, wait_until
from tests.test_e2e_live import InOrderClient, Viewer, close_all, stored_lines

pytestmark = pytest.mark.e2e

BIG = {
    "preset": "tutorial",
    "params": {"bookings": 2_000, "seed": 7, "until": None},
    "speed": "instant",
}


class Stalled:
    """A client that stops reading at a `run_events` batch until released: its read thread
    (which also answers probes and pings) waits in the handler, so nothing more is read or
    acknowledged. By default it stops at its first batch; `at_kind` stops it at the batch
    holding an event of that kind."""

    def __init__(self, url: str, at_kind: str | None = None) -> None:
        self.got_batch, self.release = threading.Event(), threading.Event()
        self.stalled_at: int | None = None  # the first seq of the batch it stopped at
        self.dropped: list[dict[str, Any]] = []
        self._at_kind = at_kind
        self.client = InOrderClient(reconnection=False)
        self.client.on("run_events", self._on_events)
        self.client.on("run_dropped", self.dropped.append)
        self.client.connect(url, transports=["websocket"], wait_timeout=10)

    def dropped_from(self, run_id: str) -> int:
        """Release it, hear that it was dropped from run_id; the seq it may rejoin from."""
        self.release.set()
        wait_until(lambda: self.dropped, timeout=30, what="the stalled viewer to hear it")
        dropped = self.dropped[0]
        assert dropped["run_id"] == run_id and "behind" in dropped["reason"]
        return dropped["from_seq"]

    def _on_events(self, message: dict[str, Any]) -> None:
        self.got_batch.set()
        kinds = {event["kind"] for event in message["events"]}
        if self.stalled_at is None and (self._at_kind is None or self._at_kind in kinds):
            self.stalled_at = message["events"][0]["seq"]
            self.release.wait(60)


class Rejoining(Viewer):
    """A healthy viewer that, like the page, joins again from its last seq when dropped
    (on a loaded machine even a healthy client may miss the lag limit)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.drops = 0
        self.client.on("run_dropped", self._on_dropped)

    def _on_dropped(self, message: dict[str, Any]) -> None:
        self.drops += 1
        with self.lock:
            first = self.events[-1]["seq"] + 1 if self.events else 0
        self.client.emit("join_run", {"run_id": message["run_id"], "from_seq": first})


@pytest.fixture
def lag_server(tmp_path: Any, monkeypatch: Any) -> Iterator[tuple[Any, str, list[str]]]:
    """The server, and the sids it has told `run_dropped` (recorded as it tells them)."""
    told: list[str] = []
    real = fanout.tell_dropped

    def telling(socketio: Any, viewer: Any, *args: Any) -> None:
        told.append(viewer.sid)
        real(socketio, viewer, *args)

    monkeypatch.setattr(fanout, "tell_dropped", telling)  # where lagging viewers are dropped
    app = make_app(tmp_path, VIEWER_MAX_LAG_SECONDS=2.0, MAX_BOOKINGS_INSTANT=2_000)
    with serving(app) as url:
        yield app, url, told
    shutdown(app)


def test_a_viewer_that_stops_reading_is_dropped_and_the_run_goes_on(lag_server) -> None:
    """The stalled viewer is in the run's room from its first event (it joins the run while
    it is paused), so the instant run cannot outrun the check: it holds back for the viewer
    at most VIEWER_MAX_LAG_SECONDS, drops it, and finishes while the viewer still reads
    nothing."""
    app, url, told = lag_server
    controller = Rejoining(url)
    stalled = Stalled(url)
    run = controller.start({**BIG, "start_paused": True})
    assert stalled.client.call("join_run", {"run_id": run["id"]}, timeout=30)["ok"]
    # its catch-up (the run's first event) comes under the run's lock with its entry to the room
    assert stalled.got_batch.wait(30), "the stalled viewer never got the run's first event"
    resume = {"run_id": run["id"], "token": run["control_token"], "action": "resume"}
    assert controller.call("control_run", resume)["ok"]
    wait_until(controller.ended, timeout=60, what="the run to end despite the stalled viewer")
    stored = stored_lines(url, run["id"])
    assert [e["seq"] for e in controller.events] == list(range(len(stored)))
    assert app.extensions["sagalab.runs"].store.get_run(run["id"])["status"] == "finished"
    stalled_sid = stalled.client.get_sid()
    assert stalled_sid in told, "the run ended without dropping the viewer that stopped reading"
    assert stalled.dropped_from(run["id"]) == 0  # it confirmed nothing: it rejoins from the start
    close_all(controller.client, stalled.client)


def test_a_viewer_that_stops_reading_at_the_last_batch_is_dropped_after_the_end(
    lag_server,
) -> None:
    """No batch follows the last one, and the run has ended: its pace is still watched."""
    _app, url, told = lag_server
    stalled = Stalled(url, at_kind="run.finished")
    ack = stalled.client.call(
        "start_run", {**BIG, "params": {**BIG["params"], "bookings": 100}}, timeout=30
    )
    assert ack["ok"], ack
    sid = stalled.client.get_sid()
    wait_until(lambda: sid in told, timeout=30, what="the server to drop the stalled viewer")
    assert stalled.dropped_from(ack["id"]) <= stalled.stalled_at  # that batch is sent again
    close_all(stalled.client)


def test_a_replay_stops_when_its_socket_goes(tmp_path: Any, monkeypatch: Any) -> None:
    app = make_app(
        tmp_path,
        VIEWER_MAX_LAG_SECONDS=120.0,
        VIEWER_MAX_BATCHES_BEHIND=1,
        MAX_BOOKINGS_INSTANT=2_000,
    )
    store = app.extensions["sagalab.runs"].store
    with serving(app) as url:
        controller = Viewer(url)
        run = controller.start(BIG)
        wait_until(run_ended(app, run["id"]), timeout=60, what="the big run to end")
        wait_until(controller.ended, timeout=60, what="the starter's catch-up to end")
        total_chunks = -(-store.get_run(run["id"])["event_count"] // 5_000)
        read, finished = [0], threading.Event()
        real = store.event_lines

        def counting(*args: Any, **kwargs: Any) -> Any:
            try:
                for rows in real(*args, **kwargs):
                    read[0] += 1
                    yield rows
            finally:
                finished.set()

        monkeypatch.setattr(store, "event_lines", counting)
        stalled = Stalled(url)
        assert stalled.client.call("join_run", {"run_id": run["id"]}, timeout=30)["ok"]
        assert stalled.got_batch.wait(30)
        threading.Thread(target=stalled.client.disconnect, daemon=True).start()
        assert finished.wait(30), "the replay went on after its socket went"
        assert read[0] < total_chunks
        stalled.release.set()
        close_all(controller.client)
    shutdown(app)

"""Two app processes behind a real redis-server, sharing one SQLite database."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
import requests

from harness.processes import app_process, redis_server
from tests.conftest import wait_until
from tests.test_e2e_live import Viewer, close_all, stored_lines
from tests.test_e2e_viewers import BIG, Stalled

pytestmark = pytest.mark.e2e
BODY = {"preset": "tutorial", "params": {"bookings": 40, "seed": 4, "until": None}}


@contextmanager
def two_processes(tmp_path, **env: str) -> Iterator[tuple[str, int, str, int]]:
    """Processes A and B on one database and one Redis: (url_a, pid_a, url_b, pid_b)."""
    db = str(tmp_path / "shared.sqlite3")
    with ExitStack() as stack:
        queue = stack.enter_context(redis_server())
        a = stack.enter_context(app_process(db, "--message-queue", queue, **env))
        b = stack.enter_context(app_process(db, "--message-queue", queue, **env))
        yield a[0], a[1], b[0], b[1]


def texts(viewer: Viewer) -> list[str]:
    from sim import to_json

    return [to_json(e) for e in viewer.events]


def test_a_run_on_one_process_streams_to_both_and_obeys_controls_from_either(tmp_path) -> None:
    with two_processes(tmp_path) as (url_a, _pa, url_b, _pb):
        starter = Viewer(url_a)
        run = starter.start({**BODY, "speed": 50, "start_paused": True})
        on_a, on_b = Viewer(url_a), Viewer(url_b)
        for viewer in (on_a, on_b):
            viewer.join(run["id"])
            wait_until(lambda v=viewer: v.statuses, what="each viewer's first status")
        controller = Viewer(url_b)  # controls through the process that does not run it
        control = {"run_id": run["id"], "token": run["control_token"]}
        wrong = controller.call("control_run", {**control, "token": "x", "action": "resume"})
        assert wrong["ok"] is False and "token" in wrong["error"]
        assert controller.call("control_run", {**control, "action": "resume"}) == {"ok": True}
        wait_until(lambda: len(on_b.events) > 20, what="events on B")
        assert controller.call("control_run", {**control, "action": "pause"}) == {"ok": True}
        wait_until(lambda: on_b.statuses[-1]["state"] == "paused", what="the pause, seen on B")
        late_b = Viewer(url_b)  # joins mid-run on B: catch-up from A, then the stream
        late_b.join(run["id"])
        assert controller.call("control_run", {**control, "action": "resume"}) == {"ok": True}
        for viewer in (on_a, on_b, late_b):
            wait_until(viewer.ended, what="every viewer to see the end")
        stored = stored_lines(url_b, run["id"])
        assert len(stored) > 200
        for viewer in (on_a, on_b, late_b):
            assert texts(viewer) == stored  # every event once, in order, on both processes
        close_all(starter.client, on_a.client, on_b.client, late_b.client, controller.client)


def test_a_dead_process_loses_only_its_connections(tmp_path) -> None:
    with two_processes(tmp_path) as (url_a, _pa, url_b, pid_b):
        starter = Viewer(url_a)
        run = starter.start({**BODY, "speed": 20, "start_paused": True})
        on_b = Viewer(url_b)
        on_b.join(run["id"])
        doomed = Viewer(url_b).start({**BODY, "speed": 1})  # executes in B
        control = {"run_id": run["id"], "token": run["control_token"], "action": "resume"}
        assert starter.call("control_run", control) == {"ok": True}
        wait_until(lambda: len(on_b.events) > 30, what="events on B")
        os.kill(pid_b, signal.SIGKILL)
        wait_until(lambda: not on_b.client.connected, what="B's viewer to lose its connection")
        got = len(on_b.events)
        moved = Viewer(url_a)  # the viewer reconnects to A and continues from its last seq
        moved.run_id, moved.events = run["id"], on_b.events
        ack = moved.call("join_run", {"run_id": run["id"], "from_seq": got})
        assert ack["ok"], ack
        wait_until(moved.ended, what="the moved viewer to see the end")
        assert texts(moved) == stored_lines(url_a, run["id"])  # no gap, no repeat
        assert [e["seq"] for e in moved.events] == list(range(len(moved.events)))

        # the run B was executing: once B's claim expires, A marks it interrupted
        def interrupted() -> bool:
            info = requests.get(f"{url_a}/api/runs/{doomed['id']}", timeout=30).json()
            if info["status"] == "interrupted":
                return True
            moved.call("join_run", {"run_id": doomed["id"], "from_seq": 0})
            return False

        wait_until(interrupted, timeout=30, what="B's run to be marked interrupted")
        close_all(starter.client, moved.client)


def test_a_stalled_viewer_on_another_process_is_dropped_and_the_run_goes_on(tmp_path) -> None:
    """The run executes in A; a viewer connected to B stops reading. A tracks its pace
    through the queue like its own viewers': the instant run holds back for it at most
    VIEWER_MAX_LAG_SECONDS, drops it, and finishes while it still reads nothing."""
    lag = {"SAGALAB_VIEWER_MAX_LAG_SECONDS": "2", "SAGALAB_VIEWER_MAX_BATCHES_BEHIND": "1"}
    with two_processes(tmp_path, **lag) as (url_a, _pa, url_b, _pb):
        starter = Viewer(url_a)
        run = starter.start({**BIG, "start_paused": True})
        stalled = Stalled(url_b)
        assert stalled.client.call("join_run", {"run_id": run["id"]}, timeout=30)["ok"]
        # its catch-up (the first event) comes with its entry to the room, through the queue
        assert stalled.got_batch.wait(30), "the viewer on B never got the run's first event"
        resume = {"run_id": run["id"], "token": run["control_token"], "action": "resume"}
        assert starter.call("control_run", resume) == {"ok": True}
        wait_until(starter.ended, timeout=90, what="the run to end despite the stalled viewer")
        stored = stored_lines(url_a, run["id"])
        assert [e["seq"] for e in starter.events] == list(range(len(stored)))
        info = requests.get(f"{url_b}/api/runs/{run['id']}", timeout=30).json()
        assert info["status"] == "finished"
        assert stalled.dropped_from(run["id"]) == 0  # it confirmed nothing: from the start
        close_all(starter.client, stalled.client)


def test_a_viewer_that_disconnects_from_another_process_is_not_waited_for(tmp_path) -> None:
    """B reports its viewer gone, so A stops waiting for it long before the lag limit."""
    lag = {"SAGALAB_VIEWER_MAX_LAG_SECONDS": "300", "SAGALAB_VIEWER_MAX_BATCHES_BEHIND": "1"}
    with two_processes(tmp_path, **lag) as (url_a, _pa, url_b, _pb):
        starter = Viewer(url_a)
        run = starter.start({**BIG, "start_paused": True})
        gone = Viewer(url_b)
        gone.join(run["id"])
        wait_until(lambda: gone.statuses, what="the viewer on B to enter the run")
        close_all(gone.client)
        resume = {"run_id": run["id"], "token": run["control_token"], "action": "resume"}
        assert starter.call("control_run", resume) == {"ok": True}
        wait_until(starter.ended, timeout=90, what="the run to end without its gone viewer")
        close_all(starter.client)

"""Two app processes behind a real redis-server that is killed (kill -9) and started again
mid-run: clear refusals while it is away, then everything works again, nothing lost or
doubled."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest
import requests

from harness.processes import RedisServer, app_process, redis_server
from tests.conftest import wait_until
from tests.test_e2e_cluster import texts
from tests.test_e2e_live import Viewer, close_all, stored_lines

pytestmark = pytest.mark.e2e
BODY = {"preset": "tutorial", "params": {"bookings": 60, "seed": 4, "until": None}}
#: tight pacing, so that probes that did not cross the queue would get a viewer dropped
PACE = {"SAGALAB_VIEWER_MAX_LAG_SECONDS": "5", "SAGALAB_VIEWER_MAX_BATCHES_BEHIND": "1"}


def queue_state(url: str) -> str:
    return requests.get(f"{url}/healthz", timeout=30).json()["queue"]


def post_run(url: str) -> requests.Response:
    return requests.post(f"{url}/api/runs", json={"preset": "tutorial"}, timeout=30)


def test_a_redis_restart_mid_run_loses_nothing(tmp_path: Any) -> None:
    redis = RedisServer()
    db = str(tmp_path / "shared.sqlite3")
    with ExitStack() as stack:
        stack.enter_context(redis_server(redis))
        url_a, _ = stack.enter_context(app_process(db, "--message-queue", redis.url, **PACE))
        url_b, _ = stack.enter_context(app_process(db, "--message-queue", redis.url, **PACE))
        starter = Viewer(url_a)  # the run executes in A
        run = starter.start({**BODY, "speed": 2, "start_paused": True})
        control = {"run_id": run["id"], "token": run["control_token"]}
        on_a, on_b = Viewer(url_a), Viewer(url_b)
        for viewer in (on_a, on_b):
            viewer.join(run["id"])
            wait_until(lambda v=viewer: v.statuses, what="each viewer's first status")
        controller = Viewer(url_b)  # controls through the process that does not run it
        assert controller.call("control_run", {**control, "action": "resume"}) == {"ok": True}
        wait_until(lambda: len(on_b.events) > 10, what="events on B")

        redis.kill()
        for url in (url_a, url_b):  # REST: 503 with Retry-After, never a 500
            refused = post_run(url)
            assert refused.status_code == 503, refused.text
            assert int(refused.headers["Retry-After"]) >= 1
            assert "Redis" in refused.json()["errors"]["queue"]
            assert queue_state(url) == "down"
        ack = controller.call("control_run", {**control, "action": "pause"})
        assert ack["ok"] is False and "Redis" in ack["error"] and ack["retry_after"] >= 1
        ack = Viewer(url_b).call("join_run", {"run_id": run["id"]})
        assert ack["ok"] is False and "Redis" in ack["error"]
        before = len(on_a.events)
        wait_until(lambda: len(on_a.events) > before + 5, what="A's own viewer to go on")
        stored_now = requests.get(f"{url_b}/api/runs/{run['id']}", timeout=30).json()
        assert stored_now["status"] == "running"  # reads need no queue; the run goes on
        missed_on_b = len(on_b.events)

        redis.start()  # the same port, empty: every claim and subscription is gone
        for url in (url_a, url_b):
            wait_until(lambda u=url: queue_state(u) == "up", timeout=30, what="the queue back")
        wait_until(lambda: len(on_b.events) > missed_on_b + 5, what="B's viewer to catch up")
        late_b = Viewer(url_b)  # a join through B works again: catch-up, then the stream
        late_b.join(run["id"])
        wait_until(lambda: late_b.statuses, what="the late viewer's first status")
        ack = controller.call("control_run", {**control, "action": "pause"})
        assert ack == {"ok": True}, ack
        for viewer in (on_a, on_b, late_b):
            wait_until(
                lambda v=viewer: v.statuses[-1]["state"] == "paused", what="the pause, everywhere"
            )
        for action in ({"action": "speed", "speed": "instant"}, {"action": "resume"}):
            assert controller.call("control_run", {**control, **action}) == {"ok": True}
        for viewer in (starter, on_a, on_b, late_b):
            wait_until(viewer.ended, timeout=90, what="every viewer to see the end")
        stored = stored_lines(url_b, run["id"])
        info = requests.get(f"{url_b}/api/runs/{run['id']}", timeout=30).json()
        assert info["status"] == "finished" and len(stored) > 300
        for viewer in (starter, on_a, on_b, late_b):
            assert texts(viewer) == stored  # every event once, in order, on both processes
        created = post_run(url_b)
        assert created.status_code == 201, created.text
        close_all(starter.client, on_a.client, on_b.client, late_b.client, controller.client)

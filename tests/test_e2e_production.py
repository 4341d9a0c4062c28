"""README's production command: gunicorn (gevent worker) on the same app factory."""

from __future__ import annotations

import gzip

import pytest
import requests

from harness.processes import app_process
from tests.conftest import wait_until
from tests.sim_helpers import experiment_spec
from tests.test_e2e_live import Viewer, close_all, stored_lines

pytestmark = pytest.mark.e2e


def test_gunicorn_gevent_serves_pages_a_live_run_and_an_experiment(tmp_path) -> None:
    from sim import to_json

    with app_process(str(tmp_path / "prod.sqlite3"), server="gevent") as (url, _pid):
        page = requests.get(url + "/", headers={"Accept-Encoding": "gzip"}, timeout=30, stream=True)
        assert page.headers["Content-Encoding"] == "gzip"
        assert b"<!doctype html>" in gzip.decompress(page.raw.read())

        starter, watcher, late = Viewer(url), Viewer(url), Viewer(url)
        params = {"bookings": 30, "seed": 3, "until": None}
        body = {"preset": "tutorial", "params": params, "speed": 50, "start_paused": True}
        run = starter.start(body)
        watcher.join(run["id"])  # joiners know the run id before its events come
        wait_until(lambda: watcher.statuses, what="the watcher's first status")
        control = {"run_id": run["id"], "token": run["control_token"]}
        assert starter.call("control_run", {**control, "action": "resume"}) == {"ok": True}
        wait_until(lambda: len(watcher.events) > 10, what="the first events")
        assert starter.call("control_run", {**control, "action": "pause"}) == {"ok": True}
        wait_until(lambda: watcher.statuses[-1]["state"] == "paused", what="the pause")
        late.join(run["id"])
        assert starter.call("control_run", {**control, "action": "resume"}) == {"ok": True}
        for viewer in (watcher, late):
            wait_until(viewer.ended, timeout=60, what="every viewer to see the end")
        stored = stored_lines(url, run["id"])
        assert len(stored) > 100
        for viewer in (watcher, late):
            assert [to_json(e) for e in viewer.events] == stored
        close_all(starter.client, watcher.client, late.client)

        # experiments run on a process pool: under gevent's monkey-patching too
        spec = experiment_spec(0.3, 2)
        created = requests.post(f"{url}/api/experiments", json=spec, timeout=30)
        assert created.status_code == 201, created.text
        exp = f"{url}/api/experiments/{created.json()['id']}"
        wait_until(
            lambda: requests.get(exp, timeout=30).json()["status"] not in ("queued", "running"),
            what="the experiment to end",
        )
        done = requests.get(exp, timeout=30).json()
        assert done["status"] == "finished"
        assert len(done["points"]) == 6

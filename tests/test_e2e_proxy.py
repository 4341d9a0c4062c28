"""Two machines, simulated on one: two app processes with their own instance folders, one
Redis, one PostgreSQL, and nginx in front with docs/deploy.md's own config."""

from __future__ import annotations

import os
import signal
import time

import pytest
import requests

from harness.processes import two_machines
from sim import to_json
from tests.conftest import wait_until
from tests.test_e2e_live import Viewer, close_all, stored_lines

pytestmark = pytest.mark.e2e
BODY = {"preset": "tutorial", "params": {"bookings": 40, "seed": 4, "until": None}}


def owner_of(run_id: str, machines: list[tuple[str, int]]) -> tuple[str, int]:
    """The machine executing the run (asked directly, not through the proxy)."""
    live = [
        m for m in machines if requests.get(f"{m[0]}/api/runs/{run_id}", timeout=30).json()["live"]
    ]
    assert len(live) == 1, live
    return live[0]


def texts(viewer: Viewer) -> list[str]:
    return [to_json(event) for event in viewer.events]


def test_two_machines_behind_nginx_share_runs_viewers_controls_and_a_death(tmp_path) -> None:
    with two_machines(str(tmp_path)) as (proxy, machines, _nginx):
        assert all(os.path.isdir(tmp_path / name) for name in ("a", "b"))  # own instance folders
        page = requests.get(f"{proxy}/", timeout=30)
        assert page.status_code == 200 and "/assets/" in page.text

        # a run started through the proxy executes on one machine ...
        started = requests.post(
            f"{proxy}/api/runs", json={**BODY, "speed": 50, "start_paused": True}, timeout=30
        )
        assert started.status_code == 201, started.text
        run = started.json()
        owner_of(run["id"], machines)
        # ... and is watched through the proxy by viewers spread over both (round robin), one
        # of them over long-polling (sticky by address), and controlled by each of them
        viewers = [Viewer(proxy) for _ in range(4)] + [Viewer(proxy, transports=("polling",))]
        for viewer in viewers:
            viewer.join(run["id"])
        control = {"run_id": run["id"], "token": run["control_token"]}
        for viewer, action in zip(
            viewers, ("resume", "pause", "resume", "pause", "resume"), strict=True
        ):
            assert viewer.call("control_run", {**control, "action": action}) == {"ok": True}
            wanted = "paused" if action == "pause" else "running"
            wait_until(lambda w=wanted: viewers[0].statuses[-1]["state"] in (w, "finished"),
                       what=f"the {action} seen by the first viewer")  # fmt: skip
        for viewer in viewers:
            wait_until(viewer.ended, what="every viewer to see the end")
        # ... and replayed through either machine, directly or through the proxy
        stored = stored_lines(proxy, run["id"])
        assert len(stored) > 200
        for url, _pid in machines:
            assert stored_lines(url, run["id"]) == stored
            assert requests.get(f"{url}/api/runs/{run['id']}/events.csv", timeout=30).ok
        for viewer in viewers:
            assert texts(viewer) == stored  # every event once, in order, wherever connected
        late = Viewer(proxy)  # joins the ended run: the stored events, from the database
        late.join(run["id"])
        wait_until(lambda: len(late.events) == len(stored), what="the replay's catch-up")
        assert texts(late) == stored

        # a second run; its machine is killed mid-run
        doomed = requests.post(f"{proxy}/api/runs", json={**BODY, "speed": 2}, timeout=30).json()
        victim = owner_of(doomed["id"], machines)
        survivor = next(m for m in machines if m != victim)
        for viewer in viewers:
            viewer.events, viewer.statuses = [], []
            viewer.join(doomed["id"])
        wait_until(lambda: all(len(v.events) > 20 for v in viewers), what="the second run's events")
        os.kill(victim[1], signal.SIGKILL)
        killed = time.monotonic()
        wait_until(lambda: any(not v.client.connected for v in viewers), what="lost connections")
        time.sleep(1)  # every viewer of the dead machine has noticed by now
        lost = [v for v in viewers if not v.client.connected]
        kept = [v for v in viewers if v.client.connected]
        assert lost and kept  # the viewers were on both machines: each watched through both

        poke = Viewer(proxy)  # a join (or a start-up) finds the run's owner gone

        def interrupted() -> bool:
            info = requests.get(f"{proxy}/api/runs/{doomed['id']}", timeout=30).json()
            if info["status"] == "interrupted":
                return True
            assert poke.call("join_run", {"run_id": doomed["id"], "from_seq": 0})["ok"]
            time.sleep(0.2)
            return False

        wait_until(interrupted, timeout=60, what="the dead machine's run to be interrupted")
        print(f"interrupted {time.monotonic() - killed:.1f} s after the kill (owner lease 6 s)")
        info = requests.get(f"{survivor[0]}/api/runs/{doomed['id']}", timeout=30).json()
        assert info["reason"] == "the server process running it stopped"
        events = stored_lines(proxy, doomed["id"])
        assert info["event_count"] == len(events) > 20  # every stored event, no hole
        assert [int(line.split('"seq":')[1].split(",")[0]) for line in events] == list(
            range(len(events))
        )
        for viewer in viewers:  # what each saw is what was stored, in order
            seen = texts(viewer)
            assert seen == events[: len(seen)]
        close_all(*(v.client for v in kept), late.client, poke.client)

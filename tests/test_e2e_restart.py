"""`python -m app` as a process: stored runs survive a restart; cut-off runs are marked."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from tests.conftest import wait_until

pytestmark = pytest.mark.e2e
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextmanager
def app_process(db: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--port", "0", "--db", db],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        assert match, "the server did not print its address"
        yield match.group(0), proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def test_runs_survive_a_restart_and_cut_off_runs_are_interrupted(tmp_path) -> None:
    db = str(tmp_path / "restart.sqlite3")
    with app_process(db) as (url, proc):
        done = requests.post(
            f"{url}/api/runs", json={"preset": "tutorial", "speed": "instant"}, timeout=30
        ).json()["id"]
        live = requests.post(
            f"{url}/api/runs",
            json={"preset": "tutorial", "speed": 1.0, "start_paused": True},
            timeout=30,
        ).json()
        wait_until(
            lambda: (
                requests.get(f"{url}/api/runs/{done}", timeout=30).json()["status"] == "finished"
            ),
            what="the instant run to finish",
        )
        events_before = requests.get(f"{url}/api/runs/{done}/events", timeout=30).text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    with app_process(db) as (url, _proc):
        runs = {r["id"]: r for r in requests.get(f"{url}/api/runs", timeout=30).json()["runs"]}
        assert runs[done]["status"] == "finished"
        assert runs[live["id"]]["status"] == "interrupted"
        assert requests.get(f"{url}/api/runs/{done}/events", timeout=30).text == events_before
        assert requests.get(f"{url}/healthz", timeout=30).json()["live_runs"] == 0

"""`python -m app` killed or stopped during an experiment, and started on a bad database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from typing import Any

import pytest
import requests

from tests.conftest import wait_until
from tests.sim_helpers import experiment_spec
from tests.test_e2e_restart import ROOT, app_process

pytestmark = pytest.mark.e2e

HEAVY = experiment_spec(0.3, 4, base={"preset": None, "params": {"bookings": 20_000}})


def descendants(pid: int) -> set[int]:
    """Every living process below pid (zombies count as gone)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat and stat[0] != "Z":
                children.setdefault(int(stat[1]), []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if (_stat(pid) or ["Z"])[0] != "Z"}


def busy_experiment(url: str, proc: subprocess.Popen[str]) -> tuple[str, set[int]]:
    """Start the heavy experiment; return its id once two workers compute."""
    created = requests.post(f"{url}/api/experiments", json=HEAVY, timeout=30)
    assert created.status_code == 201, created.text
    workers = wait_until(
        lambda: len(descendants(proc.pid)) >= 3 and descendants(proc.pid),
        timeout=120,
        what="the fork server and two workers",
    )
    return created.json()["id"], workers


def test_kill_9_of_the_server_ends_its_experiment_workers(tmp_path: Any) -> None:
    os.environ["SAGALAB_EXPERIMENT_WORKERS"] = "2"
    try:
        with app_process(str(tmp_path / "k.sqlite3")) as (url, proc):
            _exp, workers = busy_experiment(url, proc)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            killed = time.monotonic()
            wait_until(lambda: not alive(workers), timeout=30, what="the orphaned workers to exit")
            print(f"workers {sorted(workers)} gone {time.monotonic() - killed:.2f} s after kill -9")
    finally:
        del os.environ["SAGALAB_EXPERIMENT_WORKERS"]


def test_sigterm_during_an_experiment_exits_fast_and_stores_what_is_done(tmp_path: Any) -> None:
    db = str(tmp_path / "t.sqlite3")
    os.environ["SAGALAB_EXPERIMENT_WORKERS"] = "2"
    try:
        with app_process(db) as (url, proc):
            exp_id, workers = busy_experiment(url, proc)
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=5) == 0  # the bound: within 5 s
            print(f"SIGTERM: exited in {time.monotonic() - sent:.2f} s")
            wait_until(lambda: not alive(workers), timeout=30, what="the workers to exit")
    finally:
        del os.environ["SAGALAB_EXPERIMENT_WORKERS"]
    with sqlite3.connect(db) as conn:
        status, progress, error = conn.execute(
            "SELECT status, progress, error FROM experiments WHERE id=?", (exp_id,)
        ).fetchone()
    assert status == "interrupted" and "server stopped" in error
    assert '"runs_total": 24' in progress


@pytest.mark.parametrize("where", ["a-file/sagalab.sqlite3", "a-dir"])
def test_an_unusable_database_is_one_line_naming_it(tmp_path: Any, where: str) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "a-dir").mkdir()
    path = str(tmp_path / where)
    done = subprocess.run(
        [sys.executable, "-m", "app", "--port", "0", "--db", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert path in lines[0] and lines[0].startswith("python -m app: cannot use the database")

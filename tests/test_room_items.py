"""Issue 25's small items without a browser: the address `make run HOST=0.0.0.0` prints and
the class's join link carries, a run held open for an actor nobody restarts ends by itself,
and "a step fails" does not stop on a failed first step (nothing to undo)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from app.lan import browse_url, lan_address
from app.runs.breakpoints import first_hit, kinds, worth_pausing
from harness.processes import free_port, wait_up
from sim import Simulation, resolve

ROOT = Path(__file__).resolve().parent.parent


def test_a_wildcard_address_becomes_the_network_address() -> None:
    lan = lan_address() or "127.0.0.1"
    assert browse_url("0.0.0.0", 5000) == f"http://{lan}:5000/"
    assert browse_url("127.0.0.1", 8080) == "http://127.0.0.1:8080/"
    assert browse_url("::1", 80) == "http://[::1]:80/"
    assert lan == "127.0.0.1" or not lan.startswith("127.")


def test_serving_every_interface_prints_and_shares_the_address_phones_open(
    tmp_path: Path,
) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--host", "0.0.0.0", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={
            **os.environ,
            "SAGALAB_DATABASE": str(tmp_path / "s.sqlite3"),
            "PYTHONUNBUFFERED": "1",
        },
    )
    try:
        wait_up(f"http://127.0.0.1:{port}", proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        expected = browse_url("0.0.0.0", port)
        assert "0.0.0.0" not in line and line.startswith(f"Saga Lab on {expected}"), line
        made = requests.post(f"http://127.0.0.1:{port}/api/classes", timeout=10).json()
        # the join card and the QR code carry it, not the presenter's 127.0.0.1
        assert made["join_url"] == f"{expected}class/{made['code']}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_an_actor_nobody_restarts_ends_a_held_open_run() -> None:
    events: list[dict] = []
    params = resolve(
        {"preset": "tutorial", "params": {"orchestrator": {"restart_after": None}, "until": None}}
    )
    sim = Simulation(params, sink=events.append, hold_open=True)
    sim.advance(0.3)
    sim.inject({"action": "crash", "actor": "orchestrator"})
    t = 0.3
    while not sim.done and t < 10_000:
        t += 1.0  # the wall-clock pace of a live run moves time on
        sim.advance(t)
    assert sim.done and sim.now <= 12 + Simulation.HOLD_OPEN_FOR + 1
    end = events[-1]
    assert end["kind"] == "run.finished"
    assert end["reason"] == "nothing left to do: orchestrator stayed down with no restart"
    assert [e["saga"] for e in events if e["kind"] == "saga.stuck"] == ["BOOK001"]


def test_a_restart_in_time_keeps_the_run_going() -> None:
    params = resolve(
        {"preset": "tutorial", "params": {"orchestrator": {"restart_after": None}, "until": None}}
    )
    sim = Simulation(params, hold_open=True)
    sim.advance(0.3)
    sim.inject({"action": "crash", "actor": "orchestrator"})
    sim.advance(50)
    assert not sim.done and sim.now == 50
    sim.inject({"action": "restart", "actor": "orchestrator"})
    summary = sim.run()
    assert summary["sagas"]["stuck"] == 0


def test_a_failed_first_step_is_no_breakpoint() -> None:
    first = {"kind": "step.failed", "step": "flight", "seq": 3}
    later = {"kind": "step.failed", "step": "car", "seq": 9}
    assert not worth_pausing(first) and worth_pausing(later)
    assert first_hit([first, later], kinds(["step_failed"])) == 1
    crash = {"kind": "actor.crashed", "step": None, "seq": 4}
    assert worth_pausing(crash)

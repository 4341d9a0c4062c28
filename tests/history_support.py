"""Helpers for the history tests: start runs over REST, wait for them, compute the state a
replay must show at time t straight from the events (independently of the page's code)."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

ENDINGS = {
    "saga.completed": "completed",
    "saga.compensated": "compensated",
    "saga.stuck": "stuck",
    "saga.flagged": "flagged",
}


def call(base: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """A JSON request to the server; returns (status, decoded body)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def get_text(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path) as resp:
        return resp.read().decode()


def wait_ended(base: str, run_id: str, timeout: float = 120.0) -> dict[str, Any]:
    """Poll the run until it is no longer live; its REST record."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _status, run = call(base, "GET", f"/api/runs/{run_id}")
        if not run["live"]:
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} never ended")


def finished_run(base: str, preset: str, **params: Any) -> dict[str, Any]:
    """Start an instant run of a preset (with overrides) and wait for its end."""
    status, started = call(
        base, "POST", "/api/runs", {"preset": preset, "params": params, "speed": "instant"}
    )
    assert status == 201, started
    run = wait_ended(base, started["id"])
    # a run stores its end before it stops being live (app/runs/info.py)
    assert run["summary"] is not None, f"run {run['id']} ended {run['status']} with no summary"
    return run


def events_of(base: str, run_id: str) -> list[dict[str, Any]]:
    text = get_text(base, f"/api/runs/{run_id}/events")
    return [json.loads(line) for line in text.splitlines()]


def expected_at(events: list[dict[str, Any]], t: float) -> dict[str, Any]:
    """Outcomes per saga, inventory and failed checks after every event with e.t <= t."""
    outcome: dict[str, str] = {}
    inventory: dict[str, int] = {}
    failed: set[str] = set()
    for e in events:
        if e["t"] > t:
            break
        if e["saga"] and e["saga"] not in outcome:
            outcome[e["saga"]] = "running"
        if e["kind"] == "saga.compensating" and outcome[e["saga"]] == "running":
            outcome[e["saga"]] = "compensating"
        if e["kind"] in ENDINGS:
            outcome[e["saga"]] = ENDINGS[e["kind"]]
        if "inventory" in e:
            inventory.update(e["inventory"])
        if e["kind"] == "invariant.violated":
            failed.add(e["check"])
        if e["kind"] == "run.finished":
            failed |= {c for c, r in e["summary"]["invariants"].items() if not r["ok"]}
    return {"outcome": outcome, "inventory": inventory, "failed": failed}

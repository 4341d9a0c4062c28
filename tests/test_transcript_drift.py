"""The two transcript renderers print the same lines: sim/trace/transcript.py and, run by node,
static/js/transcript.js, both interpreting sim/trace/vocabulary.py's TRANSCRIPT table."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sim import PRESETS, Simulation, resolve
from sim.params import parse_plan
from sim.trace.events import Event, ListSink
from sim.trace.transcript import render
from sim.trace.vocabulary import TRANSCRIPT

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS: dict[str, dict[str, Any]] = {
    **{f"preset {name}": {"preset": name} for name in PRESETS},
    "tutorial sample": {
        "preset": "tutorial",
        "params": {"plan": parse_plan("BOOK002:flight,BOOK003:flight,BOOK004:car,BOOK005:car")},
    },
    "choreography, car fails": {
        "preset": "tutorial-choreography",
        "params": {"plan": {"BOOK004": ["car"]}},
    },
    "orchestrator crash in a hotel step": {
        "preset": "tutorial",
        "params": {
            "orchestrator": {"crash_saga": "BOOK002", "crash_step": "hotel", "durable_log": True}
        },
    },
    "retries, lost replies, failing undo": {
        "params": {
            "bookings": 60,
            "retries": 2,
            "reply_loss_rate": 0.2,
            "compensation_failure_rate": 0.4,
            "compensation_retries": 1,
            "seed": 7,
        }
    },
    "choreography: redelivered undo, already canceled": {
        "params": {
            "mode": "choreography",
            "bookings": 30,
            "idempotent": True,
            "compensation_failure_rate": 0.3,
            "choreography": {
                "ack_after_commit": True,
                "crash_service": "flight",
                "crash_saga": "BOOK005",
                "redelivery_timeout": 0.3,
                "restart_after": 0.5,
            },
            "seed": 1,
        }
    },
}


def traces() -> dict[str, list[Event]]:
    """Every scenario's events, and times that round differently in JS unless handled."""
    out = {}
    for name, request in SCENARIOS.items():
        sink = ListSink()
        Simulation(resolve(request), sink=sink).run()
        out[name] = sink.events
    rng = random.Random(1)
    times = (
        [k / 4 for k in range(40)]
        + [k / 20 for k in range(200)]
        + [rng.uniform(0, 1e4) for _ in range(500)]
    )
    out["times"] = [
        {"seq": i, "t": t, "kind": "saga.completed", "saga": "BOOK001"} for i, t in enumerate(times)
    ]
    return out


def render_in_node(traces: dict[str, list[Event]]) -> dict[str, list[str]]:
    """static/js/transcript.js's lines for each trace (one node process for all of them)."""
    done = subprocess.run(
        ["node", "--import", "./tests/js/register.mjs", "tests/js/render_transcript.mjs"],
        input=json.dumps(traces),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def both() -> tuple[dict[str, list[Event]], dict[str, list[str]]]:
    events = traces()
    return events, render_in_node(events)


@pytest.mark.parametrize("name", [*SCENARIOS, "times"])
def test_js_and_python_print_the_same_lines(
    name: str, both: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    events, js = both
    python = list(render(events[name]))
    assert len(python) > 2
    for i, (ours, theirs) in enumerate(zip(python, js[name], strict=False)):
        assert theirs == ours, f"{name}: line {i} differs"
    assert len(js[name]) == len(python)


def test_the_scenarios_use_every_template(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Every kind the table renders, and every conditional line, shows up in some scenario."""
    events, _ = both
    seen = {e["kind"] for trace in events.values() for e in trace}
    assert set(TRANSCRIPT["kinds"]) <= seen
    lines = {line for trace in events.values() for line in render(trace)}
    for needle in (
        "again (restarted from scratch)",
        "(attempt 2)",
        "Already booked for",
        "Already canceled",
    ):
        assert any(needle in line for line in lines), needle

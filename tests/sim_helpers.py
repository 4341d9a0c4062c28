"""Small helpers shared by the simulation tests."""

from __future__ import annotations

from typing import Any

from sim.presets import resolve
from sim.runner import run_trace
from sim.trace.events import Event

TUTORIAL_PLAN = "BOOK002:flight,BOOK003:flight,BOOK004:car,BOOK005:car"


def trace(preset: str | None = None, **params: Any) -> list[Event]:
    """Every event of a run of `preset` with `params` overriding it."""
    return run_trace(resolve({"preset": preset, "params": params}))


def experiment_spec(step: float, replications: int, /, **changes: Any) -> dict[str, Any]:
    """A car failure-rate sweep from 0 to 0.6 by `step`, both modes, 10 bookings a run."""
    return {
        "base": {"preset": None, "params": {"bookings": 10}},
        "sweep": {"param": "services.car.failure_rate", "from": 0, "to": 0.6, "step": step},
        "factor": {"param": "mode", "levels": ["orchestration", "choreography"]},
        "replications": replications,
        "seed": 1,
        **changes,
    }


def summary_of(events: list[Event]) -> dict[str, Any]:
    last = events[-1]
    assert last["kind"] == "run.finished"
    return last["summary"]


def published(events: list[Event], saga: str) -> list[str]:
    return [
        e["event_type"] for e in events if e["kind"] == "message.published" and e["saga"] == saga
    ]


def broken(summary: dict[str, Any]) -> dict[str, list[str]]:
    """The failing checks with the sagas they name."""
    return {c: v["sagas"] for c, v in summary["invariants"].items() if not v["ok"]}

"""Small helpers shared by the simulation tests."""

from __future__ import annotations

from typing import Any

from sim.events import Event
from sim.presets import resolve
from sim.runner import run_trace

TUTORIAL_PLAN = "BOOK002:flight,BOOK003:flight,BOOK004:car,BOOK005:car"


def trace(preset: str | None = None, **params: Any) -> list[Event]:
    """Every event of a run of `preset` with `params` overriding it."""
    return run_trace(resolve({"preset": preset, "params": params}))


def summary_of(events: list[Event]) -> dict[str, Any]:
    last = events[-1]
    assert last["kind"] == "run.finished"
    return last["summary"]


def published(events: list[Event], saga: str) -> list[str]:
    return [e["event_type"] for e in events
            if e["kind"] == "message.published" and e["saga"] == saga]


def broken(summary: dict[str, Any]) -> dict[str, list[str]]:
    """The failing checks with the sagas they name."""
    return {c: v["sagas"] for c, v in summary["invariants"].items() if not v["ok"]}

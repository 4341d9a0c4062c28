"""Headless runs: one simulation to its summary, for the CLI, batch workers and tests."""

from __future__ import annotations

from typing import Any

from sim.engine import Simulation
from sim.params import RunParams, validate
from sim.trace.events import Event, ListSink, Sink, null_sink


def run_summary(params: dict[str, Any] | RunParams, sink: Sink = null_sink) -> dict[str, Any]:
    """Run to the end with the given parameters (validated here) and return the summary."""
    run_params = params if isinstance(params, RunParams) else validate(params)
    return Simulation(run_params, sink).run()


def run_trace(params: dict[str, Any] | RunParams) -> list[Event]:
    """Run to the end and return every trace event (small runs only)."""
    sink = ListSink()
    run_summary(params, sink)
    return sink.events

"""Breakpoints: the trace events that pause a live run by themselves (for predict-then-reveal).

A run with breakpoints stores and emits its events up to and including the first one that
matches, then pauses; events the engine already computed past it are held back until the
run resumes or steps, so no viewer sees what happens next before the presenter reveals it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sim.trace.vocabulary import STEPS

#: breakpoint name -> (the trace event kind that triggers it, what the room is told)
BREAKPOINTS: dict[str, tuple[str, str]] = {
    "step_failed": ("step.failed", "a step failed"),
    "compensation_started": ("compensation.started", "a compensation started"),
    "actor_crashed": ("actor.crashed", "an actor crashed"),
    "invariant_violated": ("invariant.violated", "an invariant was violated"),
}
_BY_KIND = {kind: name for name, (kind, _label) in BREAKPOINTS.items()}


def parse_breakpoints(value: Any) -> tuple[str, ...]:
    """A list of breakpoint names (duplicates dropped, order kept); ValueError says why not."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of names: " + ", ".join(BREAKPOINTS))
    unknown = [v for v in value if v not in BREAKPOINTS]
    if unknown:
        raise ValueError(f"unknown breakpoint {unknown[0]!r}; known: " + ", ".join(BREAKPOINTS))
    return tuple(dict.fromkeys(value))


def kinds(names: Iterable[str]) -> frozenset[str]:
    """The event kinds that trigger these breakpoints."""
    return frozenset(BREAKPOINTS[name][0] for name in names)


def names(event_kinds: Iterable[str]) -> list[str]:
    """The breakpoint names of a set of event kinds, in BREAKPOINTS order."""
    chosen = set(event_kinds)
    return [name for name, (kind, _label) in BREAKPOINTS.items() if kind in chosen]


def first_hit(events: Sequence[dict[str, Any]], triggers: frozenset[str], start: int = 0) -> int:
    """Index of the first event from `start` whose kind is a trigger and that is worth a
    question (see worth_pausing), or -1."""
    for index in range(start, len(events)):
        if events[index]["kind"] in triggers and worth_pausing(events[index]):
            return index
    return -1


def worth_pausing(event: dict[str, Any]) -> bool:
    """A failed first step has nothing booked to undo: stopping there asks the room a question
    with one honest answer ("undo what first? nothing"), so "a step fails" passes it by."""
    return not (event["kind"] == "step.failed" and event.get("step") == STEPS[0])


def hit_info(event: dict[str, Any]) -> dict[str, Any]:
    """What run_status says about the breakpoint a run is paused at."""
    name = _BY_KIND[event["kind"]]
    return {"name": name, "label": BREAKPOINTS[name][1], "seq": event["seq"], "event": event}

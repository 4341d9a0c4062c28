"""Faults as part of a run: crashes and restarts at given simulated times.

A fault is `{"t": 4.2, "action": "crash" | "restart", "actor": "orchestrator" | a step}`
(a step of the run's saga: every step is an actor).
A run's `faults` parameter lists them (the controller's live injections are stored there
too), so a re-run replays them; the command line spells one `4.2:crash:orchestrator`.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

COORDINATOR_ACTOR = "orchestrator"

FAULT_ACTIONS: tuple[str, ...] = ("crash", "restart")
FAULT_FIELDS = ("t", "action", "actor")
MAX_FAULTS = 100


def parse_fault_text(text: str) -> dict[str, Any]:
    """The CLI spelling `T:ACTION:ACTOR`; T stays a string when it is not a number (the
    checks below then name it)."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"'{text}' is not TIME:ACTION:ACTOR, e.g. 4.2:crash:orchestrator")
    when: Any = parts[0]
    with contextlib.suppress(ValueError):
        when = float(when)
    return {"t": when, "action": parts[1], "actor": parts[2]}


def fault_actors(steps: tuple[str, ...]) -> tuple[str, ...]:
    """The actors a fault may crash or restart in a run of a saga with these steps."""
    return (COORDINATOR_ACTOR, *steps)


def _check_one(
    fault: Any, mode: str | None, until: float | None, actors: tuple[str, ...]
) -> tuple[dict, dict[str, str]]:
    if not isinstance(fault, dict):
        return {}, {"": 'must be an object {"t", "action", "actor"}'}
    errors: dict[str, str] = {}
    for key in fault:
        if key not in FAULT_FIELDS:
            errors[str(key)] = "is not a fault field (t, action, actor)"
    when = fault.get("t")
    end = f"{until:g}, the run's until" if until is not None else "1e9"
    if isinstance(when, bool) or not isinstance(when, int | float) or not math.isfinite(when):
        errors["t"] = f"must be a number of simulated seconds from 0 to {end}"
    elif when < 0 or when > (until if until is not None else 1e9):
        errors["t"] = f"must be from 0 to {end} (the fault must happen during the run)"
    action, actor = fault.get("action"), fault.get("actor")
    if action not in FAULT_ACTIONS:
        errors["action"] = "must be one of " + ", ".join(FAULT_ACTIONS)
    if actor not in actors:
        errors["actor"] = "must be one of " + ", ".join(actors)
    elif actor == COORDINATOR_ACTOR and mode == "choreography":
        errors["actor"] = "there is no orchestrator in choreography"
    if errors:
        return {}, errors
    return {"t": round(float(when), 6), "action": action, "actor": actor}, {}


def check_faults(
    raw: Any, mode: str | None, until: float | None, steps: tuple[str, ...]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Checked faults in time order, and errors keyed `faults.N.field`."""
    if not isinstance(raw, list):
        return [], {"faults": 'must be a list of {"t", "action", "actor"}'}
    if len(raw) > MAX_FAULTS:
        return [], {"faults": f"at most {MAX_FAULTS} faults per run"}
    faults, errors = [], {}
    for i, fault in enumerate(raw):
        clean, problems = _check_one(fault, mode, until, fault_actors(steps))
        for field, message in problems.items():
            errors[f"faults.{i}.{field}".rstrip(".")] = message
        if clean:
            faults.append(clean)
    faults.sort(key=lambda f: f["t"])
    return faults, errors

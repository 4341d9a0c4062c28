"""Another order of a saga's steps: a list of every step once, in the order it should run
(`["b:compensatable", "a:pivot"]`), each keeping its kind unless `:kind` follows."""

from __future__ import annotations

import json
import re
from typing import Any

from sim.saga.definition import KINDS
from sim.saga.rules import SagaError, check_saga

ENTRY = re.compile(r"\s*([^:\s]+)\s*(?::\s*([^:\s]*)\s*)?")
STEP_KIND = re.compile(r"steps\.(\d+)\.kind")
STEP_NUMBER = re.compile(r"step (\d+)(?= is one)")


class OrderError(ValueError):
    """An order that is not one of the saga's: the message says why, in the saga's words."""


def likeliest_first(definition: dict[str, Any]) -> list[str]:
    """The saga's steps with the likeliest failure first (the pessimistic order), each place
    keeping its kind so that the rules still hold: travel gives `["car:compensatable",
    "hotel", "flight:pivot"]` (static/js/experiments_order.js starts a form with the same)."""
    steps = definition["steps"]
    ranked = sorted(enumerate(steps), key=lambda e: (-e[1]["failure_rate"], e[0]))
    return [
        s["name"] if s["kind"] == steps[place]["kind"] else f"{s['name']}:{steps[place]['kind']}"
        for place, (_, s) in enumerate(ranked)
    ]


def _entries(level: Any, example: str) -> list[tuple[str, str | None]]:
    """(step, kind or None) for each entry of an order, or OrderError for its spelling (with
    an example in the saga's own steps)."""
    if not isinstance(level, list) or not all(isinstance(e, str) for e in level):
        raise OrderError(f"must be a list of the saga's steps in the order they run, {example}")
    out = []
    for entry in level:
        match = ENTRY.fullmatch(entry)
        if not match:
            raise OrderError(f"'{entry[:40]}' is not a step, or a step:kind ({example})")
        name, kind = match.group(1), match.group(2)
        if kind is not None and kind not in KINDS:
            kinds = ", ".join(KINDS)
            raise OrderError(f"'{entry[:40]}': the kind after ':' must be one of {kinds}")
        out.append((name, kind))
    return out


def reorder(definition: dict[str, Any], level: Any) -> dict[str, Any]:
    """The definition with its steps in the level's order and kinds, checked by the saga's
    rules; OrderError names what is wrong (an unknown, repeated or missing step, or the
    rule the order breaks)."""
    steps = {s["name"]: s for s in definition["steps"]}
    names = list(steps)
    example = "e.g. " + json.dumps(likeliest_first(definition))
    entries = _entries(level, example)
    seen: set[str] = set()
    for name, _ in entries:
        if name not in steps:
            raise OrderError(f"'{name[:40]}' is not a step of this saga ({', '.join(names)})")
        if name in seen:
            raise OrderError(f"lists {name} twice: an order lists every step once")
        seen.add(name)
    missing = [n for n in names if n not in seen]
    if missing:
        raise OrderError(f"leaves out {', '.join(missing)}: an order lists every step once")
    reordered = {
        **definition,
        "steps": [{**steps[name], "kind": kind or steps[name]["kind"]} for name, kind in entries],
    }
    try:
        check_saga(reordered)
    except SagaError as exc:
        raise OrderError(_rule_message(exc.errors, reordered["steps"])) from None
    return reordered


def _rule_message(errors: dict[str, str], steps: list[dict[str, Any]]) -> str:
    """The first rule an order breaks, its steps named: `hotel (step 1): a compensatable step
    must come before the pivot (step 0, car, is one)`, and how to give a step another kind."""
    field, message = next(iter(errors.items()))
    at = STEP_KIND.fullmatch(field)
    if not at:
        return f"{field}: {message}"
    i = int(at.group(1))
    names = [s["name"] for s in steps]
    pivot = next((j for j, s in enumerate(steps) if s["kind"] == "pivot"), None)
    if message.endswith("before the pivot") and pivot is not None:
        message += f" (step {pivot}, {names[pivot]}, is the pivot)"
    message = STEP_NUMBER.sub(lambda m: f"step {m.group(1)}, {names[int(m.group(1))]},", message)
    return (
        f"{names[i]} (step {i}): {message}; give a step another kind as name:kind "
        f"({', '.join(KINDS)})"
    )


def normal_level(definition: dict[str, Any], level: Any) -> list[str]:
    """The order as `step:kind` for every step (the form a spec stores and a page shows);
    OrderError as `reorder`."""
    return [f"{s['name']}:{s['kind']}" for s in reorder(definition, level)["steps"]]

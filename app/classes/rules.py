"""How the trace settles a question: each rule names the event that gives the right answer.

A rule is {"rule": name, "saga": booking id, "step"?: flight | hotel | car}. `settle(rule,
event)` is the answer that event gives, or None while the question is still open.
"""

from __future__ import annotations

from typing import Any

from sim.saga.rules import STEP_NAME
from sim.trace.vocabulary import OUTCOMES

ENDINGS = {f"saga.{outcome}": outcome for outcome in OUTCOMES}  # the events that end a saga

#: rule -> the fields it needs besides "rule" and "saga"
RULES: dict[str, tuple[str, ...]] = {
    "first_undo": (),  # the step whose compensation starts first for the saga, or "nothing"
    "step_booked": ("step",),  # "yes" if the step succeeds before the saga gives up
    "saga_outcome": (),  # completed, compensated, stuck or flagged
    "undo_succeeds": ("step",),  # "yes" if the step's first undo attempt succeeds
    "double_booked": (),  # "yes" if no_double_booking fails for the saga before the run ends
}


def parse_rule(value: Any) -> dict[str, str] | None:
    """A checked rule (or None: the presenter's own question, settled by no event)."""
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("rule") not in RULES:
        raise ValueError('must be null or {"rule": one of ' + ", ".join(RULES) + ', "saga", ...}')
    name = value["rule"]
    needs = {"rule", "saga", *RULES[name]}
    if set(value) != needs:
        raise ValueError(f"rule {name} takes exactly " + ", ".join(sorted(needs)))
    saga = value["saga"]
    if not isinstance(saga, str) or not 0 < len(saga) <= 40:
        raise ValueError("saga must be a booking id such as BOOK003")
    if "step" in value and not (
        isinstance(value["step"], str) and STEP_NAME.fullmatch(value["step"])
    ):
        raise ValueError("step must be the name of a step of the run's saga")
    return dict(value)


def settle(rule: dict[str, str], event: dict[str, Any]) -> str | None:
    """The right answer if this event settles the question, else None."""
    name, kind = rule["rule"], event["kind"]
    if name == "double_booked" and kind == "run.finished":
        return "no"
    if event.get("saga") != rule["saga"]:
        return None
    ending = ENDINGS.get(kind)
    step = event.get("step")
    if name == "first_undo":
        if kind == "compensation.started":
            return step
        return "nothing" if ending else None
    if name == "step_booked":
        if kind == "step.succeeded" and step == rule["step"]:
            return "yes"
        return "no" if ending or kind == "saga.compensating" else None
    if name == "saga_outcome":
        return ending
    if name == "undo_succeeds":
        if step == rule["step"] and kind in ("compensation.succeeded", "compensation.failed"):
            return "yes" if kind == "compensation.succeeded" else "no"
        return "no" if ending else None
    if kind == "invariant.violated" and event.get("check") == "no_double_booking":
        return "yes"
    return None


def settle_first(rule: dict[str, str], events: list[dict[str, Any]]) -> str | None:
    """The answer the first settling event among `events` gives, or None."""
    for event in events:
        answer = settle(rule, event)
        if answer is not None:
            return answer
    return None

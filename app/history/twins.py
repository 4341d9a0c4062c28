"""Re-runs and twin runs: the stored parameters again, a new seed, or one switch flipped."""

from __future__ import annotations

import copy
import secrets
from typing import Any

from app.schema import modes_of
from sim.params import put
from sim.schema import ALL_FIELDS

Params = dict[str, Any]

#: switch name (a two-valued parameter of sim/params.py) -> what flipping it changes
SWITCHES: dict[str, str] = {
    "orchestrator.durable_log": "durable saga log on/off",
    "idempotent": "idempotent services on/off",
    "compensation_order": "compensation order reverse/forward",
    "mode": "orchestration/choreography",
    "choreography.outbox": "transactional outbox on/off",
    "choreography.ack_after_commit": "ack after commit on/off",
    "semantic_lock": "semantic lock on/off",
}


def flipped(name: str, value: Any) -> Any:
    """The other value of a two-valued parameter: a bool negated, or the other of two choices."""
    spec = ALL_FIELDS[name]
    if spec.kind == "bool":
        return not value
    if spec.kind == "choice" and len(spec.choices) == 2 and not spec.nullable:
        first, second = spec.choices
        return second if value == first else first
    raise ValueError(f"{name} has more than two values: it cannot be flipped")


def switches_for(mode: str) -> dict[str, str]:
    """The switches a twin of a run in this mode can flip: name -> label."""
    return {name: label for name, label in SWITCHES.items() if mode in modes_of(name)}


def rerun_params(params: Params, seed: str) -> Params:
    """The stored parameters again; seed "same" keeps the seed, "new" draws another."""
    out = copy.deepcopy(params)
    if seed == "new":
        previous = out.get("seed")
        while out.get("seed") == previous:
            out["seed"] = secrets.randbelow(2**31)
    return out


def twin_params(params: Params, switch: str) -> Params:
    """The stored parameters with one switch flipped (KeyError for an unknown switch)."""
    if switch not in SWITCHES:
        raise KeyError(switch)
    out = copy.deepcopy(params)
    put(out, switch, flipped(switch, switch_value(out, switch)))
    return out


def switch_value(params: Params, switch: str) -> Any:
    """The current value of a switch in params (for labels: 'durable_log: False -> True')."""
    node: Any = params
    for key in switch.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node

"""Re-runs and twin runs: the stored parameters again, a new seed, or one switch flipped."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from typing import Any

Params = dict[str, Any]


def _flip(path: str) -> Callable[[Params], None]:
    def flip(params: Params) -> None:
        *parents, leaf = path.split(".")
        node = params
        for key in parents:
            node = node[key]
        node[leaf] = not node[leaf]
    return flip


def _other_order(params: Params) -> None:
    params["compensation_order"] = (
        "forward" if params["compensation_order"] == "reverse" else "reverse")


def _other_mode(params: Params) -> None:
    params["mode"] = "choreography" if params["mode"] == "orchestration" else "orchestration"


#: switch name -> (what it changes, the change, the modes it makes sense in)
SWITCHES: dict[str, tuple[str, Callable[[Params], None], tuple[str, ...]]] = {
    "orchestrator.durable_log": ("durable saga log on/off", _flip("orchestrator.durable_log"),
                                 ("orchestration",)),
    "idempotent": ("idempotent services on/off", _flip("idempotent"),
                   ("orchestration", "choreography")),
    "compensation_order": ("compensation order reverse/forward", _other_order,
                           ("orchestration", "choreography")),
    "mode": ("orchestration/choreography", _other_mode, ("orchestration", "choreography")),
    "choreography.outbox": ("transactional outbox on/off", _flip("choreography.outbox"),
                            ("choreography",)),
    "choreography.ack_after_commit": ("ack after commit on/off",
                                      _flip("choreography.ack_after_commit"),
                                      ("choreography",)),
}


def switches_for(mode: str) -> dict[str, str]:
    """The switches a twin of a run in this mode can flip: name -> label."""
    return {name: label for name, (label, _f, modes) in SWITCHES.items() if mode in modes}


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
    out = copy.deepcopy(params)
    SWITCHES[switch][1](out)
    return out


def switch_value(params: Params, switch: str) -> Any:
    """The current value of a switch in params (for labels: 'durable_log: False -> True')."""
    node: Any = params
    for key in switch.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node

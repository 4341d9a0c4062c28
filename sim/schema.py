"""The parameter schema: every field of the one JSON shape, its range and its default.

The fields that name steps (`services.<step>.*`, step choices) come from the run's saga:
`fields_for(saga)` and `defaults_for(saga)`; `DEFAULTS` and `ALL_FIELDS` are the default saga's.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sim.saga import BUILTIN, DEFAULT_SAGA, Saga
from sim.trace.vocabulary import MODES

BOOKING_ID = re.compile(r"^BOOK(\d{3,7})$")

#: every parameter but the saga's own (`saga`, `services`, `retry_steps`), with its default
COMMON_DEFAULTS: dict[str, Any] = {
    "mode": "orchestration",
    "bookings": 5,
    "interarrival": 3.0,
    "until": None,
    "seed": 1,
    "network_delay": 0.3,
    "compensation_delay": 0.2,
    "max_in_flight": 1,
    "compensation_order": "reverse",
    "retries": 0,
    "reply_loss_rate": 0.0,
    "idempotent": False,
    "compensation_failure_rate": 0.0,
    "compensation_retries": 3,
    "compensation_backoff": 0.5,
    "retriable_attempts": 10,
    "retriable_backoff": 0.5,
    "semantic_lock": False,
    "semantic_lock_wait": 5.0,
    "orchestrator": {
        "crash_at": None,
        "crash_saga": None,
        "crash_step": None,
        "crash_phase": "after_commit",
        "crash_random": False,
        "restart_after": 5.0,
        "durable_log": False,
    },
    "choreography": {
        "unheard_failure": None,
        "crash_service": None,
        "crash_saga": None,
        "restart_after": 5.0,
        "outbox": False,
        "ack_after_commit": False,
        "redelivery_timeout": 2.0,
        "saga_timeout": None,
    },
    "plan": {},
}


@dataclass(frozen=True)
class Field:
    """How one dotted parameter is checked; `doc` is shown in forms and errors."""

    kind: str  # int | float | bool | choice | steps | saga | str
    lo: float | None = None
    hi: float | None = None
    nullable: bool = False
    choices: tuple[str, ...] = ()
    doc: str = ""


FIELDS: dict[str, Field] = {
    "mode": Field("choice", choices=MODES, doc="orchestration or choreography"),
    "bookings": Field("int", 1, 1_000_000, doc="number of booking requests"),
    "interarrival": Field("float", 0.0, 3600.0, doc="simulated seconds between bookings"),
    "until": Field("float", 0.0, 1e9, nullable=True, doc="stop time; null: until every saga ended"),
    "seed": Field("int", 0, 2**63 - 1, doc="random seed"),
    "network_delay": Field("float", 0.0, 60.0, doc="delay of each forward step"),
    "compensation_delay": Field("float", 0.0, 60.0, doc="delay of each compensation"),
    "max_in_flight": Field("int", 1, 1000, doc="sagas the orchestrator runs at once"),
    "compensation_order": Field("choice", choices=("reverse", "forward"), doc="order of undo"),
    "retries": Field("int", 0, 5, doc="extra attempts of a failed forward step"),
    "reply_loss_rate": Field("float", 0.0, 1.0, doc="chance a reply is lost after the commit"),
    "idempotent": Field("bool", doc="services dedupe requests by booking id"),
    "compensation_failure_rate": Field("float", 0.0, 1.0, doc="chance a compensation fails"),
    "compensation_retries": Field("int", 0, 10, doc="retries of a failed compensation"),
    "compensation_backoff": Field("float", 0.0, 60.0, doc="first backoff, doubled per retry"),
    "retriable_attempts": Field(
        "int", 1, 100, doc="tries of a retriable step before the saga is flagged"
    ),
    "retriable_backoff": Field(
        "float", 0.0, 60.0, doc="first wait before a retriable step is tried again, doubled"
    ),
    "semantic_lock": Field(
        "bool", doc="a unit held by an unfinished saga is pending: a step waits for it"
    ),
    "semantic_lock_wait": Field(
        "float", 0.0, 1e4, doc="how long a step waits for a pending unit before it gives up"
    ),
    "orchestrator.crash_at": Field("float", 0.0, 1e9, nullable=True, doc="crash time"),
    "orchestrator.crash_saga": Field("saga", nullable=True, doc="crash during this saga"),
    "orchestrator.crash_phase": Field(
        "choice", choices=("before_request", "after_commit"), doc="...before or after commit"
    ),
    "orchestrator.crash_random": Field("bool", doc="crash at a random saga, step and phase"),
    "orchestrator.restart_after": Field("float", 0.0, 1e6, nullable=True, doc="restart delay"),
    "orchestrator.durable_log": Field("bool", doc="write saga state before each step"),
    "choreography.crash_saga": Field("saga", nullable=True, doc="the saga that triggers it"),
    "choreography.restart_after": Field("float", 0.0, 1e6, nullable=True, doc="restart delay"),
    "choreography.outbox": Field("bool", doc="transactional outbox relayed after restart"),
    "choreography.ack_after_commit": Field("bool", doc="ack after commit, redelivery"),
    "choreography.redelivery_timeout": Field("float", 0.1, 1e4, doc="redelivery after"),
    "choreography.saga_timeout": Field("float", 0.1, 1e6, nullable=True, doc="compensate after"),
}


@lru_cache(maxsize=64)
def fields_for(saga: Saga) -> dict[str, Field]:
    """Every dotted field of a run of this saga, in the form's order."""
    names = saga.names
    out = dict(FIELDS)
    out["retry_steps"] = Field("steps", choices=names, doc="steps that are retried")
    out["orchestrator.crash_step"] = Field("choice", nullable=True, choices=names, doc="...at step")
    out["choreography.unheard_failure"] = Field(
        "choice",
        nullable=True,
        choices=names[1:],
        doc="nobody listens to this step's failure event (the tutorial's gap)",
    )
    out["choreography.crash_service"] = Field(
        "choice", nullable=True, choices=names, doc="crashes after commit, before publish"
    )
    for step in saga.steps:
        if step.holds:
            out[f"services.{step.name}.capacity"] = Field(
                "int", 0, 1_000_000_000, doc=f"{step.name} inventory ({step.words['units']})"
            )
        out[f"services.{step.name}.failure_rate"] = Field(
            "float", 0.0, 1.0, doc=f"{step.name} failure"
        )
    return out


def defaults_for(saga: Saga) -> dict[str, Any]:
    """The default parameters of a run of this saga (its own capacities and failure rates)."""
    out = {"saga": saga.to_dict(), **copy.deepcopy(COMMON_DEFAULTS)}
    out["services"] = {
        s.name: ({"capacity": s.capacity} if s.holds else {}) | {"failure_rate": s.failure_rate}
        for s in saga.steps
    }
    out["retry_steps"] = list(saga.names)
    return out


DEFAULTS: dict[str, Any] = defaults_for(BUILTIN[DEFAULT_SAGA])
ALL_FIELDS: dict[str, Field] = fields_for(BUILTIN[DEFAULT_SAGA])


def booking_id(index: int) -> str:
    """The id of the index-th booking (0-based), as the tutorial spells it."""
    return f"BOOK{index + 1:03d}"

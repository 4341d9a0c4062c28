"""The parameter schema: every field of the one JSON shape, its range and its default."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sim.trace.vocabulary import MODES, STEPS

BOOKING_ID = re.compile(r"^BOOK(\d{3,7})$")

DEFAULTS: dict[str, Any] = {
    "mode": "orchestration",
    "bookings": 5,
    "interarrival": 3.0,
    "until": None,
    "seed": 1,
    "services": {
        "flight": {"capacity": 10, "failure_rate": 0.10},
        "hotel": {"capacity": 5, "failure_rate": 0.15},
        "car": {"capacity": 3, "failure_rate": 0.30},
    },
    "network_delay": 0.3,
    "compensation_delay": 0.2,
    "max_in_flight": 1,
    "compensation_order": "reverse",
    "retries": 0,
    "retry_steps": list(STEPS),
    "reply_loss_rate": 0.0,
    "idempotent": False,
    "compensation_failure_rate": 0.0,
    "compensation_retries": 3,
    "compensation_backoff": 0.5,
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
        "compensate_on_hotel_failure": True,
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
    "retry_steps": Field("steps", doc="steps that are retried"),
    "reply_loss_rate": Field("float", 0.0, 1.0, doc="chance a reply is lost after the commit"),
    "idempotent": Field("bool", doc="services dedupe requests by booking id"),
    "compensation_failure_rate": Field("float", 0.0, 1.0, doc="chance a compensation fails"),
    "compensation_retries": Field("int", 0, 10, doc="retries of a failed compensation"),
    "compensation_backoff": Field("float", 0.0, 60.0, doc="first backoff, doubled per retry"),
    "orchestrator.crash_at": Field("float", 0.0, 1e9, nullable=True, doc="crash time"),
    "orchestrator.crash_saga": Field("saga", nullable=True, doc="crash during this saga"),
    "orchestrator.crash_step": Field("choice", nullable=True, choices=STEPS, doc="...at step"),
    "orchestrator.crash_phase": Field(
        "choice", choices=("before_request", "after_commit"), doc="...before or after commit"
    ),
    "orchestrator.crash_random": Field("bool", doc="crash at a random saga, step and phase"),
    "orchestrator.restart_after": Field("float", 0.0, 1e6, nullable=True, doc="restart delay"),
    "orchestrator.durable_log": Field("bool", doc="write saga state before each step"),
    "choreography.compensate_on_hotel_failure": Field(
        "bool", doc="flight listens to hotel_booking_failed (false: the tutorial's gap)"
    ),
    "choreography.crash_service": Field(
        "choice", nullable=True, choices=STEPS, doc="crashes after commit, before publish"
    ),
    "choreography.crash_saga": Field("saga", nullable=True, doc="the saga that triggers it"),
    "choreography.restart_after": Field("float", 0.0, 1e6, nullable=True, doc="restart delay"),
    "choreography.outbox": Field("bool", doc="transactional outbox relayed after restart"),
    "choreography.ack_after_commit": Field("bool", doc="ack after commit, redelivery"),
    "choreography.redelivery_timeout": Field("float", 0.1, 1e4, doc="redelivery after"),
    "choreography.saga_timeout": Field("float", 0.1, 1e6, nullable=True, doc="compensate after"),
}


def _service_fields() -> dict[str, Field]:
    out = {}
    for step in STEPS:
        out[f"services.{step}.capacity"] = Field("int", 0, 1_000_000_000, doc=f"{step} inventory")
        out[f"services.{step}.failure_rate"] = Field("float", 0.0, 1.0, doc=f"{step} failure")
    return out


ALL_FIELDS: dict[str, Field] = {**FIELDS, **_service_fields()}


def booking_id(index: int) -> str:
    """The id of the index-th booking (0-based), as the tutorial spells it."""
    return f"BOOK{index + 1:03d}"

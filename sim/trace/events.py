"""Trace events: every kind Saga Lab emits, documented in one place, and their JSON form.

An event is a dict with `seq` (0, 1, 2, ... within a run), `t` (simulated time),
`kind`, `saga` (booking id or None), `actor` and `step` (flight, hotel, car or None),
plus the fields its kind lists below. Every event that changes inventory carries
`inventory`: the three counts after the change, e.g. {"flight": 9, "hotel": 4, "car": 2}.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Event = dict[str, Any]
Sink = Callable[[Event], None]

ACTORS: tuple[str, ...] = ("orchestrator", "bus", "flight", "hotel", "car", "monitor", "client")

#: kind -> (what it means, extra fields it carries)
EVENT_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "run.started": ("A run began: parameters and starting inventory.", ("params", "inventory")),
    "run.finished": ("The run ended; the summary of docs/sim-api.md.", ("summary", "reason")),
    "saga.started": ("A booking request entered the saga.", ()),
    "saga.compensating": ("A step failed for good: the saga starts undoing.", ("reason",)),
    "saga.completed": ("Every forward step succeeded.", ()),
    "saga.compensated": ("The saga failed and its completed steps were undone.", ()),
    "saga.stuck": ("The run ended and this saga had not ended.", ("reason",)),
    "saga.flagged": ("A compensation kept failing: needs manual intervention.", ("reason",)),
    "saga.timed_out": ("The saga timeout fired on a saga that had not ended.", ()),
    "step.started": ("A forward step was requested (the request is on its way).", ("attempt",)),
    "step.succeeded": (
        "The service committed the step. `units` taken (0: idempotent replay).",
        ("attempt", "units", "inventory", "duplicate"),
    ),
    "step.failed": ("The service refused the step.", ("attempt", "reason")),
    "step.retried": ("The caller tries a failed step again.", ("attempt", "reason")),
    "step.reply_lost": (
        "The service committed but its reply never reached the caller.",
        ("attempt",),
    ),
    "compensation.started": ("An undo was requested.", ("attempt",)),
    "compensation.succeeded": (
        "The service undid the step. `units` released (0: nothing found to undo).",
        ("attempt", "units", "inventory", "reason"),
    ),
    "compensation.skipped": ("A completed step has no compensation (the car).", ("reason",)),
    "compensation.failed": ("The undo failed; it may be retried.", ("attempt", "reason")),
    "message.published": ("An event was put on the bus.", ("event_type",)),
    "message.delivered": ("A subscriber took an event from its inbox.", ("event_type",)),
    "message.redelivered": ("An unacknowledged event was delivered again.", ("event_type",)),
    "message.acked": ("A subscriber acknowledged an event after its commit.", ("event_type",)),
    "outbox.relayed": ("A message written to the outbox was published.", ("event_type",)),
    "actor.crashed": (
        "An actor crashed; its memory is gone. `restart_at`: when it comes back by itself "
        "(absent: only a restart brings it back).",
        ("reason", "restart_at"),
    ),
    "actor.restarted": ("An actor came back.", ("reason",)),
    "log.appended": ("The orchestrator wrote saga state to its durable log.", ("detail",)),
    "log.replayed": ("On restart the orchestrator read a saga back from its log.", ("detail",)),
    "invariant.violated": ("A consistency check failed.", ("check", "detail")),
    "isolation.anomaly": (
        "A saga was refused a unit that a saga being compensated still held (sagas are not "
        "isolated: others see their intermediate state). `holder`: the saga holding it.",
        ("detail", "holder"),
    ),
}

#: the invariants of docs/sim-api.md, by the name `invariant.violated` uses in `check`
CHECKS: dict[str, str] = {
    "conservation": "Per service, available + held by live bookings = capacity.",
    "atomic_outcome": "A completed saga holds one unit per service; a compensated one none.",
    "nothing_stuck": "Every started saga has ended once the run is over.",
    "order": "A saga's compensations run in reverse order of its completed steps.",
    "no_double_booking": "No saga holds more than one unit of a service.",
}


def _no_default(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# The C encoder made once (json.dumps makes a new one per call): the JSON Lines hot path.
_c_encoder = json.encoder.c_make_encoder  # type: ignore[attr-defined]
_fast = (
    _c_encoder(
        None,
        _no_default,
        json.encoder.encode_basestring,  # type: ignore[attr-defined]
        None,
        ":",
        ",",
        False,
        False,
        True,
    )
    if _c_encoder is not None
    else None
)


def to_json(event: Event) -> str:
    """The event as one line of JSON (the form of `--format jsonl` and the store): exactly
    `json.dumps(event, ensure_ascii=False, separators=(",", ":"))`."""
    if _fast is None:
        return _encode(event)
    return "".join(_fast(event, 0))


class ListSink:
    """Keeps every event in memory (tests, small runs)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)


def null_sink(event: Event) -> None:
    """Discards events (benchmarks, batch experiments)."""


class JsonlSink:
    """Writes each event as a line of JSON to a text stream, in chunks; `close()` flushes."""

    def __init__(self, stream: Any, chunk: int = 2048) -> None:
        self._write = stream.write
        self._lines: list[str] = []
        self._chunk = chunk

    def __call__(self, event: Event) -> None:
        lines = self._lines
        lines.append(to_json(event))
        if len(lines) >= self._chunk:
            self.close()

    def close(self) -> None:
        if self._lines:
            self._write("\n".join(self._lines) + "\n")
            self._lines.clear()

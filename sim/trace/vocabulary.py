"""Saga Lab's vocabulary, the one source of the words sim/, the server and the page share:
steps, modes, actors, event kinds, checks, outcomes, run states and the transcript's templates.

The page imports it as an ES module (`/static/js/vocabulary.js`, served by app/schema.py; also
`GET /api/vocabulary` as JSON); node's tests get the same module from es_module()
(tests/js/vocabulary_loader.mjs).

TRANSCRIPT is data, read by sim/trace/transcript.py (compiled once into Python functions) and
static/js/transcript.js (interpreted); tests/test_transcript_drift.py checks that both print the
same lines. For each event kind, a list of lines; a line is `{"text", "cls", "when", "each",
"join"}` (only `text` is required) or `{"set": name, "to": path}` (remember a value for later
events: the run's mode; `memory` holds the values before the run starts). In `text`, `{at}`
is the event's time as the tutorial prints it (`[12.3]`) and `{expr}` is a value:
  expr   := alt (" ?? " alt)* (" | " filter)*    first alternative that exists, then filters
  alt    := path (" + " path)*                    a sum of numbers
  path   := name ("." key)*                       key `$name` means the value of name
  filter := a table name (a lookup) | "words" (underscores to spaces) | "list" (first five, ", ")
A name is a loop variable, a remembered value, a table of TRANSCRIPT["tables"] or an event field.
`when` lists conditions that must all hold: `path`, `!path` (truthy or not), `path=value`,
`path!=value`, `path>number`. `each: "step"` repeats the line per step with `step` bound;
`join: {"over", "when", "text", "sep"}` fills `{items}` with one text per entry of a mapping
(names are the entry's fields and `key`) and drops the line when no entry is left.
A missing value prints as nothing. Conditions test numbers, text and booleans only (Python and
JS disagree on whether an empty list or mapping is true).
"""

from __future__ import annotations

import json
from typing import Any

STEPS: tuple[str, ...] = ("flight", "hotel", "car")
MODES: tuple[str, ...] = ("orchestration", "choreography")  # the first is the default
ACTORS: tuple[str, ...] = ("orchestrator", "bus", "flight", "hotel", "car", "monitor", "client")
#: the actor that coordinates a saga in each mode (the timeline's top lane)
COORDINATOR: dict[str, str] = {"orchestration": "orchestrator", "choreography": "bus"}
#: the actors the controller may crash and restart
FAULT_ACTORS: tuple[str, ...] = ("orchestrator", *STEPS)
#: the tutorial's names of the actors
ACTOR_NAMES: dict[str, str] = {
    "flight": "FlightService",
    "hotel": "HotelService",
    "car": "CarRentalService",
    "orchestrator": "SagaOrchestrator",
    "bus": "EventBus",
    "monitor": "SagaMonitor",
}
#: how a saga ends; `saga.<outcome>` is the event kind that ends it
OUTCOMES: tuple[str, ...] = ("completed", "compensated", "stuck", "flagged")
#: a run's status as the server reports it (docs/protocol.md)
LIVE_STATES: tuple[str, ...] = ("pending", "running", "paused")
ENDED_STATES: tuple[str, ...] = ("finished", "stopped", "interrupted", "failed")

#: kind -> (what it means, extra fields it carries); docs in sim/trace/events.py
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
#: each check's title and one-line gist on the page's invariant panel
CHECK_TITLES: dict[str, tuple[str, str]] = {
    "conservation": ("Conservation", "available + held = capacity, per service"),
    "atomic_outcome": ("Atomic outcome", "completed holds one of each; compensated holds none"),
    "nothing_stuck": ("Nothing stuck", "every saga ended (checked when the run ends)"),
    "order": ("Compensation order", "undo runs in reverse of the forward steps"),
    "no_double_booking": ("No double booking", "no saga holds two units of a service"),
}

_ORCH, _CHOR = "mode=orchestration", "mode!=orchestration"
_WHO = "{at} {step | actor_name}"
_AGAIN = "attempt>1"


def _line(text: str, cls: str = "", *when: str, **more: Any) -> dict[str, Any]:
    """One transcript line: its template, its CSS class on the page and its conditions."""
    return {"text": text, "cls": cls, **({"when": list(when)} if when else {}), **more}


_BLANK = _line("")
_RULE = "{at} {rule}"

#: the tutorial's console log: lookup tables and, per event kind, its lines
TRANSCRIPT: dict[str, Any] = {
    "memory": {"mode": MODES[0]},  # what `set` lines remember, before the run starts
    "tables": {
        "rule": "=" * 60,
        "actor_name": ACTOR_NAMES,
        "coordinator": COORDINATOR,
        "item": {"flight": "flight FL123", "hotel": "hotel HTL456", "car": "car CAR789"},
        "noun": {"flight": "Flight", "hotel": "Hotel", "car": "Car"},
        "unit": {"flight": "seats", "hotel": "rooms", "car": "cars"},
        "unit_one": {"flight": "seat", "hotel": "room", "car": "car"},
        "stock_label": {"flight": "Flight seats", "hotel": "Hotel rooms", "car": "Cars"},
        "step_number": {step: n for n, step in enumerate(STEPS, 1)},
        "fail_text": {
            "flight": {"error": "system error", "sold_out": "no seats"},
            "hotel": {"error": "no rooms", "sold_out": "no rooms"},
            "car": {"error": "no cars", "sold_out": "no cars"},
        },
    },
    "kinds": {
        "run.started": [
            {"set": "mode", "to": "params.mode"},
            _line(
                "{at} {step | actor_name} started ({step | unit}: {inventory.$step})",
                "meta",
                each="step",
            ),
            _line("{at} {coordinator.$mode | actor_name} started", "meta"),
            _BLANK,
        ],
        "saga.started": [
            _line("{at} SagaMonitor: saga {saga} started", "start", _CHOR),
            _line(_RULE, "rule", _ORCH),
            _line("{at} Starting saga for Booking({saga})", "start", _ORCH, "!reason"),
            _line(
                "{at} Starting saga for Booking({saga}) again (restarted from scratch)",
                "start",
                _ORCH,
                "reason",
            ),
            _line(_RULE, "rule", _ORCH),
        ],
        "step.started": [
            _line(
                "{at} Orchestrator: Executing step {step | step_number}/3: book_{step}",
                "",
                "!" + _AGAIN,
            ),
            _line(
                "{at} Orchestrator: Executing step {step | step_number}/3: book_{step}"
                " (attempt {attempt})",
                "",
                _AGAIN,
            ),
        ],
        "step.succeeded": [
            _line(_WHO + ": Booking {step | item}"),
            _line(
                _WHO + ": ✓ Already booked for {saga} (idempotent, no new {step | unit_one})",
                "ok",
                "duplicate",
            ),
            _line(
                _WHO + ": ✓ {step | noun} booked (remaining: {inventory.$step})", "ok", "!duplicate"
            ),
        ],
        "step.failed": [
            _line(_WHO + ": Booking {step | item}"),
            _line(_WHO + ": Booking FAILED - {fail_text.$step.$reason ?? reason | words}", "fail"),
            _line("{at} Orchestrator: Step book_{step} FAILED", "fail", _ORCH),
        ],
        "step.reply_lost": [
            _line(
                "{at} Orchestrator: no reply from {step | actor_name}"
                " (it booked; the reply was lost)",
                "warn",
            ),
        ],
        "step.retried": [
            _line("{at} Orchestrator: Retrying book_{step} (attempt {attempt})", "warn")
        ],
        "saga.compensating": [
            _line("", "", _ORCH),
            _line("{at} Orchestrator: Starting compensation...", "comp", _ORCH),
            _line("{at} SagaMonitor: {saga} compensating after {reason}", "comp", _CHOR),
        ],
        "compensation.started": [
            _line("{at} Orchestrator: Compensating book_{step}", "comp", _ORCH, "!" + _AGAIN),
            _line(
                "{at} Orchestrator: Compensating book_{step} (attempt {attempt})",
                "comp",
                _ORCH,
                _AGAIN,
            ),
        ],
        "compensation.succeeded": [
            _line(_WHO + ": COMPENSATING - canceling {saga}", "comp"),
            _line(
                _WHO + ": ✓ {step | noun} canceled (available: {inventory.$step})", "comp", "units"
            ),
            _line(
                _WHO + ": Already canceled (idempotent)",
                "comp",
                "!units",
                "reason=already_canceled",
            ),
            _line(_WHO + ": No booking to cancel", "comp", "!units", "reason!=already_canceled"),
        ],
        "compensation.failed": [
            _line(_WHO + ": COMPENSATING - canceling {saga}", "comp"),
            _line(_WHO + ": Compensation FAILED - {reason | words}", "fail"),
        ],
        "compensation.skipped": [
            _line("{at} Orchestrator: book_{step} has no compensation", "meta")
        ],
        "saga.completed": [_BLANK, _line("{at} ✓✓✓ Saga {saga} COMPLETED ✓✓✓", "done-ok"), _BLANK],
        "saga.compensated": [
            _BLANK,
            _line("{at} ✗✗✗ Saga {saga} FAILED - compensated ✗✗✗", "done-comp"),
            _BLANK,
        ],
        "saga.flagged": [
            _line("{at} Orchestrator: WARNING - {reason}! Manual intervention needed.", "fail"),
            _line("{at} ⚠⚠⚠ Saga {saga} NEEDS MANUAL INTERVENTION ⚠⚠⚠", "fail"),
        ],
        "saga.stuck": [_line("{at} ??? Saga {saga} STUCK - never ended ({reason}) ???", "warn")],
        "saga.timed_out": [
            _line("{at} SagaTimeout: {saga} did not end in time - compensating", "warn")
        ],
        "message.published": [_line("{at} EventBus: Event({event_type}) {saga}", "bus")],
        "message.redelivered": [
            _line(
                "{at} EventBus: redelivering Event({event_type}) {saga} to {step | actor_name}",
                "warn",
            ),
        ],
        "outbox.relayed": [_line(_WHO + ": outbox relay sends Event({event_type}) {saga}", "bus")],
        "actor.crashed": [_line("{at} *** {actor | actor_name} CRASHED - {reason} ***", "crash")],
        "actor.restarted": [
            _line("{at} *** {actor | actor_name} RESTARTED - {reason} ***", "warn")
        ],
        "log.appended": [_line("{at} SagaLog: {detail}", "meta")],
        "log.replayed": [_line("{at} Orchestrator: resuming from the log - {detail}", "warn")],
        "invariant.violated": [_line("{at} !!! INVARIANT VIOLATED ({check}): {detail}", "fail")],
        "isolation.anomaly": [_line("{at} ~~~ NO ISOLATION: {detail}", "warn")],
        "run.finished": [
            _BLANK,
            _line("{rule}", "meta"),
            _line("Final State:", "final"),
            _line("{rule}", "meta"),
            _line(
                "{step | stock_label} available: {summary.inventory.$step.available}"
                "/{summary.inventory.$step.capacity}",
                "final",
                each="step",
            ),
            _BLANK,
            _line("Completed sagas: {summary.sagas.completed}", "final"),
            _line("Failed sagas: {summary.sagas.compensated + summary.sagas.flagged}", "final"),
            _line(
                "Needing manual intervention: {summary.sagas.flagged}",
                "fail",
                "summary.sagas.flagged",
            ),
            _line("Stuck sagas: {summary.sagas.stuck}", "fail", "summary.sagas.stuck"),
            _line(
                "Invariants violated: {items}",
                "fail",
                join={
                    "over": "summary.invariants",
                    "when": ["!ok"],
                    "text": "{key} ({sagas | list})",
                    "sep": ", ",
                },
            ),
        ],
    },
}


def vocabulary() -> dict[str, Any]:
    """Everything above as JSON for the page (GET /api/vocabulary, /static/js/vocabulary.js)."""
    return {
        "steps": list(STEPS),
        "modes": list(MODES),
        "actors": list(ACTORS),
        "fault_actors": list(FAULT_ACTORS),
        "coordinator": COORDINATOR,
        "actor_names": ACTOR_NAMES,
        "outcomes": list(OUTCOMES),
        "run_states": {"live": list(LIVE_STATES), "ended": list(ENDED_STATES)},
        "event_kinds": {k: {"doc": doc, "fields": list(f)} for k, (doc, f) in EVENT_KINDS.items()},
        "checks": [
            {
                "name": name,
                "title": CHECK_TITLES[name][0],
                "gist": CHECK_TITLES[name][1],
                "doc": doc,
            }
            for name, doc in CHECKS.items()
        ],
        "transcript": TRANSCRIPT,
    }


def es_module() -> str:
    """The vocabulary as an ES module: `import VOCABULARY from "./vocabulary.js"`."""
    data = json.dumps(vocabulary(), ensure_ascii=False, indent=1)
    return (
        "// Generated from sim/trace/vocabulary.py by the server: do not edit.\n"
        f"const VOCABULARY = Object.freeze({data});\nexport default VOCABULARY;\n"
    )

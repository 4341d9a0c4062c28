"""Saga Lab's vocabulary, the one source of the words sim/, the server and the page share:
steps, modes, actors, event kinds, checks, outcomes, run states and the transcript's templates.

The page imports it as an ES module (`/static/js/vocabulary.js`, served by app/schema.py; also
`GET /api/vocabulary` as JSON); node's tests get the same module from es_module()
(tests/js/vocabulary_loader.mjs).

TRANSCRIPT is data, read by sim/trace/transcript.py (compiled once into Python functions) and
static/js/transcript.js (interpreted); tests/test_transcript_drift.py checks that both print the
same lines. For each event kind, a list of lines; a line is `{"text", "cls", "when", "each",
"join", "over"}` (only `text` is required) or `{"set": name, "to": path, "by"?: key}`
(remember a value for later events: the run's mode, the saga's steps by name; `by` turns a
list into a mapping by that key, each item with its 1-based `number`; a missing value leaves
the remembered one; `memory` holds the values before the run starts). In `text`, `{at}`
is the event's time as the tutorial prints it (`[12.3]`) and `{expr}` is a value:
  expr   := alt (" ?? " alt)* (" | " filter)*    first alternative that exists, then filters
  alt    := path (" + " path)*                    a sum of numbers
  path   := name ("." key)*                       key `$name` means the value of name
  filter := a table name (a lookup; a value not in the table passes unchanged) | "words"
            (underscores to spaces) | "list" (first five, ", ") | "count" (entries of a mapping)
A name is a loop variable, a remembered value, a table of TRANSCRIPT["tables"] or an event field.
`when` lists conditions that must all hold: `path`, `!path` (truthy or not), `path=value`,
`path!=value`, `path>number`. `each: "step", over: path` repeats the line per key of the
mapping at `path` with `step` bound;
`join: {"over", "when", "text", "sep"}` fills `{items}` with one text per entry of a mapping
(names are the entry's fields and `key`) and drops the line when no entry is left.
A missing value prints as nothing. Conditions test numbers, text and booleans only (Python and
JS disagree on whether an empty list or mapping is true).
"""

from __future__ import annotations

import json
from typing import Any

from sim.saga import BUILTIN, DEFAULT_SAGA, KINDS

#: the default saga's steps: the page's until it reads each run's definition (`params.saga`)
DEFAULT_STEPS: tuple[str, ...] = BUILTIN[DEFAULT_SAGA].names
STEPS = DEFAULT_STEPS
MODES: tuple[str, ...] = ("orchestration", "choreography")  # the first is the default
#: the actors that are not steps (every step of a run's saga is an actor too)
COORDINATORS: tuple[str, ...] = ("orchestrator", "bus", "monitor", "client")
ACTORS: tuple[str, ...] = ("orchestrator", "bus", *DEFAULT_STEPS, "monitor", "client")
#: the actor that coordinates a saga in each mode (the timeline's top lane)
COORDINATOR: dict[str, str] = {"orchestration": "orchestrator", "choreography": "bus"}
#: the actors the controller may crash and restart (in a run of the default saga)
FAULT_ACTORS: tuple[str, ...] = ("orchestrator", *DEFAULT_STEPS)
#: the tutorial's names of the actors that are not steps (a step's is its `service`)
COORDINATOR_NAMES: dict[str, str] = {
    "orchestrator": "SagaOrchestrator",
    "bus": "EventBus",
    "monitor": "SagaMonitor",
}
ACTOR_NAMES: dict[str, str] = {
    **{s.name: s.service for s in BUILTIN[DEFAULT_SAGA].steps},
    **COORDINATOR_NAMES,
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
    "step.waiting": (
        "A step found the last unit held by a saga that has not ended and waits for it "
        "(semantic lock). `holder`: that saga.",
        ("holder",),
    ),
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
    "compensation.skipped": ("A step that may have committed is not undone.", ("reason",)),
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


def index_by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """What a `set` line with `by` remembers: the items by their `key`, each with its 1-based
    `number` (static/js/transcript.js does the same)."""
    return {item[key]: {**item, "number": n} for n, item in enumerate(items, 1)}


_ORCH, _CHOR = "mode=orchestration", "mode!=orchestration"
_WHO = "{at} {steps.$step.service}"
_W = "steps.$step.words."  # a step's words (sim/saga/definition.py WORDS)
_AGAIN = "attempt>1"


def _line(text: str, cls: str = "", *when: str, **more: Any) -> dict[str, Any]:
    """One transcript line: its template, its CSS class on the page and its conditions."""
    return {"text": text, "cls": cls, **({"when": list(when)} if when else {}), **more}


_BLANK = _line("")
_RULE = "{at} {rule}"

#: the tutorial's console log: lookup tables and, per event kind, its lines
TRANSCRIPT: dict[str, Any] = {
    # what `set` lines remember, before the run starts: a run stored before sagas were data
    # has no `params.saga` and is a run of the default saga
    "memory": {
        "mode": MODES[0],
        "steps": index_by([s.to_dict() for s in BUILTIN[DEFAULT_SAGA].steps], "name"),
    },
    "tables": {
        "rule": "=" * 60,
        "actor_name": COORDINATOR_NAMES,
        "coordinator": COORDINATOR,
    },
    "kinds": {
        "run.started": [
            {"set": "mode", "to": "params.mode"},
            {"set": "steps", "to": "params.saga.steps", "by": "name"},
            _line(
                "{at} {steps.$step.service} started ({" + _W + "units}: {inventory.$step})",
                "meta",
                each="step",
                over="inventory",
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
                "{at} Orchestrator: Executing step {steps.$step.number}/{steps | count}: {"
                + _W
                + "action}",
                "",
                "!" + _AGAIN,
            ),
            _line(
                "{at} Orchestrator: Executing step {steps.$step.number}/{steps | count}: {"
                + _W
                + "action} (attempt {attempt})",
                "",
                _AGAIN,
            ),
        ],
        "step.succeeded": [
            _line(_WHO + ": {" + _W + "request}"),
            _line(
                _WHO + ": ✓ Already booked for {saga} (idempotent, no new {steps.$step.unit})",
                "ok",
                "duplicate",
            ),
            _line(
                _WHO + ": ✓ {" + _W + "done} (remaining: {inventory.$step})",
                "ok",
                "!duplicate",
                "units",
            ),
            _line(_WHO + ": ✓ {" + _W + "done}", "ok", "!duplicate", "!units"),
        ],
        "step.failed": [
            _line(_WHO + ": {" + _W + "request}"),
            _line(_WHO + ": {" + _W + "failed} - {" + _W + "$reason ?? reason | words}", "fail"),
            _line("{at} Orchestrator: Step {" + _W + "action} FAILED", "fail", _ORCH),
        ],
        "step.waiting": [
            _line(
                _WHO + ": the last {steps.$step.unit} is pending for {holder} - waiting"
                " (semantic lock)",
                "warn",
            ),
        ],
        "step.reply_lost": [
            _line(
                "{at} Orchestrator: no reply from {steps.$step.service}"
                " (it booked; the reply was lost)",
                "warn",
            ),
        ],
        "step.retried": [
            _line(
                "{at} Orchestrator: Retrying {" + _W + "action} (attempt {attempt})", "warn", _ORCH
            ),
            _line(_WHO + ": trying {" + _W + "action} again (attempt {attempt})", "warn", _CHOR),
        ],
        "saga.compensating": [
            _line("", "", _ORCH),
            _line("{at} Orchestrator: Starting compensation...", "comp", _ORCH),
            _line("{at} SagaMonitor: {saga} compensating after {reason}", "comp", _CHOR),
        ],
        "compensation.started": [
            _line(
                "{at} Orchestrator: Compensating {" + _W + "action}", "comp", _ORCH, "!" + _AGAIN
            ),
            _line(
                "{at} Orchestrator: Compensating {" + _W + "action} (attempt {attempt})",
                "comp",
                _ORCH,
                _AGAIN,
            ),
        ],
        "compensation.succeeded": [
            _line(_WHO + ": COMPENSATING - canceling {saga}", "comp"),
            _line(
                _WHO + ": ✓ {" + _W + "undone} (available: {inventory.$step})",
                "comp",
                "units",
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
            _line("{at} Orchestrator: {" + _W + "action} has no compensation", "meta", _ORCH),
            _line(_WHO + ": {" + _W + "action} has no compensation", "meta", _CHOR),
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
                "{at} EventBus: redelivering Event({event_type}) {saga} to {steps.$step.service}",
                "warn",
            ),
        ],
        "outbox.relayed": [_line(_WHO + ": outbox relay sends Event({event_type}) {saga}", "bus")],
        "actor.crashed": [
            _line(
                "{at} *** {steps.$step.service ?? actor | actor_name} CRASHED - {reason} ***",
                "crash",
            )
        ],
        "actor.restarted": [
            _line(
                "{at} *** {steps.$step.service ?? actor | actor_name} RESTARTED - {reason} ***",
                "warn",
            )
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
                "{" + _W + "label} available: {summary.inventory.$step.available}"
                "/{summary.inventory.$step.capacity}",
                "final",
                each="step",
                over="summary.inventory",
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
        "default_saga": BUILTIN[DEFAULT_SAGA].to_dict(),
        "step_kinds": list(KINDS),
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

"""Renders trace events as the tutorial's console log, line for line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from sim.model.service import SERVICE_NAMES
from sim.trace.events import Event

RULE = "=" * 60
ITEMS = {"flight": "flight FL123", "hotel": "hotel HTL456", "car": "car CAR789"}
NOUNS = {"flight": "Flight", "hotel": "Hotel", "car": "Car"}
UNITS = {"flight": "seats", "hotel": "rooms", "car": "cars"}
FAIL_TEXT = {
    ("flight", "error"): "system error",
    ("flight", "sold_out"): "no seats",
    ("hotel", "error"): "no rooms",
    ("hotel", "sold_out"): "no rooms",
    ("car", "error"): "no cars",
    ("car", "sold_out"): "no cars",
}
STEP_NUMBER = {"flight": 1, "hotel": 2, "car": 3}
ACTOR_NAMES = {
    **SERVICE_NAMES,
    "orchestrator": "SagaOrchestrator",
    "bus": "EventBus",
    "monitor": "SagaMonitor",
}


class TranscriptRenderer:
    """Turns one event at a time into the lines the tutorial's code would have printed."""

    def __init__(self) -> None:
        self.orchestrated = True
        self._rules: dict[str, Callable[[Event, str], list[str]]] = {
            name[len("_r_") :].replace("__", "."): getattr(self, name)
            for name in dir(self)
            if name.startswith("_r_")
        }

    def lines(self, event: Event) -> list[str]:
        rule = self._rules.get(event["kind"])
        return rule(event, f"[{event['t']:.1f}]") if rule else []

    def _r_run__started(self, e: Event, at: str) -> list[str]:
        self.orchestrated = e["params"]["mode"] == "orchestration"
        inv = e["inventory"]
        out = [f"{at} {SERVICE_NAMES[s]} started ({UNITS[s]}: {inv[s]})" for s in ITEMS]
        out.append(f"{at} {'SagaOrchestrator' if self.orchestrated else 'EventBus'} started")
        return [*out, ""]

    def _r_saga__started(self, e: Event, at: str) -> list[str]:
        again = " again (restarted from scratch)" if e.get("reason") else ""
        if not self.orchestrated:
            return [f"{at} SagaMonitor: saga {e['saga']} started"]
        start = f"{at} Starting saga for Booking({e['saga']}){again}"
        return [f"{at} {RULE}", start, f"{at} {RULE}"]

    def _r_step__started(self, e: Event, at: str) -> list[str]:
        n = STEP_NUMBER[e["step"]]
        extra = f" (attempt {e['attempt']})" if e.get("attempt", 1) > 1 else ""
        return [f"{at} Orchestrator: Executing step {n}/3: book_{e['step']}{extra}"]

    def _r_step__succeeded(self, e: Event, at: str) -> list[str]:
        s, who = e["step"], SERVICE_NAMES[e["step"]]
        first = f"{at} {who}: Booking {ITEMS[s]}"
        if e.get("duplicate"):
            return [
                first,
                f"{at} {who}: ✓ Already booked for {e['saga']} (idempotent, no new "
                f"{UNITS[s][:-1]})",
            ]
        return [first, f"{at} {who}: ✓ {NOUNS[s]} booked (remaining: {e['inventory'][s]})"]

    def _r_step__failed(self, e: Event, at: str) -> list[str]:
        s, who = e["step"], SERVICE_NAMES[e["step"]]
        why = FAIL_TEXT.get((s, e["reason"]), e["reason"].replace("_", " "))
        out = [f"{at} {who}: Booking {ITEMS[s]}", f"{at} {who}: Booking FAILED - {why}"]
        if self.orchestrated:
            out.append(f"{at} Orchestrator: Step book_{s} FAILED")
        return out

    def _r_step__reply_lost(self, e: Event, at: str) -> list[str]:
        who = SERVICE_NAMES[e["step"]]
        return [f"{at} Orchestrator: no reply from {who} (it booked; the reply was lost)"]

    def _r_step__retried(self, e: Event, at: str) -> list[str]:
        return [f"{at} Orchestrator: Retrying book_{e['step']} (attempt {e['attempt']})"]

    def _r_saga__compensating(self, e: Event, at: str) -> list[str]:
        if self.orchestrated:
            return ["", f"{at} Orchestrator: Starting compensation..."]
        return [f"{at} SagaMonitor: {e['saga']} compensating after {e.get('reason')}"]

    def _r_compensation__started(self, e: Event, at: str) -> list[str]:
        if not self.orchestrated:
            return []
        extra = f" (attempt {e['attempt']})" if e.get("attempt", 1) > 1 else ""
        return [f"{at} Orchestrator: Compensating book_{e['step']}{extra}"]

    def _r_compensation__succeeded(self, e: Event, at: str) -> list[str]:
        s, who = e["step"], SERVICE_NAMES[e["step"]]
        first = f"{at} {who}: COMPENSATING - canceling {e['saga']}"
        if e.get("units"):
            return [first, f"{at} {who}: ✓ {NOUNS[s]} canceled (available: {e['inventory'][s]})"]
        if e.get("reason") == "already_canceled":
            return [first, f"{at} {who}: Already canceled (idempotent)"]
        return [first, f"{at} {who}: No booking to cancel"]

    def _r_compensation__failed(self, e: Event, at: str) -> list[str]:
        who = SERVICE_NAMES[e["step"]]
        return [
            f"{at} {who}: COMPENSATING - canceling {e['saga']}",
            f"{at} {who}: Compensation FAILED - {e['reason'].replace('_', ' ')}",
        ]

    def _r_compensation__skipped(self, e: Event, at: str) -> list[str]:
        return [f"{at} Orchestrator: book_{e['step']} has no compensation"]

    def _r_saga__completed(self, e: Event, at: str) -> list[str]:
        return ["", f"{at} ✓✓✓ Saga {e['saga']} COMPLETED ✓✓✓", ""]

    def _r_saga__compensated(self, e: Event, at: str) -> list[str]:
        return ["", f"{at} ✗✗✗ Saga {e['saga']} FAILED - compensated ✗✗✗", ""]

    def _r_saga__flagged(self, e: Event, at: str) -> list[str]:
        return [
            f"{at} Orchestrator: WARNING - {e['reason']}! Manual intervention needed.",
            f"{at} ⚠⚠⚠ Saga {e['saga']} NEEDS MANUAL INTERVENTION ⚠⚠⚠",
        ]

    def _r_saga__stuck(self, e: Event, at: str) -> list[str]:
        return [f"{at} ??? Saga {e['saga']} STUCK - never ended ({e['reason']}) ???"]

    def _r_saga__timed_out(self, e: Event, at: str) -> list[str]:
        return [f"{at} SagaTimeout: {e['saga']} did not end in time - compensating"]

    def _r_message__published(self, e: Event, at: str) -> list[str]:
        return [f"{at} EventBus: Event({e['event_type']}) {e['saga']}"]

    def _r_message__redelivered(self, e: Event, at: str) -> list[str]:
        who = SERVICE_NAMES[e["step"]]
        return [f"{at} EventBus: redelivering Event({e['event_type']}) {e['saga']} to {who}"]

    def _r_outbox__relayed(self, e: Event, at: str) -> list[str]:
        who = SERVICE_NAMES[e["step"]]
        return [f"{at} {who}: outbox relay sends Event({e['event_type']}) {e['saga']}"]

    def _r_actor__crashed(self, e: Event, at: str) -> list[str]:
        return [f"{at} *** {ACTOR_NAMES[e['actor']]} CRASHED - {e['reason']} ***"]

    def _r_actor__restarted(self, e: Event, at: str) -> list[str]:
        return [f"{at} *** {ACTOR_NAMES[e['actor']]} RESTARTED - {e['reason']} ***"]

    def _r_log__appended(self, e: Event, at: str) -> list[str]:
        return [f"{at} SagaLog: {e['detail']}"]

    def _r_log__replayed(self, e: Event, at: str) -> list[str]:
        return [f"{at} Orchestrator: resuming from the log - {e['detail']}"]

    def _r_invariant__violated(self, e: Event, at: str) -> list[str]:
        return [f"{at} !!! INVARIANT VIOLATED ({e['check']}): {e['detail']}"]

    def _r_isolation__anomaly(self, e: Event, at: str) -> list[str]:
        return [f"{at} ~~~ NO ISOLATION: {e['detail']}"]

    def _r_run__finished(self, e: Event, at: str) -> list[str]:
        s = e["summary"]
        inv, sagas = s["inventory"], s["sagas"]
        out = ["", RULE, "Final State:", RULE]
        labels = {"flight": "Flight seats", "hotel": "Hotel rooms", "car": "Cars"}
        for step, label in labels.items():
            out.append(f"{label} available: {inv[step]['available']}/{inv[step]['capacity']}")
        out += [
            "",
            f"Completed sagas: {sagas['completed']}",
            f"Failed sagas: {sagas['compensated'] + sagas['flagged']}",
        ]
        if sagas["flagged"]:
            out.append(f"Needing manual intervention: {sagas['flagged']}")
        if sagas["stuck"]:
            out.append(f"Stuck sagas: {sagas['stuck']}")
        broken = [c for c, v in s["invariants"].items() if not v["ok"]]
        if broken:
            out.append(
                "Invariants violated: "
                + ", ".join(f"{c} ({', '.join(s['invariants'][c]['sagas'][:5])})" for c in broken)
            )
        return out


def render(events: Iterable[Event]) -> Iterator[str]:
    """The transcript of a trace, one line at a time."""
    renderer = TranscriptRenderer()
    for event in events:
        yield from renderer.lines(event)

"""The invariant checker: follows the trace, flags violations live, and sums up at the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .events import CHECKS, Event
from .params import STEPS

COMPENSABLE = ("flight", "hotel")  # the car, last, has no compensation (as in the tutorial)
MAX_LISTED = 200  # offending sagas listed per check in the summary (the count is exact)


class SagaTrack:
    """What the trace says one saga holds and did."""

    __slots__ = ("status", "held", "done", "undone", "comps", "reported")

    def __init__(self) -> None:
        self.status = "running"
        self.held = {"flight": 0, "hotel": 0, "car": 0}
        self.done: list[str] = []  # forward steps that took a unit, in order
        self.undone: set[str] = set()  # steps whose compensation released a unit
        self.comps: list[str] = []  # steps whose compensation was started, in order
        self.reported: set[str] = set()


class InvariantChecker:
    """Checks DESIGN.md's five invariants from trace events alone.

    Invariant of the checker itself: `live_held[s]` is the sum of `held[s]` over sagas that
    are not compensated or stuck, so conservation is an O(1) test per inventory event.
    """

    def __init__(self, capacity: dict[str, int], emit: Callable[..., Any]) -> None:
        self.capacity = dict(capacity)
        self.emit = emit
        self.sagas: dict[str, SagaTrack] = {}
        self.live_held = dict.fromkeys(STEPS, 0)
        self.offenders: dict[str, list[str]] = {c: [] for c in CHECKS}
        self.violations = dict.fromkeys(CHECKS, 0)
        self.counts = {"completed": 0, "compensated": 0, "stuck": 0, "flagged": 0}
        self.performed = 0
        self.expected = 0
        self.retries = 0
        self.duplicates_prevented = 0
        self._gap = dict.fromkeys(STEPS, 0)
        self._handlers: dict[str, Callable[[Event], None]] = {
            "saga.started": self._started,
            "step.succeeded": self._step_succeeded,
            "step.retried": self._retried,
            "compensation.started": self._compensation_started,
            "compensation.succeeded": self._compensation_succeeded,
            "saga.completed": self._completed,
            "saga.compensated": self._compensated,
            "saga.flagged": self._flagged,
            "saga.stuck": self._stuck,
        }

    def observe(self, event: Event) -> None:
        handler = self._handlers.get(event["kind"])
        if handler is not None:
            handler(event)

    def _track(self, saga: str) -> SagaTrack:
        track = self.sagas.get(saga)
        if track is None:
            track = self.sagas[saga] = SagaTrack()
        return track

    def _violate(self, check: str, saga: str | None, detail: str, once: bool = True) -> None:
        track = self.sagas.get(saga) if saga else None
        if once and track is not None:
            if check in track.reported:
                return
            track.reported.add(check)
        self.violations[check] += 1
        if saga and len(self.offenders[check]) < MAX_LISTED and saga not in self.offenders[check]:
            self.offenders[check].append(saga)
        self.emit("invariant.violated", saga, "monitor", None, check=check, detail=detail)

    def _is_live(self, track: SagaTrack) -> bool:
        return track.status not in ("compensated", "stuck")

    def _started(self, event: Event) -> None:
        self._track(event["saga"])

    def _retried(self, event: Event) -> None:
        self.retries += 1

    def _step_succeeded(self, event: Event) -> None:
        saga, step, units = event["saga"], event["step"], event["units"]
        track = self._track(saga)
        if event.get("duplicate"):
            self.duplicates_prevented += 1
        if not units:
            return
        track.held[step] += units
        track.done.append(step)
        if self._is_live(track):
            self.live_held[step] += units
        if track.held[step] > 1:
            self._violate(
                "no_double_booking", saga,
                f"{saga} holds {track.held[step]} {step} units", once=False,
            )
        self._conservation(step, saga)

    def _compensation_started(self, event: Event) -> None:
        saga, step = event["saga"], event["step"]
        track = self._track(saga)
        if step in track.comps:
            return
        track.comps.append(step)
        later = track.done[track.done.index(step) + 1:] if step in track.done else []
        pending = [s for s in later if s in COMPENSABLE and s not in track.comps]
        if pending:
            self._violate(
                "order", saga,
                f"{saga}: {step} compensated before {', '.join(pending)}, "
                f"which completed after it",
            )

    def _compensation_succeeded(self, event: Event) -> None:
        saga, step, units = event["saga"], event["step"], event["units"]
        track = self._track(saga)
        if not units:
            return
        track.held[step] -= units
        track.undone.add(step)
        if self._is_live(track):
            self.live_held[step] -= units
        self._conservation(step, saga)

    def _conservation(self, step: str, saga: str | None) -> None:
        # checked against the services' counts carried by inventory events
        gap = self._inventory[step] + self.live_held[step] - self.capacity[step]
        if gap != self._gap[step]:
            self._gap[step] = gap
            if gap:
                what = "leaked" if gap < 0 else "created from nothing"
                self._violate(
                    "conservation", saga,
                    f"{step}: {abs(gap)} unit(s) {what} "
                    f"(available {self._inventory[step]} + held {self.live_held[step]} "
                    f"!= capacity {self.capacity[step]})",
                    once=False,
                )

    _inventory: dict[str, int] = {}

    def bind_inventory(self, inventory: dict[str, int]) -> None:
        """Share the services' live counts (what every inventory event reports)."""
        self._inventory = inventory

    def _end(self, saga: str, status: str) -> SagaTrack:
        track = self._track(saga)
        if track.status == status:
            return track
        was_live = self._is_live(track)
        track.status = status
        self.counts[status] = self.counts.get(status, 0) + 1
        if was_live and not self._is_live(track):
            for step in STEPS:
                self.live_held[step] -= track.held[step]
        return track

    def _completed(self, event: Event) -> None:
        saga = event["saga"]
        track = self._end(saga, "completed")
        wrong = [f"{s} {n}" for s, n in track.held.items() if n != 1]
        if wrong:
            self._violate("atomic_outcome", saga, f"{saga} completed holding " + ", ".join(wrong))

    def _failed_ended(self, saga: str, track: SagaTrack) -> None:
        steps = {s for s in track.done if s in COMPENSABLE}
        self.expected += len(steps)
        self.performed += len(steps & track.undone)

    def _compensated(self, event: Event) -> None:
        saga = event["saga"]
        track = self._end(saga, "compensated")
        self._failed_ended(saga, track)
        kept = [f"{s} {n}" for s, n in track.held.items() if n]
        if kept:
            self._violate("atomic_outcome", saga, f"{saga} compensated but holds " +
                          ", ".join(kept))
            for step in STEPS:
                if track.held[step]:
                    self._conservation(step, saga)

    def _flagged(self, event: Event) -> None:
        track = self._end(event["saga"], "flagged")
        self._failed_ended(event["saga"], track)

    def _stuck(self, event: Event) -> None:
        saga = event["saga"]
        track = self._end(saga, "stuck")
        held = [f"{s} {n}" for s, n in track.held.items() if n]
        detail = f"{saga} never ended" + (" and holds " + ", ".join(held) if held else "")
        self._violate("nothing_stuck", saga, detail)

    def unfinished(self) -> list[str]:
        """Sagas that started and have not ended, in start order."""
        return [s for s, t in self.sagas.items() if t.status == "running"]

    def leaked(self) -> dict[str, int]:
        """Units held by sagas that no longer own anything (compensated or stuck)."""
        out = dict.fromkeys(STEPS, 0)
        for track in self.sagas.values():
            if not self._is_live(track):
                for step in STEPS:
                    out[step] += max(track.held[step], 0)
        return out

    def report(self) -> dict[str, Any]:
        """The summary's checker part."""
        return {
            "sagas": dict(self.counts),
            "invariants": {
                c: {"ok": self.violations[c] == 0, "violations": self.violations[c],
                    "sagas": list(self.offenders[c])}
                for c in CHECKS
            },
            "compensations": {"performed": self.performed, "expected": self.expected},
            "retries": self.retries,
            "duplicates_prevented": self.duplicates_prevented,
            "leaked": self.leaked(),
        }

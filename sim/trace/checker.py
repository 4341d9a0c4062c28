"""The invariant checker: follows the trace, flags violations live, and sums up at the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.saga import Saga
from sim.trace.vocabulary import CHECKS

MAX_LISTED = 200  # offending sagas listed per check in the summary (the count is exact)
DEAD = ("compensated", "stuck")  # ended sagas that should hold nothing


class SagaTrack:
    """What the trace says one saga holds and did (the rarely needed parts made lazily)."""

    __slots__ = ("status", "held", "done", "undone", "comps", "reported", "pivoted")

    def __init__(self, holding: tuple[str, ...], status: str = "running") -> None:
        self.status = status
        self.held = dict.fromkeys(holding, 0)
        self.done: list[str] = []  # forward steps that took a unit, in order
        self.undone: set[str] | None = None  # steps whose compensation released a unit
        self.comps: list[str] | None = None  # steps whose compensation started, in order
        self.reported: set[str] | None = None
        self.pivoted = False  # the saga's pivot committed: nothing may be undone any more


class InvariantChecker:
    """Checks the five invariants of docs/sim-api.md from trace events alone, for any saga:
    units are counted for the steps that hold them; `order` also holds the taxonomy's rules
    (no pivot or retriable step is compensated, nothing is once the pivot committed).

    Invariants of the checker itself: `live_held[s]` is the sum of `held[s]` over sagas that
    are neither compensated nor stuck, so conservation is an O(1) test per inventory event;
    `sagas` holds running sagas only, `ended` the final status of the others (a late event
    for an ended saga revives its track with that status) until the engine `forget`s one
    that no event can name again.
    """

    def __init__(self, capacity: dict[str, int], emit: Callable[..., Any], saga: Saga) -> None:
        self.capacity = dict(capacity)
        self.holding = holding = tuple(capacity)
        self.compensable = tuple(
            s.name for s in saga.steps if s.kind == "compensatable" and s.holds
        )
        self.uncompensable = {s.name: s.kind for s in saga.steps if s.kind != "compensatable"}
        self.pivot = saga.pivot
        self.emit = emit
        self.sagas: dict[str, SagaTrack] = {}
        self.ended: dict[str, str] = {}
        self.revived: dict[str, SagaTrack] = {}
        self.live_held = dict.fromkeys(holding, 0)
        self.leaked_units = dict.fromkeys(holding, 0)
        self.offenders: dict[str, list[str]] = {c: [] for c in CHECKS}
        self.violations = dict.fromkeys(CHECKS, 0)
        self.counts = {"completed": 0, "compensated": 0, "stuck": 0, "flagged": 0}
        self.started = 0
        self.performed = 0
        self.expected = 0
        self.retries = 0
        self.duplicates_prevented = 0
        self.anomalies = 0
        self._inventory: dict[str, int] = {}
        self._gap = dict.fromkeys(holding, 0)
        # kind -> handler(saga, step, extra): the parts of the event, never a built event
        self.handlers: dict[str, Callable[[str, str | None, dict[str, Any]], None]] = {
            "saga.started": self._started,
            "saga.compensating": self._compensating,
            "step.failed": self._step_failed,
            "step.succeeded": self._step_succeeded,
            "step.retried": self._retried,
            "compensation.started": self._compensation_started,
            "compensation.succeeded": self._compensation_succeeded,
            "saga.completed": self._completed,
            "saga.compensated": self._compensated,
            "saga.flagged": self._flagged,
            "saga.stuck": self._stuck,
        }

    def bind_inventory(self, inventory: dict[str, int]) -> None:
        """Share the services' live counts (what every inventory event reports)."""
        self._inventory = inventory

    def _track(self, saga: str) -> SagaTrack:
        track = self.sagas.get(saga)
        if track is None:
            track = self.revived.get(saga)
            if track is None:
                status = self.ended.get(saga)
                if status is None:
                    self.started += 1
                track = SagaTrack(self.holding, status or "running")
                (self.revived if status else self.sagas)[saga] = track
        return track

    def forget(self, saga: str) -> None:
        """Drop an ended saga that no later event can name (memory stays flat)."""
        self.ended.pop(saga, None)

    def _violate(self, check: str, saga: str | None, detail: str, once: bool = True) -> None:
        track = (self.sagas.get(saga) or self.revived.get(saga)) if saga else None
        if once and track is not None:
            if track.reported is None:
                track.reported = set()
            if check in track.reported:
                return
            track.reported.add(check)
        self.violations[check] += 1
        listed = self.offenders[check]
        if saga and len(listed) < MAX_LISTED and saga not in listed:
            listed.append(saga)
        self.emit("invariant.violated", saga, "monitor", None, check=check, detail=detail)

    def _started(self, saga: str, step: str | None, extra: dict[str, Any]) -> None:
        self._track(saga)

    def _compensating(self, saga: str, step: str | None, extra: dict[str, Any]) -> None:
        track = self._track(saga)
        if track.status == "running":
            track.status = "compensating"

    def _step_failed(self, saga: str, step: str, extra: dict[str, Any]) -> None:
        """A refusal for want of a unit that a failing saga still holds shows no isolation."""
        if extra.get("reason") != "sold_out":
            return
        for other, track in self.sagas.items():
            if track.status == "compensating" and track.held[step] > 0:
                self.anomalies += 1
                self.emit(
                    "isolation.anomaly",
                    saga,
                    "monitor",
                    step,
                    detail=f"{saga} was refused the last {step}, which {other} "
                    f"still holds while it is being compensated",
                    holder=other,
                )
                return

    def _retried(self, saga: str, step: str | None, extra: dict[str, Any]) -> None:
        self.retries += 1

    def _take(self, saga: str, step: str, units: int) -> SagaTrack:
        """Move `units` of `step` to the saga (negative: back to the service)."""
        track = self._track(saga)
        track.held[step] += units
        if track.status in DEAD:
            self.leaked_units[step] += units
            live = self.live_held[step]
        else:
            live = self.live_held[step] = self.live_held[step] + units
        gap = self._inventory[step] + live - self.capacity[step]
        if gap != self._gap[step]:
            self._conservation(step, gap, saga)
        return track

    def _step_succeeded(self, saga: str, step: str, extra: dict[str, Any]) -> None:
        units = extra["units"]
        if step == self.pivot:
            self._track(saga).pivoted = True
        if not units:
            if extra.get("duplicate"):
                self.duplicates_prevented += 1
            return
        track = self._take(saga, step, units)
        track.done.append(step)
        if track.held[step] > 1:
            self._violate(
                "no_double_booking",
                saga,
                f"{saga} holds {track.held[step]} {step} units",
                once=False,
            )

    def _compensation_started(self, saga: str, step: str, extra: dict[str, Any]) -> None:
        track = self._track(saga)
        if track.comps is None:
            track.comps = []
        elif step in track.comps:
            return
        track.comps.append(step)
        kind = self.uncompensable.get(step)
        if kind is not None:
            self._violate("order", saga, f"{saga}: {step} was compensated, but a {kind} step "
                          "is never undone")  # fmt: skip
        elif track.pivoted:
            self._violate("order", saga, f"{saga}: {step} was compensated after the pivot "
                          f"{self.pivot} committed")  # fmt: skip
        later = track.done[track.done.index(step) + 1 :] if step in track.done else []
        pending = [s for s in later if s in self.compensable and s not in track.comps]
        if pending:
            self._violate(
                "order",
                saga,
                f"{saga}: {step} compensated before {', '.join(pending)}, which completed after it",
            )

    def _compensation_succeeded(self, saga: str, step: str, extra: dict[str, Any]) -> None:
        units = extra["units"]
        if units:
            track = self._take(saga, step, -units)
            if track.undone is None:
                track.undone = set()
            track.undone.add(step)

    def _conservation(self, step: str, gap: int, saga: str | None) -> None:
        self._gap[step] = gap
        if gap:
            what = "leaked" if gap < 0 else "created from nothing"
            self._violate(
                "conservation",
                saga,
                f"{step}: {abs(gap)} unit(s) {what} (available {self._inventory[step]} + "
                f"held {self.live_held[step]} != capacity {self.capacity[step]})",
                once=False,
            )

    def _end(self, saga: str, status: str) -> SagaTrack:
        track = self._track(saga)
        if track.status == status:
            return track
        if track.status not in DEAD and status in DEAD:
            for step, n in track.held.items():
                if n:
                    self.live_held[step] -= n
                    self.leaked_units[step] += n
        track.status = status
        self.counts[status] += 1
        self.sagas.pop(saga, None)
        self.revived.pop(saga, None)
        self.ended[saga] = status
        return track

    def _completed(self, saga: str, step: str | None, extra: dict[str, Any]) -> None:
        held = self._end(saga, "completed").held
        if any(n != 1 for n in held.values()):
            wrong = ", ".join(f"{s} {n}" for s, n in held.items() if n != 1)
            self._violate("atomic_outcome", saga, f"{saga} completed holding {wrong}")

    def _failed_ended(self, track: SagaTrack) -> None:
        """Count the compensations a failed saga owed and made (none once its pivot
        committed: a saga flagged after it owes none)."""
        if track.pivoted:
            return
        steps = set(track.done).intersection(self.compensable)
        self.expected += len(steps)
        self.performed += len(steps & track.undone) if track.undone else 0

    def _compensated(self, saga: str, step: str | None, extra: dict[str, Any]) -> None:
        track = self._end(saga, "compensated")
        self._failed_ended(track)
        held = track.held
        if any(held.values()):
            kept = [f"{s} {n}" for s, n in held.items() if n]
            self._violate(
                "atomic_outcome", saga, f"{saga} compensated but holds " + ", ".join(kept)
            )
            for step in self.holding:
                gap = self._inventory[step] + self.live_held[step] - self.capacity[step]
                if gap != self._gap[step]:
                    self._conservation(step, gap, saga)

    def _flagged(self, saga: str, step: str | None, extra: dict[str, Any]) -> None:
        self._failed_ended(self._end(saga, "flagged"))

    def _stuck(self, saga: str, step: str | None, extra: dict[str, Any]) -> None:
        track = self._end(saga, "stuck")
        held = [f"{s} {n}" for s, n in track.held.items() if n]
        detail = f"{saga} never ended" + (" and holds " + ", ".join(held) if held else "")
        self._violate("nothing_stuck", saga, detail)

    def unfinished(self) -> list[str]:
        """Sagas that started and have not ended, in start order."""
        return list(self.sagas)

    def report(self) -> dict[str, Any]:
        """The summary's checker part; `leaked`: units held by compensated or stuck sagas."""
        return {
            "sagas": dict(self.counts),
            "invariants": {
                c: {
                    "ok": self.violations[c] == 0,
                    "violations": self.violations[c],
                    "sagas": list(self.offenders[c]),
                }
                for c in CHECKS
            },
            "compensations": {"performed": self.performed, "expected": self.expected},
            "retries": self.retries,
            "duplicates_prevented": self.duplicates_prevented,
            "isolation_anomalies": self.anomalies,
            "leaked": dict(self.leaked_units),
        }

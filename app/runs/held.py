"""The events a live run's engine computed that are not released yet, and its breakpoints:
after a hit, what follows is held until the run resumes or steps (app/runs/breakpoints.py)."""

from __future__ import annotations

from typing import Any

from app.runs.breakpoints import first_hit, hit_info


class Pending:
    """Computed events waiting for the next batch; at a breakpoint, held back."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.triggers: frozenset[str] = frozenset()  # event kinds that pause the run
        self.holding = False  # paused at a breakpoint: the events wait here
        self.breakpoint: dict[str, Any] | None = None  # the hit the run is paused at

    def add(self, event: dict[str, Any]) -> None:
        """The engine's sink."""
        self.events.append(event)

    def __len__(self) -> int:
        return len(self.events)

    def hit_since(self, index: int) -> bool:
        """A breakpoint's event is among those added from `index` on."""
        return bool(self.triggers) and first_hit(self.events, self.triggers, index) >= 0

    def next_batch(self, release_all: bool = False) -> tuple[int, dict[str, Any] | None]:
        """How many events go out now, and the breakpoint event the run then pauses at:
        all of them without a hit, up to the first hit with one, none while holding."""
        if not self.events or (self.holding and not release_all):
            return 0, None
        hit = -1 if release_all or not self.triggers else first_hit(self.events, self.triggers)
        if hit < 0:
            return len(self.events), None
        return hit + 1, self.events[hit]

    def next_instant(self) -> tuple[int, dict[str, Any] | None]:
        """At a breakpoint: the held events of the next simulated instant, up to the next
        hit among them (and that hit's event, if any)."""
        events = self.events
        n = 1
        while n < len(events) and events[n]["t"] == events[0]["t"]:
            n += 1
        hit = first_hit(events[:n], self.triggers)
        return (n, None) if hit < 0 else (hit + 1, events[hit])

    def take(self, n: int) -> list[dict[str, Any]]:
        """The first n events, no longer pending."""
        batch = self.events[:n]
        del self.events[:n]
        return batch

    def hold(self, event: dict[str, Any]) -> None:
        """Paused at this breakpoint event: what follows is held."""
        self.holding, self.breakpoint = True, hit_info(event)

    def let_go(self) -> None:
        """No longer at a breakpoint (a resume, a fault, the end): held events may go."""
        self.holding, self.breakpoint = False, None

    def clear(self) -> None:
        """Drop what is pending (the run failed or was interrupted)."""
        self.events.clear()

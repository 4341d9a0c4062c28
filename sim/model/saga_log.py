"""The orchestrator's durable saga log: the one thing an orchestrator crash does not erase."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.trace.tracer import Tracer


@dataclass
class LogEntry:
    """What the log knows of one saga."""

    phase: str = "forward"  # forward | compensating
    done: list[str] = field(default_factory=list)
    undone: list[str] = field(default_factory=list)
    pending: str | None = None  # the step requested and not yet known to be done


class SagaLog:
    """Saga state written before each step and after each result, read back on restart.

    Invariant: it holds an entry for every saga that started and has not ended; every write
    is a `log.appended` trace event.
    """

    def __init__(self, tracer: Tracer) -> None:
        self.tracer = tracer
        self.entries: dict[str, LogEntry] = {}

    def start(self, saga: str) -> None:
        self.entries[saga] = LogEntry()
        self.tracer.emit("log.appended", saga, "orchestrator", detail=f"{saga} started")

    def write(self, saga: str, detail: str, **change: object) -> None:
        entry = self.entries.setdefault(saga, LogEntry())
        for key, value in change.items():
            setattr(entry, key, value)
        self.tracer.emit("log.appended", saga, "orchestrator", detail=detail)

    def end(self, saga: str, outcome: str) -> None:
        if self.entries.pop(saga, None) is not None:
            self.tracer.emit("log.appended", saga, "orchestrator", detail=f"{saga} {outcome}")

    def get(self, saga: str) -> LogEntry | None:
        return self.entries.get(saga)

"""The model's single exit: numbers trace events and hands them to the checker and the sink."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .events import Event, Sink

if TYPE_CHECKING:
    from asimpy import Environment

    from .checker import InvariantChecker


class Tracer:
    """Emits trace events in `seq` order; shares the live inventory counts with the services.

    The sink sees each event before the checker does, so a violation the event reveals
    follows it in the trace.
    """

    __slots__ = ("env", "sink", "checker", "seq", "inventory")

    def __init__(self, env: Environment, sink: Sink) -> None:
        self.env = env
        self.sink = sink
        self.checker: InvariantChecker | None = None
        self.seq = 0
        self.inventory: dict[str, int] = {}

    def emit(
        self,
        kind: str,
        saga: str | None = None,
        actor: str | None = None,
        step: str | None = None,
        **extra: Any,
    ) -> Event:
        event: Event = {
            "seq": self.seq,
            "t": round(self.env._now, 6),
            "kind": kind,
            "saga": saga,
            "actor": actor,
            "step": step,
        }
        if extra:
            event.update(extra)
        self.seq += 1
        self.sink(event)
        if self.checker is not None:
            self.checker.observe(event)
        return event

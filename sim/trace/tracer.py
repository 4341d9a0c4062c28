"""The model's single exit: numbers trace events and hands them to the checker and the sink."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.trace.events import Event, Sink, null_sink

if TYPE_CHECKING:
    from asimpy import Environment

    from sim.trace.checker import InvariantChecker


class Tracer:
    """Emits trace events in `seq` order; shares the live inventory counts with the services.

    The sink sees each event before the checker does, so a violation the event reveals
    follows it in the trace.
    """

    __slots__ = ("env", "sink", "seq", "inventory", "_handlers", "_raw", "_t")

    def __init__(self, env: Environment, sink: Sink) -> None:
        self.env = env
        self.sink = sink
        self._handlers: dict[str, Any] = {}
        self.seq = 0
        self.inventory: dict[str, int] = {}
        self._raw: float = -1.0
        self._t: float = 0.0

    def attach(self, checker: InvariantChecker) -> None:
        """Let the checker see every event after the sink has."""
        self._handlers = checker.handlers

    def emit(
        self,
        kind: str,
        saga: str | None = None,
        actor: str | None = None,
        step: str | None = None,
        **extra: Any,
    ) -> Event:
        now = self.env.now
        if now != self._raw:  # many events share a time: round once
            self._raw, self._t = now, round(now, 6)
        event: Event = {
            "seq": self.seq,
            "t": self._t,
            "kind": kind,
            "saga": saga,
            "actor": actor,
            "step": step,
        }
        if extra:
            event.update(extra)
        self.seq += 1
        if self.sink is not null_sink:
            self.sink(event)
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(event)
        return event

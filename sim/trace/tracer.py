"""The model's single exit: numbers trace events and hands them to the sink and the checker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.kernel import now as clock
from sim.trace.events import ANY_FLOATS, Sink, null_sink, plain_time

if TYPE_CHECKING:
    from asimpy import Environment

    from sim.trace.checker import InvariantChecker


#: 1.5 * 2**52: `x + it - it` is x rounded to an integer, half to even as `round` does, for
#: a double under 2**51, and stays a float. An event's time is `round(now, 6)`, computed
#: (inline in `emit`, once per distinct time) without `round`'s decimal conversion: below
#: 1e9, `now * 1e6` is within 0.0625 of the exact product; unless that lands near a tie,
#: rounding it to an integer r is what `round` does on the exact value, and `r / 1e6` (an
#: exact integer divided by an exact power of ten, correctly rounded) is the double nearest
#: the decimal `round` would parse back. Ties, huge times and ints take `round`.
_ROUNDER = 6755399441055744.0


class Tracer:
    """Emits trace events in `seq` order; shares the live inventory counts with the services.

    An event becomes a dict only for a sink (the edge); the checker reads its parts as they
    are, `handler(saga, step, extra)`, so a run into `null_sink` builds no event at all. The
    sink sees each event before the checker does, so a violation the event reveals follows
    it in the trace. A sink with a `batch` list (JsonlSink) gets the plain events (see
    `JsonlSink`) appended there and `flush()` called once `batch_size` are waiting, sparing
    a call per event; it is called with the others. The clock is read with sim/kernel.py's
    `now` (the property costs a Python call per event).
    """

    __slots__ = (
        "env",
        "sink",
        "seq",
        "inventory",
        "_handlers",
        "_raw",
        "_t",
        "_plain",
        "_batch",
        "_size",
    )

    def __init__(self, env: Environment, sink: Sink) -> None:
        self.env = env
        self.sink = None if sink is null_sink else sink
        self._batch: list[dict[str, Any]] | None = getattr(sink, "batch", None)
        self._size: int = getattr(sink, "batch_size", 0)
        self._handlers: dict[str, Any] = {}
        self.seq = 0
        self.inventory: dict[str, int] = {}
        self._raw: float = -1.0
        self._t: float = 0.0
        self._plain = True  # plain_time(self._t): whether JsonlSink.batch may hold its events

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
    ) -> None:
        seq = self.seq
        self.seq = seq + 1
        sink = self.sink
        if sink is not None:
            now = clock(self.env)
            if now != self._raw:  # many events share a time: stamp it once
                self._raw = now
                if type(now) is float and now < 1e9:  # round(now, 6) without decimals
                    scaled = now * 1e6
                    r = scaled + _ROUNDER - _ROUNDER
                    t = r / 1e6 if -0.4 < scaled - r < 0.4 else round(now, 6)
                else:
                    t = round(now, 6)
                self._t = t
                self._plain = plain_time(t)
            event = {
                "seq": seq,
                "t": self._t,
                "kind": kind,
                "saga": saga,
                "actor": actor,
                "step": step,
                **extra,
            }
            batch = self._batch
            if batch is not None and self._plain and kind not in ANY_FLOATS:
                batch.append(event)
                if len(batch) >= self._size:
                    sink.flush()  # type: ignore[attr-defined]
            else:
                sink(event)
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(saga, step, extra)

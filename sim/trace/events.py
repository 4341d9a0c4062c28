"""Trace events: their shape, their JSON form and the sinks that take them. Every kind Saga Lab
emits is documented in sim/trace/vocabulary.py (EVENT_KINDS).

An event is a dict with `seq` (0, 1, 2, ... within a run), `t` (simulated time),
`kind`, `saga` (booking id or None), `actor` and `step` (flight, hotel, car or None),
plus the fields its kind lists in EVENT_KINDS. Every event that changes inventory carries
`inventory`: the three counts after the change, e.g. {"flight": 9, "hotel": 4, "car": 2}.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from orjson import dumps as _orjson

Event = dict[str, Any]
Sink = Callable[[Event], None]


_stdlib = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: kinds whose fields may hold floats besides `t` (parameters, the summary): stdlib-encoded
_ANY_FLOATS = frozenset({"run.started", "run.finished"})


def to_json(event: Event) -> str:
    """The event as one line of JSON (the form of `--format jsonl` and the store): exactly
    `json.dumps(event, ensure_ascii=False, separators=(",", ":"))`.

    orjson writes the same for everything a trace event holds except floats under 1e-4
    (`0.00001` where Python writes `1e-05`) and integers beyond 64 bits; those events, and
    the two kinds that carry arbitrary floats, go through the stdlib encoder. (orjson's bytes
    are decoded at once: a str is cheaper to keep than the bytes orjson allocates.)
    """
    t = event["t"]
    if (t >= 0.0001 or t == 0) and event["kind"] not in _ANY_FLOATS:
        try:
            return _orjson(event).decode()
        except TypeError:
            pass
    return _stdlib(event)


class ListSink:
    """Keeps every event in memory (tests, small runs)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)


def null_sink(event: Event) -> None:
    """Discards events (benchmarks, batch experiments)."""


class JsonlSink:
    """Writes each event as a line of JSON to a text stream, in chunks; `close()` flushes."""

    def __init__(self, stream: Any, chunk: int = 2048) -> None:
        self._write = stream.write
        self._lines: list[str] = []
        self._chunk = chunk

    def __call__(self, event: Event) -> None:
        lines = self._lines
        lines.append(to_json(event))
        if len(lines) >= self._chunk:
            self.close()

    def close(self) -> None:
        if self._lines:
            self._write("\n".join(self._lines) + "\n")
            self._lines.clear()

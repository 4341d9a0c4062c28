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

Event = dict[str, Any]
Sink = Callable[[Event], None]


def _no_default(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# The C encoder made once (json.dumps makes a new one per call): the JSON Lines hot path.
_c_encoder = json.encoder.c_make_encoder  # type: ignore[attr-defined]
_fast = (
    _c_encoder(
        None,
        _no_default,
        json.encoder.encode_basestring,  # type: ignore[attr-defined]
        None,
        ":",
        ",",
        False,
        False,
        True,
    )
    if _c_encoder is not None
    else None
)


def to_json(event: Event) -> str:
    """The event as one line of JSON (the form of `--format jsonl` and the store): exactly
    `json.dumps(event, ensure_ascii=False, separators=(",", ":"))`."""
    if _fast is None:
        return _encode(event)
    return "".join(_fast(event, 0))


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

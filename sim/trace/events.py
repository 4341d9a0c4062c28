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
_TINY = 0.0001  # orjson writes a float under this as 0.00001, Python as 1e-05


def to_json(event: Event) -> str:
    """The event as one line of JSON (the form of `--format jsonl` and the store): exactly
    `json.dumps(event, ensure_ascii=False, separators=(",", ":"))`.

    orjson writes the same for everything a trace event holds except floats under 1e-4
    (`0.00001` where Python writes `1e-05`) and integers beyond 64 bits; those events, and
    the two kinds that carry arbitrary floats, go through the stdlib encoder. (orjson's bytes
    are decoded at once: a str is cheaper to keep than the bytes orjson allocates.) An event
    whose `t` is neither 0 nor under 1e-4 holds no float under 1e-4 outside those two kinds:
    its other times (`restart_at`) are later.
    """
    t = event["t"]
    if (t >= _TINY or t == 0) and event["kind"] not in _ANY_FLOATS:
        try:
            return _orjson(event).decode()
        except TypeError:
            pass
    return _stdlib(event)


def to_jsonl(events: list[Event]) -> bytes:
    """Events as lines of JSON, each `to_json(event)` and a newline, in UTF-8 (one orjson call
    per event and no decoding where orjson writes the same, as `to_json` decides)."""
    try:
        lines = [
            _orjson(e)
            if (e["t"] >= _TINY or e["t"] == 0) and e["kind"] not in _ANY_FLOATS
            else _stdlib(e).encode()
            for e in events
        ]
    except TypeError:  # an integer orjson cannot write: this chunk the slow way
        lines = [to_json(e).encode() for e in events]
    lines.append(b"")
    return b"\n".join(lines)


class ListSink:
    """Keeps every event in memory (tests, small runs)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)


def null_sink(event: Event) -> None:
    """Discards events (benchmarks, batch experiments)."""


class JsonlSink:
    """Writes each event as a line of JSON (`to_jsonl`) to a stream; `close()` writes the rest.

    Events are encoded `batch` at a time (a few dozen: holding more makes Python hand whole
    memory arenas back to the system and fault them in again) and written once `chunk` bytes
    are encoded. A text stream with a binary `buffer` (stdout, a file opened in text mode)
    gets the bytes; any other text stream the decoded text.
    """

    def __init__(self, stream: Any, chunk: int = 1 << 18, batch: int = 48) -> None:
        self._stream = stream
        self._events: list[Event] = []
        self._encoded: list[bytes] = []
        self._size = 0
        self._chunk, self._batch = chunk, batch

    def __call__(self, event: Event) -> None:
        events = self._events
        events.append(event)
        if len(events) >= self._batch:
            self._encode()

    def _encode(self) -> None:
        data = to_jsonl(self._events)
        self._events.clear()
        self._encoded.append(data)
        self._size += len(data)
        if self._size >= self._chunk:
            self._write()

    def _write(self) -> None:
        data = b"".join(self._encoded)
        self._encoded.clear()
        self._size = 0
        stream = self._stream
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(data.decode())
        else:
            stream.flush()  # whatever the text layer holds goes first
            buffer.write(data)

    def close(self) -> None:
        """Write every event taken so far."""
        if self._events:
            self._encode()
        if self._encoded:
            self._write()

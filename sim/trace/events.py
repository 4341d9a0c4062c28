"""Trace events: their shape, their JSON form and the sinks that take them. Every kind Saga Lab
emits is documented in sim/trace/vocabulary.py (EVENT_KINDS).

An event is a dict with `seq` (0, 1, 2, ... within a run), `t` (simulated time),
`kind`, `saga` (booking id or None), `actor` and `step` (flight, hotel, car or None),
plus the fields its kind lists in EVENT_KINDS. Every event that changes inventory carries
`inventory`: the counts of every step that holds units, after the change (travel: three).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from orjson import dumps as _orjson

Event = dict[str, Any]
Sink = Callable[[Event], None]


_stdlib = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: kinds whose fields may hold floats besides `t` (parameters, the summary): stdlib-encoded
ANY_FLOATS = frozenset({"run.started", "run.finished"})
TINY = 0.0001  # orjson writes a float under this as 0.00001 or 1e-5, Python as 1e-05
_time, _kind = itemgetter("t"), itemgetter("kind")


def plain_time(t: float) -> bool:
    """Whether an event at time `t` holds no float that orjson writes otherwise than the
    stdlib (see `to_json`), unless its kind is in ANY_FLOATS."""
    return t >= TINY or t == 0


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
    if plain_time(event["t"]) and event["kind"] not in ANY_FLOATS:
        try:
            return _orjson(event).decode()
        except TypeError:
            pass
    return _stdlib(event)


def to_jsonl(events: list[Event]) -> bytes:
    """Events as lines of JSON, each exactly `to_json(event)` and a newline, in UTF-8.

    orjson writes a batch in one pass when `to_json` would have let it write every event
    (no `t` under 1e-4 but 0, no `run.*` kind, no integer beyond 64 bits); otherwise each
    event is written as `to_json` writes it.
    """
    if not events:
        return b""
    if min(map(_time, events)) >= TINY and ANY_FLOATS.isdisjoint(map(_kind, events)):
        try:
            return b"\n".join(map(_orjson, events)) + b"\n"
        except TypeError:
            pass
    return ("\n".join(map(to_json, events)) + "\n").encode()


class ListSink:
    """Keeps every event in memory (tests, small runs)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)


def null_sink(event: Event) -> None:
    """Discards events (benchmarks, batch experiments)."""


class JsonlSink:
    """Writes each event as a line of JSON (`to_json`) to a stream; `close()` writes the rest.

    Events wait in `batch` and are encoded `batch_size` at a time, one orjson call each and
    no check: only plain events wait there (`plain_time(t)`, kind not in ANY_FLOATS), which
    the tracer appends directly (calling `flush()` once `batch_size` wait); any other event
    comes through `sink(event)`, which sends the waiting ones first. A few dozen wait, since
    holding more makes Python hand whole memory arenas back to the system and fault them in
    again. The bytes are written once `chunk` are encoded. A text stream with a binary
    `buffer` (stdout, a file opened in text mode) gets the bytes; any other text stream the
    decoded text.
    """

    def __init__(self, stream: Any, chunk: int = 1 << 18, batch_size: int = 48) -> None:
        self._stream = stream
        self.batch: list[Event] = []
        self.batch_size = batch_size
        self._encoded: list[bytes] = []
        self._size = 0
        self._chunk = chunk

    def __call__(self, event: Event) -> None:
        if plain_time(event["t"]) and event["kind"] not in ANY_FLOATS:
            batch = self.batch
            batch.append(event)
            if len(batch) >= self.batch_size:
                self.flush()
        else:
            if self.batch:
                self.flush()
            self._add(to_json(event).encode() + b"\n")

    def flush(self) -> None:
        """Encode the waiting (plain) events; write once `chunk` bytes are ready."""
        batch = self.batch
        if not batch:
            return
        try:
            data = b"\n".join(map(_orjson, batch)) + b"\n"
        except TypeError:  # an integer beyond 64 bits
            data = to_jsonl(batch)
        batch.clear()
        self._add(data)

    def _add(self, data: bytes) -> None:
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
        if self.batch:
            self.flush()
        if self._encoded:
            self._write()

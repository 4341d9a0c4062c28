"""A stored run's events rendered for download: CSV (one row per event) and the transcript."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sim.trace.transcript import TranscriptRenderer
from sim.trace.vocabulary import DEFAULT_STEPS

BASE_COLUMNS = ("seq", "t", "kind", "saga", "actor", "step")
COMMON_FIELDS = ("attempt", "units", "reason", "event_type", "check", "detail")
_KNOWN = {*BASE_COLUMNS, *COMMON_FIELDS, "inventory"}


def csv_columns(holding: Iterable[str]) -> tuple[str, ...]:
    """The columns of a run whose saga holds units in these steps: one inventory column each."""
    return (*BASE_COLUMNS, *COMMON_FIELDS, *(f"inventory_{s}" for s in holding), "extra")


#: the columns of a run of the default saga (and of runs stored before sagas were data)
CSV_COLUMNS = csv_columns(DEFAULT_STEPS)


def holding_steps(first: dict[str, Any] | None) -> tuple[str, ...]:
    """The steps that hold units, from a run's first event (`run.started` names them in its
    starting inventory)."""
    if first is not None and first.get("kind") == "run.started":
        return tuple(first.get("inventory") or ())
    return DEFAULT_STEPS


def _cell(value: Any) -> Any:
    """A CSV cell: None is empty, bools are true/false, containers are JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def csv_row(event: dict[str, Any], holding: tuple[str, ...] = DEFAULT_STEPS) -> list[Any]:
    """One event as the cells of CSV_COLUMNS; fields without a column go to `extra` (JSON).
    A common field that is null or absent is an empty cell."""
    inventory = event.get("inventory") or {}
    extra = {key: value for key, value in event.items() if key not in _KNOWN}
    return [
        *(_cell(event.get(key)) for key in BASE_COLUMNS),
        *(_cell(event.get(key)) for key in COMMON_FIELDS),
        *(_cell(inventory.get(step)) for step in holding),
        json.dumps(extra, ensure_ascii=False, separators=(",", ":")) if extra else "",
    ]


def csv_chunks(event_chunks: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """The CSV text (header first), one string per chunk of events."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    holding: tuple[str, ...] | None = None
    for events in event_chunks:
        if holding is None:
            holding = holding_steps(events[0] if events else None)
            writer.writerow(csv_columns(holding))
        writer.writerows(csv_row(event, holding) for event in events)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if holding is None:
        writer.writerow(CSV_COLUMNS)
    if buffer.tell():
        yield buffer.getvalue()


def transcript_chunks(event_chunks: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """`sim.transcript.render(events)` line by line, each line ending in a newline."""
    renderer = TranscriptRenderer()
    for events in event_chunks:
        yield "".join(line + "\n" for event in events for line in renderer.lines(event))


def parsed_chunks(line_chunks: Iterable[list[tuple[int, str]]]) -> Iterator[list[dict[str, Any]]]:
    """Stored (seq, json line) chunks as lists of event dicts."""
    for rows in line_chunks:
        yield [json.loads(line) for _seq, line in rows]

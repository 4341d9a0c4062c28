"""A stored run's events rendered for download: CSV (one row per event) and the transcript."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sim.trace.transcript import TranscriptRenderer
from sim.trace.vocabulary import STEPS

BASE_COLUMNS = ("seq", "t", "kind", "saga", "actor", "step")
COMMON_FIELDS = ("attempt", "units", "reason", "event_type", "check", "detail")
INVENTORY_COLUMNS = ("inventory_flight", "inventory_hotel", "inventory_car")
CSV_COLUMNS = (*BASE_COLUMNS, *COMMON_FIELDS, *INVENTORY_COLUMNS, "extra")
_KNOWN = {*BASE_COLUMNS, *COMMON_FIELDS, "inventory"}


def _cell(value: Any) -> Any:
    """A CSV cell: None is empty, bools are true/false, containers are JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def csv_row(event: dict[str, Any]) -> list[Any]:
    """One event as the cells of CSV_COLUMNS; fields without a column go to `extra` (JSON).
    A common field that is null or absent is an empty cell."""
    inventory = event.get("inventory") or {}
    extra = {key: value for key, value in event.items() if key not in _KNOWN}
    return [
        *(_cell(event.get(key)) for key in BASE_COLUMNS),
        *(_cell(event.get(key)) for key in COMMON_FIELDS),
        *(_cell(inventory.get(service)) for service in STEPS),
        json.dumps(extra, ensure_ascii=False, separators=(",", ":")) if extra else "",
    ]


def csv_chunks(event_chunks: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """The CSV text (header first), one string per chunk of events."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for events in event_chunks:
        writer.writerows(csv_row(event) for event in events)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
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

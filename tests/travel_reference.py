"""The travel saga's outputs before sagas became data: cases and their fingerprints.

`python -m tests.travel_reference --write` records, for every case, the sha256 of the
transcript and of the JSON Lines without `run.started` (the one line allowed to change,
docs/sim-api.md) into tests/data/travel_reference.json; tests/test_travel_reference.py
replays the stored cases and compares.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import sys
from typing import Any

from sim.presets import PRESETS, resolve
from sim.runner import run_summary
from sim.trace.events import JsonlSink, ListSink
from sim.trace.transcript import TranscriptRenderer

PATH = os.path.join(os.path.dirname(__file__), "data", "travel_reference.json")


def cases() -> list[dict[str, Any]]:
    """Every preset on three seeds and a larger run, and random parameter sets."""
    out: list[dict[str, Any]] = []
    for name in PRESETS:
        for seed in (1, 7, 2024):
            out.append({"preset": name, "params": {"seed": seed}})
        out.append({"preset": name, "params": {"seed": 5, "bookings": 60, "until": None}})
    rng = random.Random(20261206)
    for _ in range(60):
        mode = rng.choice(["orchestration", "choreography"])
        params: dict[str, Any] = {
            "mode": mode,
            "seed": rng.randrange(10_000),
            "bookings": rng.randrange(1, 40),
            "interarrival": rng.choice([0.2, 1.0, 3.0]),
            "idempotent": rng.random() < 0.5,
            "compensation_failure_rate": rng.choice([0.0, 0.0, 0.3]),
            "compensation_retries": rng.randrange(0, 3),
            "services": {
                s: {"capacity": rng.randrange(0, 8), "failure_rate": rng.choice([0.0, 0.2, 0.5])}
                for s in ("flight", "hotel", "car")
            },
        }
        if mode == "orchestration":
            params.update(
                max_in_flight=rng.randrange(1, 4),
                retries=rng.randrange(0, 3),
                reply_loss_rate=rng.choice([0.0, 0.2]),
                compensation_order=rng.choice(["reverse", "forward"]),
                orchestrator={
                    "crash_random": rng.random() < 0.3,
                    "durable_log": rng.random() < 0.5,
                    "restart_after": rng.choice([None, 2.0, 5.0]),
                },
            )
            if rng.random() < 0.3:
                params["faults"] = [
                    {"t": 4.0, "action": "crash", "actor": "orchestrator"},
                    {"t": 9.0, "action": "restart", "actor": "orchestrator"},
                ]
        else:
            params["choreography"] = {
                "compensate_on_hotel_failure": rng.random() < 0.8,
                "crash_service": rng.choice([None, "flight", "hotel", "car"]),
                "outbox": rng.random() < 0.3,
                "ack_after_commit": rng.random() < 0.3,
                "saga_timeout": rng.choice([None, 10.0]),
                "restart_after": rng.choice([None, 3.0]),
            }
            if rng.random() < 0.3:
                params["faults"] = [
                    {"t": 3.0, "action": "crash", "actor": "hotel"},
                    {"t": 8.0, "action": "restart", "actor": "hotel"},
                ]
        out.append({"params": params})
    return out


def outputs(request: dict[str, Any]) -> tuple[str, str]:
    """The transcript and the JSON Lines without run.started, for one case."""
    params = resolve(request)
    lines: list[str] = []
    renderer, sink = TranscriptRenderer(), ListSink()
    run_summary(params, sink)
    for event in sink.events:
        lines.extend(renderer.lines(event))
    buf = io.StringIO()
    jsonl = JsonlSink(buf)
    run_summary(params, jsonl)
    jsonl.close()
    kept = [line for line in buf.getvalue().splitlines() if '"kind":"run.started"' not in line]
    return "\n".join(lines) + "\n", "\n".join(kept) + "\n"


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main() -> None:
    if "--write" not in sys.argv:
        raise SystemExit("usage: python -m tests.travel_reference --write")
    table = []
    for case in cases():
        transcript, jsonl = outputs(case)
        table.append(
            {"case": case, "transcript": fingerprint(transcript), "jsonl": fingerprint(jsonl)}
        )
    with open(PATH, "w", encoding="utf-8") as fh:
        json.dump(table, fh, indent=0)
    print(f"{len(table)} cases written to {PATH}")


if __name__ == "__main__":
    main()

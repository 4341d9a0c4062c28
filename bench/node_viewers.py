"""Viewers for the benchmarks: bench/viewers.mjs (socket.io-client JS in one Node process)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "viewers.mjs")


@dataclass
class Watched:
    """What every viewer received: counts, gaps, repeats, and (delay s, events) per batch."""

    counts: list[int]
    gaps: int
    repeats: int
    ended: int
    dropped: int
    delays: list[tuple[float, int]]
    cpu: float

    def delay(self, q: float) -> float:
        """The q-th quantile (0..1) of the delay, weighted by the events in each batch."""
        ordered = sorted(self.delays)
        total = sum(n for _d, n in ordered)
        seen = 0
        for d, n in ordered:
            seen += n
            if seen >= q * total:
                return d
        return float("nan")


def watch(
    urls: list[str], run_id: str, viewers: int, go: Callable[[], None], limit: float
) -> Watched:
    """Join `viewers` clients (spread over urls) to a run, call go(), wait for its end."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = {
            "urls": urls,
            "run_id": run_id,
            "viewers": viewers,
            "limit_s": limit,
            "out": os.path.join(tmp, "out.json"),
        }
        proc = subprocess.Popen(
            ["node", HARNESS, json.dumps(spec)], stdout=subprocess.PIPE, text=True, bufsize=1
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"viewers did not connect: {line!r}")
            go()
        finally:
            proc.wait(timeout=limit + 60)
        with open(spec["out"]) as f:
            out: dict[str, Any] = json.load(f)
    each = out["viewers"]
    return Watched(
        counts=[v["count"] for v in each],
        gaps=sum(v["gaps"] for v in each),
        repeats=sum(v["repeats"] for v in each),
        ended=sum(v["ended"] for v in each),
        dropped=sum(v["dropped"] for v in each),
        delays=[(d / 1000, n) for v in each for d, n in v["delays"]],
        cpu=out["cpu_s"],
    )

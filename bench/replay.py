"""`python -m bench.replay`: seek latency of a replay and export times on a big stored run.

Starts the server on a free loopback port with a temporary store, runs a 10,000-booking
instant run, times each export over HTTP, then opens the run in Debian's chromium and times
seeks with performance.now(): the synchronous work of a seek (state from the nearest
checkpoint, every view updated) and the time until the next frame has been painted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import urllib.request
from typing import Any

from app import create_app
from app.server import serving
from tests.browser import chromium

SEEK_JS = """async (times) => {
  // A seek as a drag makes it: the scrubber's value and an input event. The board, timeline,
  // invariants and log draw at once; the charts mark data-drawn when they have drawn too.
  const slider = document.getElementById('replay-scrubber');
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const out = [];
  for (const t of times) {
    await frame();
    const start = performance.now();
    slider.value = String(t);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    const sync = performance.now() - start;
    await new Promise(r => requestAnimationFrame(r));
    out.push({ t, sync, painted: performance.now() - start });
  }
  return out;
}"""

BUILD_JS = """async () => {
  const { Checkpoints } = await import('/static/js/checkpoints.js');
  const { stateAt } = await import('/static/js/state.js');
  const text = await (await fetch(location.pathname.replace('/runs/', '/api/runs/') +
    '/events')).text();
  const events = text.trim().split('\\n').map(JSON.parse);
  let start = performance.now();
  const cp = Checkpoints.of(events);
  const build = performance.now() - start;
  start = performance.now();
  stateAt(events, events[events.length - 1].t * 0.9);
  const naive = performance.now() - start;
  return { events: events.length, checkpoints: cp.snaps.length, build, naive };
}"""


def post_run(base: str, body: dict[str, Any]) -> str:
    req = urllib.request.Request(
        base + "/api/runs",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())["id"]


def wait_ended(base: str, run_id: str) -> dict[str, Any]:
    while True:
        with urllib.request.urlopen(f"{base}/api/runs/{run_id}") as resp:
            run = json.loads(resp.read())
        if not run["live"]:
            return run
        time.sleep(0.2)


def timed_get(url: str) -> tuple[float, int]:
    start = time.perf_counter()
    with urllib.request.urlopen(url) as resp:
        size = len(resp.read())
    return time.perf_counter() - start, size


def load() -> str:
    """The 1-minute load average, printed with each figure (2 shared cores: it matters)."""
    return f"load {os.getloadavg()[0]:.2f}"


def stats(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return (
        f"median {statistics.median(values):6.1f} ms  p95 {p95:6.1f} ms  max {values[-1]:6.1f} ms"
    )


def run(bookings: int, seeks: int, seed: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        serving(create_app({"SECRET_KEY": "bench", "DATABASE": f"{tmp}/bench.sqlite3"})) as base,
    ):
        start = time.perf_counter()
        run_id = post_run(
            base,
            {
                "speed": "instant",
                "params": {
                    "until": None,
                    "bookings": bookings,
                    "services": {s: {"capacity": bookings} for s in ("flight", "hotel", "car")},
                },
            },
        )
        run_info = wait_ended(base, run_id)
        print(f"load average {' '.join(map(str, os.getloadavg()))}")
        print(
            f"run {run_info['id']}: {bookings:,} bookings, {run_info['event_count']:,} events,"
            f" simulated to t={run_info['t']:.1f} in {time.perf_counter() - start:.1f} s"
        )
        for name in ("events", "events.csv", "transcript.txt", "summary.json"):
            seconds, size = timed_get(f"{base}/api/runs/{run_info['id']}/{name}")
            results[f"export {name}"] = seconds
            print(f"export {name:15s} {seconds * 1000:8.0f} ms  {size / 1e6:7.1f} MB  {load()}")
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            start = time.perf_counter()
            page.goto(f"{base}/runs/{run_info['id']}")
            page.wait_for_function("document.body.classList.contains('replaying')", timeout=300_000)
            print(
                f"page open until replay ready: {time.perf_counter() - start:.1f} s "
                f"(join, receive every event, build checkpoints); {load()}"
            )
            build = page.evaluate(BUILD_JS)
            print(
                f"checkpoints: {build['checkpoints']} for {build['events']:,} events, built "
                f"in {build['build']:.0f} ms; a seek without them (state.js stateAt over "
                f"90% of the events) {build['naive']:.0f} ms; {load()}"
            )
            end = float(run_info["t"])
            rng = random.Random(seed)
            jumps = [rng.uniform(0, end) for _ in range(seeks)]
            forward = [end * 0.5 + i * end / 2000 for i in range(seeks)]
            for label, times in (("random jumps", jumps), ("small steps forward", forward)):
                timings = page.evaluate(SEEK_JS, times)
                sync = [x["sync"] for x in timings]
                painted = [x["painted"] for x in timings]
                results[label] = {"sync": sync, "painted": painted}
                print(
                    f"seek, {label} ({len(times)}):\n  on the main thread  {stats(sync)}"
                    f"\n  until painted       {stats(painted)}  (limit: p95 under 16 ms); {load()}"
                )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__)
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--seeks", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    run(args.bookings, args.seeks, args.seed)


if __name__ == "__main__":
    main()

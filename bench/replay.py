"""`python -m bench.replay`: seek latency of a replay and export times on a big stored run.

Starts the server on a free loopback port with a temporary store, runs a 10,000-booking
instant run, times each export over HTTP, then opens the run in Debian's chromium and times
seeks: the synchronous work of a seek made by script (state from the nearest checkpoint,
every view updated; performance.now()), and, for seeks made with real input (clicks on the
scrubber, arrow keys), the time from the input to the next paint as the browser's Event
Timing API reports it (what Chrome's INP measures; it lists only events of 16 ms or more).
A key or button is held --hold ms (80 by default, about a person's press) before it is let
go, and the figure is that of the press's events (keydown, pointerdown and the input event
the scrubber fires then), which seek: a release sent the same millisecond as the press
(--hold 0) lands behind whatever the page does after painting the press, which no hand does.
An event after which nothing is painted is reported only at the page's next paint, however
late: so the figures are only those of inputs that change the page in its flow.
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
from collections.abc import Callable
from typing import Any

from app import create_app
from app.server import serving
from harness.browser import Page, chromium
from harness.page import DRAWN, show_charts

SEEK_JS = """async (times) => {
  // The main-thread work of a seek: the scrubber's value and an input event, as a drag makes
  // them; the board, timeline, invariants and log draw in the event's task and the microtask
  // after it (the lists' rows and the page's one layout); the charts, out of view, not at all.
  const slider = document.getElementById('replay-scrubber');
  const out = [];
  for (const t of times) {
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
    const start = performance.now();
    slider.value = String(t);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    await null; // after the microtasks the event queued (vlist.js's flush)
    document.body.offsetHeight; // and any layout still owed
    out.push(performance.now() - start);
  }
  return out;
}"""

#: Event Timing: every input event whose next paint came 16 ms or more after it (the API's
#: floor; durations are rounded to 8 ms, so an event not listed was painted within 12 ms)
EVENT_TIMING = """window.__events = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__events.push([e.startTime, e.duration, e.name]);
}).observe({ type: 'event', durationThreshold: 16, buffered: true });
// the floor: the smallest visible change an input can make in the page's flow, one character
// beside the replay's clock (F2, a key the page does not use). (A character in a fixed corner
// is no floor here: chromium reported those presses only at the next paint of the page, the
// first F2 press of the next batch, at up to 10,800 ms, and none at all in their own batch.)
addEventListener('keydown', (e) => {
  if (e.key !== 'F2') return;
  let mark = document.getElementById('bench-floor');
  if (!mark) {
    mark = document.createElement('span');
    mark.id = 'bench-floor';
    document.getElementById('replay-time').after(mark);
  }
  mark.textContent = mark.textContent === '+' ? '-' : '+';
});"""

#: every view has drawn the page's latest render (the charts, out of view, draw nothing), two
#: frames have passed, and then the page has stood idle `idle` ms: a person's press finds the
#: page idle, at any moment of the display's frame, not just after a frame the harness asked for
SETTLED = f"""(idle) => new Promise((resolve) => {{
  const done = () => ({DRAWN})('body');
  const check = () => done()
    ? requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, idle)))
    : requestAnimationFrame(check);
  check();
}})"""

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


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def stats(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.1f} ms  p95 {p95(values):6.1f} ms  "
        f"max {max(values):6.1f} ms"
    )


#: the events a press dispatches (the release's come --hold ms later)
PRESS = {"keydown", "keypress", "pointerdown", "mousedown", "beforeinput", "input"}


#: a frame of the display, ms
FRAME = 1000 / 60


def painted(page: Page, seeks: Callable[[], None], idle: float) -> float:
    """Input to next paint of one seek made with real input (`seeks` clicks or presses keys)
    after the page has stood idle `idle` ms: the longest Event Timing entry of the press's
    events, 0.0 if none reached 16 ms."""
    page.evaluate(SETTLED, 0)
    page.evaluate("window.__events = []")
    page.evaluate(SETTLED, idle)
    seeks()
    page.evaluate(SETTLED, 0)
    return max(
        (d for _start, d, name in page.evaluate("window.__events") if name in PRESS),
        default=0.0,
    )


def paint_stats(values: list[float]) -> str:
    """Input-to-paint figures where 0.0 means "under 16 ms" (the API reports nothing less)."""
    fast = sum(v == 0.0 for v in values)
    worst = p95(values)
    slow = sorted(v for v in values if v)
    return (
        f"{fast}/{len(values)} painted within 16 ms; p95 "
        + (f"{worst:.0f} ms" if worst else "under 16 ms")
        + (f"; the others {', '.join(f'{v:.0f}' for v in slow)} ms" if slow else "")
    )


def seek_timings(
    page: Page, end: float, seeks: int, rng: random.Random, hold: float
) -> dict[str, Any]:
    """Seeks by script (main-thread work) and by real input (Event Timing: input to paint):
    clicks at random points of the scrubber, arrow-key steps forward from its middle, and as
    the floor, key presses whose handler changes one character beside the clock (the
    browser's own input to paint for the smallest visible change in the page's flow). Each
    input comes after the page has stood idle 100 ms plus a random part of a frame, so that
    inputs fall at every moment of the display's frame, as a person's do. (Sent right after
    the frames the harness waited for, as before, the floor was reported at 16 ms for 39-40
    presses of 40.)"""

    def idle() -> float:
        return 100 + rng.uniform(0, FRAME)

    slider = page.locator("#replay-scrubber")
    box = slider.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    clicks = [box["x"] + rng.uniform(0.02, 0.98) * box["width"] for _ in range(seeks)]
    jumps = [painted(page, lambda x=x: page.mouse.click(x, y, delay=hold), idle()) for x in clicks]
    page.mouse.click(box["x"] + box["width"] / 2, y)
    slider.focus()

    def presses(key: str) -> list[float]:
        return [
            painted(page, lambda: page.keyboard.press(key, delay=hold), idle())
            for _ in range(seeks)
        ]

    steps = presses("ArrowRight")
    page.evaluate("document.activeElement.blur()")
    floor = presses("F2")
    sync = page.evaluate(SEEK_JS, [rng.uniform(0, end) for _ in range(seeks)])
    return {
        "random jumps (clicks)": jumps,
        "small steps (arrow keys)": steps,
        "the floor: a key that changes one character beside the clock": floor,
        "sync": sync,
    }


def run(bookings: int, seeks: int, seed: int, hold: float = 80) -> dict[str, Any]:
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
            page.add_init_script(EVENT_TIMING)
            start = time.perf_counter()
            page.goto(f"{base}/runs/{run_info['id']}")
            page.wait_for_function("document.body.classList.contains('replaying')", timeout=300_000)
            # a reader who has seen the charts once goes back to the scrubber: the charts, out
            # of view, stop drawing (data-deferred), as on the projector's first screen
            show_charts(page)
            page.evaluate("window.scrollTo(0, 0)")
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
            timings = seek_timings(page, float(run_info["t"]), seeks, random.Random(seed), hold)
            results.update(timings)
            sync = stats(timings.pop("sync"))
            print(f"seek by script, main-thread work until laid out: {sync}; {load()}")
            for label, values in timings.items():
                print(f"seek, {label}, input to next paint: {paint_stats(values)}")
            print(f"  (limit: p95 under 16 ms); {load()}")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__)
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--seeks", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hold", type=float, default=80, help="ms a key or button is held")
    args = parser.parse_args(argv)
    run(args.bookings, args.seeks, args.seed, args.hold)


if __name__ == "__main__":
    main()

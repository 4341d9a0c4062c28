"""Benchmark (run by hand, not a test): the dashboard catching up on instant runs.

    .venv/bin/python -m bench.dashboard [--bookings 1000 10000] [--speed instant] [--repeat 1]

For each run size, reports (best of --repeat runs, the load average printed with each):
- the starter's page: wall time from the press of Start until the page has drawn the run's last
  event (board, timeline, invariants, log; then the charts too), and how much of it came after
  the server's last batch arrived (the page's own share);
- a late viewer who opens the share link once the run has ended (one HTTP load of every event):
  from navigation, and from the end of page load;
and for each, the longest main-thread task (PerformanceObserver "longtask"). The charts are
canvases (static/js/step_chart.js): the dashboard fetches no Plotly, which the benchmark
checks (it says so if plotly.min.js was fetched). With --trace, the
starter's tasks are also read from a Chrome trace: CPU time per task (which a loaded machine
barely changes, unlike wall time) and the code that ran in the longest.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

from bench.main_thread import summary, traced
from harness.browser import chromium
from harness.page import live_server, screenshot, show_charts, start_run

PROBE = """
window.__bench = { entries: [], finishedAt: null, viewsAt: null, plotly: false, startAt: null,
  lastBatchAt: null };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.name.endsWith("/vendor/plotly.min.js")) window.__bench.plotly = true;
  }
}).observe({ type: "resource", buffered: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.entries.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
// Start is pressed: the starter's clock begins (the form filled before it is not the run).
document.addEventListener("click", (e) => {
  const start = e.target.closest && e.target.closest("#btn-start");
  if (start) window.__bench.startAt = performance.now();
}, true);
// When the server's batches of events arrive (Socket.IO text frames).
const Socket = window.WebSocket;
window.WebSocket = class extends Socket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (m) => {
      if (typeof m.data === "string" && m.data.startsWith('42["run_events"')) {
        window.__bench.lastBatchAt = performance.now();
      }
    });
  }
};
// The last event is drawn when the run has finished and every view (charts included) has
// marked the store's last render as drawn (data-drawn === the body's data-frame). Charts out
// of view wait (data-deferred): they draw only when scrolled to (--charts).
const drawnAll = (selector) => {
  const body = document.body;
  if (!body || body.dataset.finished !== "true") return false;
  const views = body.querySelectorAll(selector);
  return views.length > 0 && [...views].every((v) => v.dataset.drawn === body.dataset.frame
    || v.dataset.deferred === "true");
};
new MutationObserver(() => {
  const b = window.__bench;
  if (!b.viewsAt && drawnAll("[data-view]:not([data-view=charts])")) b.viewsAt = performance.now();
  if (!b.finishedAt && drawnAll("[data-view]")) b.finishedAt = performance.now();
}).observe(document, { attributes: true, subtree: true,
  attributeFilter: ["data-finished", "data-drawn", "data-frame"] });
"""


def measure(page: Page, started_at: float | None = None) -> dict[str, Any]:
    """Time to the last event drawn (board, timeline, invariants, log; then charts too), and
    the long tasks that began at or after the start (the Start press if started_at is None)."""
    page.wait_for_function("window.__bench.finishedAt !== null", timeout=600_000)
    page.wait_for_timeout(500)  # let a last chart redraw land in the long-task list
    bench = page.evaluate("window.__bench")
    start = bench["startAt"] if started_at is None else started_at
    tasks = [d for t, d in bench["entries"] if t >= start]
    last_batch = bench["lastBatchAt"]
    return {
        "views_s": (bench["viewsAt"] - start) / 1000,
        "caught_up_s": (bench["finishedAt"] - start) / 1000,
        "after_last_batch_s": (bench["finishedAt"] - last_batch) / 1000 if last_batch else None,
        "longest_task_ms": max(tasks, default=0.0),
        "long_tasks": len(tasks),
        "plotly_fetched": bench["plotly"],
        "events": int(page.evaluate("document.body.dataset.seq")) + 1,
        "charts_deferred": page.evaluate(
            "!!document.querySelector('[data-view=charts]').dataset.deferred"
        ),
        "load": os.getloadavg()[0],
    }


def probed_page(browser: Browser, url: str, width: int, height: int) -> Page:
    """A page in a fresh context (light theme) with the probe installed before any script."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script("localStorage.setItem('saga-lab:theme', 'light')")
    context.add_init_script(PROBE)
    page = context.new_page()
    page.on("pageerror", lambda exc: print(f"  page error: {exc}"))
    page.goto(url)
    return page


def one_run(
    browser: Browser,
    url: str,
    bookings: int,
    speed: str,
    interarrival: str,
    charts: bool,
    trace: bool,
) -> dict:
    """Start a run on the dashboard, then open its share link as a late viewer (with `charts`,
    each scrolled to the charts first, so that they draw too; with `trace`,
    the starter's long tasks are read from a Chrome trace too)."""
    page = probed_page(browser, url + "/", 1920, 1080)
    page.wait_for_function("document.querySelectorAll('#f-preset option').length > 1")
    if charts:
        show_charts(page)
    page.wait_for_timeout(1000)  # page load is not the run
    fields = {"bookings": str(bookings), "until": "", "interarrival": interarrival}
    with traced(browser, page) if trace else nullcontext([]) as tasks:
        start_run(page, preset="", plan="", speed=speed, fields=fields)
        owner = measure(page)
    if trace:
        print(f"  starter, traced: {summary(tasks)}")
    screenshot(page, f"bench-{bookings}-owner-1920x1080-light", full_page=False)
    share = page.input_value("#share-link")
    page.context.close()
    viewer = probed_page(browser, share, 1280, 720)
    if charts:
        show_charts(viewer)
    from_navigation = measure(viewer, 0.0)
    loaded = viewer.evaluate("performance.getEntriesByType('navigation')[0].domComplete")
    after_load = measure(viewer, loaded)
    screenshot(viewer, f"bench-{bookings}-viewer-1280x720-light", full_page=False)
    viewer.context.close()
    return {"starter": owner, "viewer": from_navigation, "viewer_after_load": after_load}


def show(who: str, r: dict[str, Any]) -> None:
    plotly = "; plotly.min.js was fetched (the dashboard should not need it)" * r["plotly_fetched"]
    after = (
        f" ({r['after_last_batch_s']:.2f} s after the last batch arrived)"
        if r["after_last_batch_s"] is not None and who.startswith("starter")
        else ""
    )
    charts = (
        "charts out of view (not drawn)"
        if r["charts_deferred"]
        else f"charts too {r['caught_up_s']:.2f} s{after}"
    )
    print(
        f"  {who}: board, timeline, invariants, log {r['views_s']:.2f} s, {charts}, "
        f"{r['events']:,} events, longest main-thread "
        f"task {r['longest_task_ms']:.0f} ms ({r['long_tasks']} tasks > 50 ms){plotly}; "
        f"load {r['load']:.2f}"
    )


WHO = {
    "starter": "starter (Start -> last event drawn)",
    "viewer": "late viewer (navigation -> caught up)",
    "viewer_after_load": "late viewer (after page load)",
}


def main() -> None:
    """Run the benchmark and print its figures with the load average."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--speed", default="instant", help='"instant" or e.g. "100×"')
    parser.add_argument("--interarrival", default="3")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the best is shown")
    parser.add_argument(
        "--charts", action="store_true", help="scroll to the charts (they draw then)"
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="trace the starter's page: its long tasks by CPU time and what ran in them",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, live_server(Path(tmp)) as url, chromium() as browser:
        print(f"chromium {browser.version}, load average {' '.join(map(str, os.getloadavg()))}")
        for bookings in args.bookings:
            runs = [
                one_run(
                    browser, url, bookings, args.speed, args.interarrival, args.charts, args.trace
                )
                for _ in range(args.repeat)
            ]
            print(f"{bookings:,} bookings every {args.interarrival} s, speed {args.speed}:")
            for key, who in WHO.items():
                for r in sorted((run[key] for run in runs), key=lambda r: r["caught_up_s"])[:1]:
                    show(who, r)
            limit = "1 s, no task over 50 ms" if bookings <= 1000 else "5 s, none over 100 ms"
            print(f"  (limits for {bookings:,} bookings: caught up in {limit})")
        print(f"load average after: {' '.join(map(str, os.getloadavg()))}")


if __name__ == "__main__":
    main()

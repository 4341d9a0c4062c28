"""Benchmark (run by hand, not a test): drive the dashboard through 1,000 sagas at instant speed.

    .venv/bin/python -m bench.dashboard [--bookings 1000] [--speed instant]

Reports, for the starter's page and for a viewer who opens the share link after the run ended
(a full catch-up replay): the wall time from Start (or page load) until the page has drawn
the run's last event, and the longest main-thread task (PerformanceObserver "longtask").
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from tests.browser_support import chromium, live_server, open_page, screenshot, start_run

PROBE = """
window.__bench = { entries: [], finishedAt: null, viewsAt: null, plotlyAt: null };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.name.endsWith("/vendor/plotly.min.js")) window.__bench.plotlyAt = e.responseEnd;
  }
}).observe({ type: "resource", buffered: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.entries.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
// The last event is drawn when the run has finished and every view (charts included) has
// marked the store's last render as drawn (data-drawn === the body's data-frame).
const drawnAll = (selector) => {
  const body = document.body;
  if (!body || body.dataset.finished !== "true") return false;
  const views = body.querySelectorAll(selector);
  return views.length > 0 && [...views].every((v) => v.dataset.drawn === body.dataset.frame);
};
new MutationObserver(() => {
  const b = window.__bench;
  if (!b.viewsAt && drawnAll("[data-view]:not([data-view=charts])")) b.viewsAt = performance.now();
  if (!b.finishedAt && drawnAll("[data-view]")) b.finishedAt = performance.now();
}).observe(document, { attributes: true, subtree: true,
  attributeFilter: ["data-finished", "data-drawn", "data-frame"] });
"""


def measure(page, started_at: float) -> dict[str, float]:
    """Time to the last event drawn (board, timeline, invariants, log; then charts too), and
    the long tasks that began at or after started_at, Plotly's parse (the long task that
    starts as plotly.min.js arrives) counted apart."""
    page.wait_for_function("window.__bench.finishedAt !== null", timeout=300_000)
    page.wait_for_timeout(500)  # let the last chart redraw land in the long-task list
    bench = page.evaluate("window.__bench")
    plotly_at = bench["plotlyAt"]
    parse = [
        d
        for start, d in bench["entries"]
        if plotly_at is not None and plotly_at - 5 <= start <= plotly_at + 200
    ]
    tasks = [
        d for start, d in bench["entries"] if start >= started_at and not (parse and d == parse[0])
    ]
    return {
        "views_s": (bench["viewsAt"] - started_at) / 1000,
        "caught_up_s": (bench["finishedAt"] - started_at) / 1000,
        "longest_task_ms": max(tasks, default=0.0),
        "long_tasks": len(tasks),
        "plotly_parse_ms": parse[0] if parse else 0.0,
        "plotly_in_window": bool(parse) and plotly_at >= started_at,
        "events": int(page.evaluate("document.body.dataset.seq")) + 1,
    }


def main() -> None:
    """Run the benchmark and print its figures with the load average."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=1000)
    parser.add_argument("--speed", default="instant", help='"instant" or e.g. "100×"')
    parser.add_argument("--interarrival", default="3")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, live_server(Path(tmp)) as url, chromium() as browser:
        page, errors = open_page(browser, url + "/", 1920, 1080, "light")
        page.evaluate(PROBE)
        page.wait_for_timeout(1000)  # page load (Plotly's 4.6 MB parse) is not the run
        started = page.evaluate("performance.now()")
        t0 = time.perf_counter()
        start_run(
            page,
            preset="",
            plan="",
            speed=args.speed,
            fields={"bookings": str(args.bookings), "until": "", "interarrival": args.interarrival},
        )
        owner = measure(page, started)
        owner["wall_s"] = time.perf_counter() - t0
        screenshot(page, f"bench-{args.bookings}-owner-1920x1080-light")
        share = page.input_value("#share-link")

        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.add_init_script(PROBE)
        viewer = context.new_page()
        viewer.goto(share)
        viewer_result = measure(viewer, 0.0)  # from navigation start, page load included
        loaded = viewer.evaluate("performance.getEntriesByType('navigation')[0].domComplete")
        after_load = measure(viewer, loaded)
        screenshot(viewer, f"bench-{args.bookings}-viewer-1280x720-light")
        print(
            f"{args.bookings} bookings every {args.interarrival} s, speed {args.speed}, "
            f"chromium {browser.version}, load average {' '.join(map(str, os.getloadavg()))}"
        )
        for who, r in (
            ("starter (Start -> last event drawn)", owner),
            ("late viewer (navigation -> caught up)", viewer_result),
            ("late viewer (after page load)", after_load),
        ):
            parse = (
                f"; Plotly's parse {r['plotly_parse_ms']:.0f} ms"
                + (" in this window" if r["plotly_in_window"] else " before it")
                if r["plotly_parse_ms"]
                else ""
            )
            print(
                f"  {who}: board, timeline, invariants, log {r['views_s']:.2f} s, charts too "
                f"{r['caught_up_s']:.2f} s, {r['events']} events, longest other main-thread "
                f"task {r['longest_task_ms']:.0f} ms ({r['long_tasks']} tasks > 50 ms){parse}"
            )
        limit = "1 s, no task over 50 ms" if args.bookings <= 1000 else "5 s, none over 100 ms"
        print(f"  (limits for {args.bookings} bookings: caught up in {limit})")
        print(f"  load average after: {' '.join(map(str, os.getloadavg()))}")
        if errors:
            print("console errors:", *errors, sep="\n  ")


if __name__ == "__main__":
    main()

"""Benchmark (run by hand, not a test): drive the dashboard through 1,000 sagas at instant speed.

    .venv/bin/python -m bench.dashboard [--bookings 1000] [--speed instant]

Reports, for the starter's page and for a viewer who opens the share link after the run ended
(a full catch-up replay): the wall time from Start (or page load) until the page has drawn
the run's last event, and the longest main-thread task (PerformanceObserver "longtask").
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.browser_support import chromium, live_server, open_page, screenshot, start_run

PROBE = """
window.__bench = { entries: [], finishedAt: null };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.entries.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
// The last event is drawn when the run has finished and every view (charts included) has
// marked the store's last render as drawn (data-drawn === the body's data-frame).
const drawnAll = () => {
  const body = document.body;
  if (!body || body.dataset.finished !== "true") return false;
  const views = body.querySelectorAll("[data-view]");
  return views.length > 0 && [...views].every((v) => v.dataset.drawn === body.dataset.frame);
};
new MutationObserver(() => {
  if (!window.__bench.finishedAt && drawnAll()) window.__bench.finishedAt = performance.now();
}).observe(document, { attributes: true, subtree: true,
  attributeFilter: ["data-finished", "data-drawn", "data-frame"] });
"""


def measure(page, started_at: float) -> dict[str, float]:
    """Time to the last event drawn, and long tasks that began at or after started_at."""
    page.wait_for_function("window.__bench.finishedAt !== null", timeout=300_000)
    page.wait_for_timeout(500)  # let the last chart redraw land in the long-task list
    bench = page.evaluate("window.__bench")
    tasks = [d for start, d in bench["entries"] if start >= started_at]
    return {
        "caught_up_s": (bench["finishedAt"] - started_at) / 1000,
        "longest_task_ms": max(tasks, default=0.0),
        "long_tasks": len(tasks),
        "events": int(page.evaluate("document.body.dataset.seq")) + 1,
    }


def main() -> None:
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
            f"chromium {browser.version}"
        )
        for who, r in (
            ("starter (Start -> last event drawn)", owner),
            ("late viewer (navigation -> caught up)", viewer_result),
            ("late viewer (after page load)", after_load),
        ):
            print(
                f"  {who}: {r['caught_up_s']:.2f} s, {r['events']} events, longest main-"
                f"thread task {r['longest_task_ms']:.0f} ms ({r['long_tasks']} tasks > 50 ms)"
            )
        if errors:
            print("console errors:", *errors, sep="\n  ")


if __name__ == "__main__":
    main()

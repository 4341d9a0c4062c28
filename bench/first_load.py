"""`python -m bench.first_load [--url URL]`: what a viewer's browser transfers to open each page.

Debian's chromium (Playwright) opens every page in a fresh context (empty cache), waits until
the network is idle (no HTTP request in flight for --quiet ms; the Socket.IO websocket does
not count) and then reloads it the same way. Chrome DevTools' Network events give the bytes on
the wire (headers included, after compression); the page's Paint Timing gives the first
contentful paint, and a MutationObserver the moment each view (a [data-view] element) first
marks itself drawn (`data-drawn`; charts out of view wait, marked `data-deferred`, and are
not counted: nothing is scrolled, so their Plotly is no part of a first load). Measured on the
loopback as is, throttled to a laptop's share of a busy classroom Wi-Fi, and that again with
gzip only (what chromium asks for over plain http off localhost). Without --url it starts the
app under gunicorn (gevent worker, the production command) on a free port with its own SQLite
file; the pages opened on a run use a finished run and a live (paused) one, opened without
their control token as a share link is.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from typing import Any

import requests
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from harness.browser import chromium
from harness.processes import SERVERS, app_process

#: 10 Mbit/s down, 5 up, 40 ms round trip: one laptop among many on one access point
WIFI = {"latency": 40, "downloadThroughput": 10e6 / 8, "uploadThroughput": 5e6 / 8}
NETWORKS = {
    "loopback": {},
    "wifi": {"conditions": WIFI},
    "wifi-gzip": {"conditions": WIFI, "accept": "gzip, deflate"},
}
BUDGET = 400_000  # bytes: issue 13's first load of any page
#: records when each view first marks itself drawn (runs before the page's own scripts)
DRAWN_PROBE = """
window.__drawnAt = new Map();
new MutationObserver((records) => {
  for (const r of records) {
    const view = r.target.dataset && r.target.dataset.view;
    if (view && r.target.dataset.drawn && !window.__drawnAt.has(r.target))
      window.__drawnAt.set(r.target, performance.now());
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-drawn"] });
"""


class Wire:
    """One page's HTTP traffic through Chrome DevTools: bytes, requests, what is in flight."""

    def __init__(self, page: Page, network: dict[str, Any]) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        if network.get("conditions"):
            conditions = {"offline": False, **network["conditions"]}
            self.cdp.send("Network.emulateNetworkConditions", conditions)
        if network.get("accept"):
            headers = {"Accept-Encoding": network["accept"]}
            self.cdp.send("Network.setExtraHTTPHeaders", {"headers": headers})
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, int] = {}
        self.encoding: dict[str, str] = {}
        self.status: dict[str, int] = {}
        self.cached: set[str] = set()
        self.open: set[str] = set()
        self.last_change = time.monotonic()
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", lambda e: self._close(e["requestId"]))

    def _sent(self, e: dict[str, Any]) -> None:
        if e.get("type") == "WebSocket" or e["request"]["url"].startswith(("data:", "blob:")):
            return
        self.urls[e["requestId"]] = e["request"]["url"]
        self.open.add(e["requestId"])
        self.last_change = time.monotonic()

    def _response(self, e: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in e["response"]["headers"].items()}
        self.encoding[e["requestId"]] = headers.get("content-encoding", "identity")
        self.status[e["requestId"]] = e["response"]["status"]

    def _finished(self, e: dict[str, Any]) -> None:
        if e["requestId"] in self.urls:
            self.bytes[e["requestId"]] = int(e["encodedDataLength"])
        self._close(e["requestId"])

    def _close(self, request_id: str) -> None:
        self.open.discard(request_id)
        self.last_change = time.monotonic()

    def reset(self) -> None:
        for table in (self.urls, self.bytes, self.encoding, self.status):
            table.clear()
        self.cached.clear()
        self.open.clear()

    def wait_idle(self, page: Page, quiet: float, timeout: float = 30.0) -> None:
        """Until no request has been in flight for `quiet` seconds (events pumped meanwhile)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            page.wait_for_timeout(50)
            if not self.open and time.monotonic() - self.last_change >= quiet:
                return
        raise TimeoutError(f"network still busy after {timeout:g} s: {self.open}")

    def summary(self) -> dict[str, Any]:
        fetched = [r for r in self.bytes if r not in self.cached and self.bytes[r] > 0]
        counts = Counter(self.urls[r] for r in self.bytes)
        unpacked = [  # sizeable answers sent as they are
            self.urls[r]
            for r in fetched
            if self.encoding.get(r) == "identity" and self.bytes[r] > 1500
        ]
        return {
            "bytes": sum(self.bytes.values()),
            "requests": len(fetched),
            "duplicates": sorted(u for u, n in counts.items() if n > 1),
            "unpacked": unpacked,
            "rows": sorted(
                (
                    (self.bytes[r], self.status.get(r), self.encoding.get(r), self.urls[r])
                    for r in self.bytes
                ),
                reverse=True,
            ),
        }


def load(page: Page, wire: Wire, url: str | None, quiet: float) -> dict[str, Any]:
    """Open url (None: reload) until the network is idle: bytes, requests, paint times."""
    wire.reset()
    if url is None:
        page.reload(wait_until="load", timeout=60_000)
    else:
        page.goto(url, wait_until="load", timeout=60_000)
    wire.wait_idle(page, quiet)
    timing = page.evaluate(
        """() => ({
        fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime ?? NaN,
        drawn: Math.max(-1, ...(window.__drawnAt || new Map()).values()),
        views: document.querySelectorAll('[data-view]:not([data-deferred])').length,
        marked: (window.__drawnAt || new Map()).size })"""
    )
    drawn = timing["drawn"] if timing["views"] and timing["marked"] == timing["views"] else None
    return {**wire.summary(), "fcp": timing["fcp"], "drawn": drawn}


def measure(browser: Browser, url: str, network: dict[str, Any], rounds: int, quiet: float) -> dict:
    """Median of `rounds` first loads (each in a new context: empty cache) and their reloads."""
    firsts, agains = [], []
    failed = []
    for _ in range(rounds):
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        context.add_init_script(DRAWN_PROBE)
        page = context.new_page()
        wire = Wire(page, network)
        try:
            firsts.append(load(page, wire, url, quiet))
            agains.append(load(page, wire, None, quiet))
        except (PlaywrightError, TimeoutError) as exc:  # say so, and what hung, then go on
            hung = ", ".join(sorted(_short(wire.urls[r]) for r in wire.open if r in wire.urls))
            failed.append(f"{str(exc).splitlines()[0]} (in flight: {hung or 'nothing'})")
        context.close()
    if not firsts or not agains:
        return {"failed": failed}
    return {"first": _median(firsts), "reload": _median(agains), "failed": failed}


def _median(loads: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(loads[0])
    for key in ("bytes", "requests", "fcp", "drawn"):
        values = [x[key] for x in loads if x[key] is not None]
        out[key] = statistics.median(values) if values else None
    return out


def _ms(value: float | None) -> str:
    return f"{value:6.0f}" if value is not None and value == value else "     -"


def print_row(label: str, result: dict[str, Any], detail: bool) -> None:
    for failure in result["failed"]:
        print(f"  {label:<22} FAILED: {failure}")
    if "first" not in result:
        return
    first, again = result["first"], result["reload"]
    over = " OVER" if first["bytes"] > BUDGET else ""
    print(
        f"  {label:<22} {first['bytes'] / 1000:7.1f} KB{over:5} {first['requests']:3} "
        f"{_ms(first['fcp'])} {_ms(first['drawn'])} | {again['bytes'] / 1000:6.1f} KB "
        f"{again['requests']:3} {_ms(again['fcp'])}"
    )
    for name, urls in (("fetched twice", first["duplicates"]), ("uncompressed", first["unpacked"])):
        if urls:
            print(f"    {name}: " + ", ".join(sorted({_short(u) for u in urls})))
    if detail:
        for size, status, encoding, url in first["rows"]:
            print(f"      {size / 1000:7.1f} KB {status} {encoding:<8} {_short(url)}")


def _short(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", re.sub(r"/assets/[0-9a-f]+/", "/assets/*/", url))


def prepare(base: str) -> dict[str, str]:
    """Two finished runs, a live (paused) one and a class: the pages to open, by label."""
    runs = []
    lesson = {"bookings": 200}  # the run: 200 bookings, some 2,300 events
    for body in (
        {"params": lesson, "speed": "instant"},
        {"params": {**lesson, "seed": 2}, "speed": "instant"},
        {"params": lesson, "speed": 1, "start_paused": True},
    ):
        answer = requests.post(f"{base}/api/runs", json=body, timeout=30)
        answer.raise_for_status()
        runs.append(answer.json()["id"])
    for run_id in runs[:2]:  # the instant runs end within a moment
        for _ in range(200):
            if not requests.get(f"{base}/api/runs/{run_id}", timeout=30).json()["live"]:
                break
            time.sleep(0.1)
    code = requests.post(f"{base}/api/classes", json={}, timeout=30).json()["code"]
    return {
        "/": "/",
        "/runs": "/runs",
        "/runs/<ended> (share)": f"/runs/{runs[0]}",
        "/runs/<live> (share)": f"/runs/{runs[2]}",
        "/compare": "/compare",
        "/compare?a&b": f"/compare?a={runs[0]}&b={runs[1]}",
        "/experiments": "/experiments",
        "/class": "/class",
        "/class/<code>": f"/class/{code}",
    }


def warm(base: str, timeout: float = 180) -> None:
    """Wait until the server has its best forms ready (it makes them in the background): brotli
    for br, zopfli's gzip (its ETag no longer names the quick gzip -9) for gzip only."""
    html = requests.get(base + "/", timeout=30).text
    assets = sorted(set(re.findall(r'/assets/[0-9a-f]+/[^"\']+\.(?:js|css)', html)))
    assets.append(re.sub(r"/assets/([0-9a-f]+)/.*", r"/assets/\1/vendor/plotly.min.js", assets[0]))
    deadline = time.monotonic() + timeout
    for path in assets:
        for accept in ("br", "gzip"):
            while time.monotonic() < deadline:
                answer = requests.get(base + path, headers={"Accept-Encoding": accept}, timeout=30)
                quick = "gzip9" in answer.headers.get("ETag", "")
                if answer.headers.get("Content-Encoding") in (accept, None) and not quick:
                    break
                time.sleep(0.5)


def report(base: str, networks: list[str], rounds: int, quiet: float, detail: bool) -> None:
    pages = prepare(base)
    warm(base)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; median of {rounds}")
    with chromium() as browser:
        for name in networks:
            print(
                f" {name}: page                   first load     req    fcp  drawn |"
                " reload       req    fcp   (bytes on the wire, ms)"
            )
            for label, path in pages.items():
                print_row(
                    label, measure(browser, base + path, NETWORKS[name], rounds, quiet), detail
                )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (at the end)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.first_load", description=__doc__)
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--server", choices=sorted(SERVERS), default="gevent")
    parser.add_argument("--rounds", type=int, default=3, help="loads per page (median shown)")
    parser.add_argument("--quiet", type=float, default=1.0, help="idle seconds that end a load")
    parser.add_argument("--network", nargs="+", choices=list(NETWORKS), default=list(NETWORKS))
    parser.add_argument("--detail", action="store_true", help="list every response")
    args = parser.parse_args(argv)
    if args.url:
        report(args.url.rstrip("/"), args.network, args.rounds, args.quiet, args.detail)
        return
    with (
        tempfile.TemporaryDirectory() as workdir,
        app_process(workdir, server=args.server) as (
            url,
            _pid,
        ),
    ):
        report(url, args.network, args.rounds, args.quiet, args.detail)


if __name__ == "__main__":
    main()

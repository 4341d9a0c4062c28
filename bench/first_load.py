"""`python -m bench.first_load [--url URL]`: what a viewer's browser transfers to open each page.

Debian's chromium (Playwright) opens every page in a fresh context (empty cache), then reloads
it; Chrome DevTools' Network events give the bytes on the wire (headers included, after
compression) and the page's own Paint Timing gives the first contentful paint. Measured twice:
on the loopback as is, and throttled to a laptop's share of a busy classroom Wi-Fi.
Without --url it starts `python -m app` on a free port (its own SQLite file).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from typing import Any

from playwright.sync_api import Browser, Page

from tests.browser import chromium
from tests.processes import app_process

PAGES = ("/", "/runs", "/compare", "/experiments")
#: 10 Mbit/s down, 5 up, 40 ms round trip: one laptop among many on one access point
WIFI = {"latency": 40, "downloadThroughput": 10e6 / 8, "uploadThroughput": 5e6 / 8}


def load(page: Page, url: str, reload: bool, network: dict[str, Any]) -> dict[str, Any]:
    """Open (or reload) url; bytes on the wire, requests, encodings, first paint, load time."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    if network.get("conditions"):
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **network["conditions"]})
    if network.get("accept"):
        cdp.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": network["accept"]}})
    wire: dict[str, float] = {}
    cached: set[str] = set()
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    encodings: dict[str, str] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.responseReceived",
        lambda e: encodings.__setitem__(
            e["requestId"],
            {k.lower(): v for k, v in e["response"]["headers"].items()}.get(
                "content-encoding", "identity"
            ),
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    if reload:
        page.reload(wait_until="load")
    else:
        page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # late module imports and their Network events
    timing = page.evaluate(
        """() => ({
        fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
        load: performance.timing.loadEventEnd - performance.timing.navigationStart })"""
    )
    cdp.detach()
    biggest = max(wire, key=lambda k: wire[k], default=None)
    return {
        "bytes": sum(wire.values()),
        "requests": len(set(wire) - cached),
        "fcp": timing["fcp"],
        "load": timing["load"],
        "biggest": (
            urls.get(biggest, "?").split("/")[-1],
            wire.get(biggest, 0),
            encodings.get(biggest),
        )
        if biggest
        else None,
    }


def measure(browser: Browser, base: str, path: str, network: dict[str, Any], rounds: int) -> None:
    """Median of `rounds` first loads (each in a new context: empty cache) and reloads."""
    firsts, agains = [], []
    for _ in range(rounds):
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        firsts.append(load(page, base + path, False, network))
        agains.append(load(page, base + path, True, network))
        context.close()
    first, again = _median(firsts), _median(agains)
    name, size, enc = first["biggest"] or ("-", 0, "-")
    print(
        f"  {path:<13} first load {first['bytes'] / 1000:7.1f} KB in {first['requests']:2} "
        f"requests (largest {name} {size / 1000:.1f} KB, {enc}); first paint "
        f"{first['fcp']:5.0f} ms, load {first['load']:6.0f} ms | reload "
        f"{again['bytes'] / 1000:6.1f} KB in {again['requests']:2} requests, first paint "
        f"{again['fcp']:5.0f} ms"
    )


def _median(loads: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(loads[0])
    for key in ("bytes", "requests", "fcp", "load"):
        out[key] = statistics.median(x[key] for x in loads)
    return out


def accept_encoding(browser: Browser, base: str) -> str:
    page = browser.new_page()
    with page.expect_request(lambda r: r.url.startswith(base)) as info:
        page.goto(base + "/healthz")
    headers = info.value.all_headers()
    page.close()
    return headers.get("accept-encoding", "")


def report(base: str, rounds: int) -> None:
    with chromium() as browser:
        print(f"first load of each page (chromium asks for: {accept_encoding(browser, base)})")
        for label, network in (
            ("loopback", {}),
            ("10 Mbit/s, 40 ms RTT", {"conditions": WIFI}),
            (
                "10 Mbit/s, 40 ms RTT, gzip only (no br: plain http off localhost)",
                {"conditions": WIFI, "accept": "gzip, deflate"},
            ),
        ):
            print(f" {label}:")
            for path in PAGES:
                measure(browser, base, path, network, rounds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.first_load", description=__doc__)
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--rounds", type=int, default=3, help="loads per page (median shown)")
    args = parser.parse_args(argv)
    if args.url:
        report(args.url.rstrip("/"), args.rounds)
        return
    with tempfile.TemporaryDirectory() as workdir, app_process(workdir) as (url, _pid):
        report(url, args.rounds)


if __name__ == "__main__":
    main()

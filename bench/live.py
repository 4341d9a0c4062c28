"""`python -m bench.live`: delivery numbers of the real server, measured with real clients.

Starts `python -m app` on a free loopback port in a subprocess (its own SQLite file), then:
1. one client starts an instant 10,000-booking run: events per second delivered to it;
2. 100 and 300 viewers watch one run at speed 50: share of events delivered to every viewer
   and the delay from the server's emit (`sent_at`) to receipt, p50/p95/max;
3. while an instant 100,000-booking run works, a probe measures /healthz and a Socket.IO
   round trip (p50/p95/max), against the same probe on the idle server.
Viewers run as threads in worker processes, so the clients' own GIL does not dominate.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
import socketio

from bench.viewers import watch

#: the server's limits raised for the runs measured here
BENCH_LIMITS = {
    "SAGALAB_MAX_BOOKINGS_LIVE": "5000",
    "SAGALAB_MAX_LIVE_RUNS": "16",
    "SAGALAB_MAX_BOOKINGS_INSTANT": "100000",
}


def run_body(bookings: int, speed: float | str, paused: bool = False) -> dict[str, Any]:
    """The tutorial's services and failure rates, with every booking run to its end."""
    return {
        "preset": "tutorial",
        "params": {"bookings": bookings, "until": None},
        "speed": speed,
        "start_paused": paused,
    }


@contextmanager
def server(workdir: str, tick: float, stderr: Any = subprocess.DEVNULL) -> Any:
    """`python -m app --port 0` in a subprocess; yields its URL and process id."""
    env = {
        **os.environ,
        **BENCH_LIMITS,
        "SAGALAB_TICK_SECONDS": str(tick),
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--port", "0", "--db", os.path.join(workdir, "b.sqlite3")],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env=env,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    try:
        assert proc.stdout is not None
        match = re.search(r"http://[\d.]+:\d+", proc.stdout.readline())
        if not match:
            raise RuntimeError("the server did not start")
        yield match.group(0), proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), or NaN elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def client(url: str) -> socketio.Client:
    """A python-socketio client over WebSocket (UTF-8 left unchecked, see bench_viewers)."""
    c = socketio.Client(reconnection=False, websocket_extra_options={"skip_utf8_validation": True})
    c.connect(url, transports=["websocket"], wait_timeout=30)
    return c


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else (values[0] if values else float("nan"))
    )


def throughput(url: str, bookings: int) -> None:
    """Events per second delivered to the one client that starts an instant run."""
    done = threading.Event()
    count = [0]
    c = client(url)
    c.on("run_events", lambda m: count.__setitem__(0, count[0] + len(m["events"])))
    c.on("run_status", lambda m: m["state"] == "finished" and done.set())
    began = time.perf_counter()
    ack = c.call("start_run", run_body(bookings, "instant"), timeout=30)
    assert ack["ok"], ack
    done.wait(600)
    took = time.perf_counter() - began
    c.disconnect()
    print(
        f"instant run, {bookings:,} bookings: {count[0]:,} events delivered to one client "
        f"in {took:.2f} s = {count[0] / took:,.0f} events/s"
    )


def fan_out(url: str, viewers: int, bookings: int, speed: float, procs: int) -> None:
    """Viewers join a paused run, it resumes at `speed`; every viewer's deliveries and delays."""
    c = client(url)
    ack = c.call("start_run", run_body(bookings, speed, paused=True), timeout=30)
    assert ack["ok"], ack
    limit = bookings * 3.0 / speed + 60  # the run's length at this speed, plus a minute
    workers = start_workers(
        viewers, procs, watch, lambda n, *sync: (url, ack["id"], n, *sync, limit)
    )
    c.call(
        "control_run",
        {"run_id": ack["id"], "token": ack["control_token"], "action": "resume"},
        timeout=30,
    )
    workers.go.set()
    stats = gather(workers.processes, workers.results, 600)
    c.disconnect()
    total = requests.get(f"{url}/api/runs/{ack['id']}", timeout=30).json()["event_count"]
    got = [n for s in stats for n in s["counts"]]
    delays = [d for s in stats for d in s["delays"]]
    complete = sum(1 for n in got if n == total)
    cpu = sum(s["cpu"] for s in stats)
    dropped = sum(s["dropped"] for s in stats)
    print(
        f"{viewers} viewers, speed {speed:g}, {bookings} bookings, {total:,} events each: "
        f"{sum(got) / (total * viewers):.2%} delivered ({complete}/{viewers} viewers got all, "
        f"{dropped} disconnected before the end); "
        f"emit-to-receipt delay p50 {pct(delays, 50) * 1000:.0f} ms, "
        f"p95 {pct(delays, 95) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms; "
        f"viewer processes' CPU while the run played: {cpu:.1f} s"
    )


@dataclass
class Workers:
    """Client worker processes, started and ready (their clients connected and joined)."""

    processes: list[Any]
    go: Any  # set it to let them go on
    results: Any  # where they put their reports (gather)
    ready_after: float  # seconds from their start until every one was ready


def start_workers(
    clients: int,
    procs: int,
    target: Callable[..., None],
    args_of: Callable[[int, Any, Any, Any], tuple[Any, ...]],
) -> Workers:
    """`clients` split over `procs` spawned processes running target(*args_of(share, ready,
    go, results)); returns once every one has waited on `ready`."""
    ctx = mp.get_context("spawn")
    ready, go, results = ctx.Barrier(procs + 1), ctx.Event(), ctx.Queue()
    shares = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    processes = [ctx.Process(target=target, args=args_of(n, ready, go, results)) for n in shares]
    began = time.perf_counter()
    for process in processes:
        process.start()
    ready.wait(timeout=300)
    return Workers(processes, go, results, time.perf_counter() - began)


def gather(workers: list[Any], results: Any, timeout: float) -> list[dict[str, Any]]:
    """Each viewer process's report, then the processes ended (terminated if they hang)."""
    stats = [results.get(timeout=timeout) for _ in workers]
    for w in workers:
        w.join(timeout=30)
        if w.is_alive():
            w.terminate()
    return stats


def probe(
    url: str, seconds: float, stop: Callable[[], bool] = lambda: False
) -> dict[str, list[float]]:
    """Round trips of GET /healthz and of a Socket.IO call, every 50 ms, until `stop()`."""
    c, out = client(url), {"http": [], "socket": []}
    deadline = time.perf_counter() + seconds
    checked = 0
    while time.perf_counter() < deadline:
        checked += 1
        if checked % 20 == 0 and stop():
            break
        t = time.perf_counter()
        requests.get(f"{url}/healthz", timeout=30)
        out["http"].append(time.perf_counter() - t)
        t = time.perf_counter()
        c.call("join_run", {"run_id": "-"}, timeout=30)
        out["socket"].append(time.perf_counter() - t)
        time.sleep(0.05)
    c.disconnect()
    return out


def show(label: str, rtts: dict[str, list[float]]) -> None:
    for kind, values in rtts.items():
        print(
            f"  {label:<28} {kind:<6} n={len(values):<4} p50 {pct(values, 50) * 1000:6.1f} ms"
            f"  p95 {pct(values, 95) * 1000:6.1f} ms  max {max(values) * 1000:6.1f} ms"
        )


def responsiveness(url: str, bookings: int, cap: float) -> None:
    """Probe round trips on the idle server, then while an instant run of `bookings` works."""
    print(
        f"responsiveness while an instant {bookings:,}-booking run works "
        f"(probe: GET /healthz and a join_run round trip every 50 ms):"
    )
    show("idle server", probe(url, 3))
    count, dropped = [0], threading.Event()
    watcher = client(url)
    watcher.on("run_events", lambda m: count.__setitem__(0, count[0] + len(m["events"])))
    watcher.on("disconnect", lambda *_: dropped.set())
    began = time.perf_counter()
    ack = watcher.call("start_run", run_body(bookings, "instant"), timeout=60)
    assert ack["ok"], ack
    run_url = f"{url}/api/runs/{ack['id']}"

    def ended() -> bool:
        return requests.get(run_url, timeout=30).json()["status"] in ("finished", "stopped")

    show("during the instant run", probe(url, cap, ended))
    took = time.perf_counter() - began
    if not ended():
        stopper = client(url)
        stopper.call(
            "control_run",
            {"run_id": ack["id"], "token": ack["control_token"], "action": "stop"},
            timeout=60,
        )
        stopper.disconnect()
    run = requests.get(run_url, timeout=30).json()
    state = "finished" if run["status"] == "finished" else f"was stopped at the {cap:g} s cap"
    print(
        f"  the instant run {state}: {run['event_count']:,} events stored in {took:.1f} s "
        f"({run['event_count'] / took:,.0f} events/s); its starting client received "
        f"{count[0]:,}" + (" and was disconnected" if dropped.is_set() else "")
    )
    if not dropped.is_set():
        watcher.disconnect()


def arguments(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """The options bench.live and bench.fanout share: the runs measured and the server's tick."""
    parser = argparse.ArgumentParser(
        prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--instant-bookings",
        type=int,
        default=10_000,
        help="bookings of the instant run timed for one client (0: skip)",
    )
    parser.add_argument("--viewers", type=int, nargs="*", default=[100, 300])
    parser.add_argument(
        "--live-bookings",
        type=int,
        default=200,
        help="bookings of the watched run (tutorial: 3 s apart)",
    )
    parser.add_argument("--speed", type=float, default=50.0)
    parser.add_argument(
        "--big-bookings",
        type=int,
        default=100_000,
        help="instant run for the responsiveness probe (0: skip)",
    )
    parser.add_argument(
        "--big-cap", type=float, default=90.0, help="seconds to probe before stopping the big run"
    )
    parser.add_argument(
        "--tick",
        type=float,
        default=0.1,
        help="the server's TICK_SECONDS: one batch per run per tick",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    parser = arguments("python -m bench.live", __doc__)
    parser.add_argument("--procs", type=int, default=2, help="viewer worker processes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir, server(workdir, args.tick) as (url, pid):
        print(
            f"server: {url} (python -m app, async_mode threading, simple-websocket); "
            f"{os.cpu_count()} CPUs; emit tick {args.tick:g} s"
        )
        if args.instant_bookings:
            throughput(url, args.instant_bookings)
        for n in args.viewers:
            cpu = cpu_seconds(pid)
            fan_out(url, n, args.live_bookings, args.speed, args.procs)
            print(f"  server CPU during this: {cpu_seconds(pid) - cpu:.1f} s")
        if args.big_bookings:
            responsiveness(url, args.big_bookings, args.big_cap)


if __name__ == "__main__":
    main()

"""`python -m bench.crowd`: a class of viewers joins one live run at once; is the server fair?

Starts the server on a free loopback port (`--server`: `python -m app`, or gunicorn gthread
/ gevent as README says; its stderr kept in a file), starts a paused run, and while a probe
GETs /healthz every 50 ms, N viewers (threads in worker processes) join it at once; the run
then plays at the given speed. Prints the join acks' p50/p95, the probe's /healthz
p50/p95/max, the share of events every viewer got, and how many tracebacks the server wrote.
Loopback only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time

import requests

from bench.fanout import BENCH_LIMITS
from bench.live import client, gather, pct, run_body, start_workers
from bench.viewers import watch
from harness.processes import SERVERS, app_process


def probe_healthz(url: str, stop: threading.Event, out: list[tuple[float, float]]) -> None:
    """GET /healthz every 50 ms until stop; (start, round trip in seconds) pairs."""
    while not stop.is_set():
        began = time.perf_counter()
        try:
            requests.get(f"{url}/healthz", timeout=30)
        except requests.RequestException:
            out.append((began, 30.0))
        else:
            out.append((began, time.perf_counter() - began))
        stop.wait(0.05)


def show(label: str, rtts: list[float]) -> None:
    print(
        f"/healthz {label} (n={len(rtts)}): p50 {pct(rtts, 50) * 1000:.0f} ms,"
        f" p95 {pct(rtts, 95) * 1000:.0f} ms, max {max(rtts) * 1000:.0f} ms"
    )


def crowd(url: str, viewers: int, procs: int, bookings: int, speed: float, limit: float) -> None:
    starter = client(url)
    ack = starter.call("start_run", run_body(bookings, speed, paused=True), timeout=60)
    assert ack["ok"], ack
    stop, healthz = threading.Event(), []
    prober = threading.Thread(target=probe_healthz, args=(url, stop, healthz), daemon=True)
    prober.start()
    workers = start_workers(
        viewers, procs, watch, lambda n, *sync: (url, ack["id"], n, *sync, limit)
    )
    joined = workers.ready_after
    control = {"run_id": ack["id"], "token": ack["control_token"], "action": "resume"}
    starter.call("control_run", control, timeout=60)
    playing = time.perf_counter()
    workers.go.set()
    stats = gather(workers.processes, workers.results, limit + 120)
    stop.set()
    prober.join(timeout=60)
    starter.disconnect()
    total = requests.get(f"{url}/api/runs/{ack['id']}", timeout=30).json()["event_count"]
    got = [n for s in stats for n in s["counts"]]
    joins = [j for s in stats for j in s["joins"]]
    print(
        f"{viewers} viewers joined in {joined:.1f} s: join ack p50 {pct(joins, 50) * 1000:.0f} ms,"
        f" p95 {pct(joins, 95) * 1000:.0f} ms, max {max(joins) * 1000:.0f} ms"
    )
    print(
        f"run of {bookings} bookings at speed {speed:g}, {total:,} events: "
        f"{sum(got) / (total * viewers):.2%} delivered, "
        f"{sum(1 for n in got if n == total)}/{viewers} viewers got all, "
        f"{sum(1 for n in got if n == 0)} got none, "
        f"{sum(s['dropped'] for s in stats)} disconnected before the end"
    )
    show("while they join", [rtt for at, rtt in healthz if at < playing])
    show("while the run plays", [rtt for at, rtt in healthz if at >= playing])
    show("in all", [rtt for _at, rtt in healthz])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crowd", description=__doc__)
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--procs", type=int, default=4, help="viewer worker processes")
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--speed", type=float, default=50.0)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds to wait for the end")
    parser.add_argument("--server", choices=sorted(SERVERS), default="werkzeug")
    args = parser.parse_args(argv)
    env = {**BENCH_LIMITS, "SAGALAB_TICK_SECONDS": "0.1"}
    with tempfile.TemporaryDirectory() as workdir:
        errors = os.path.join(workdir, "stderr.txt")
        with (
            open(errors, "w") as err,
            app_process(workdir, server=args.server, stderr=err, **env) as (url, _pid),
        ):
            print(
                f"server: {url} ({args.server}); {os.cpu_count()} CPUs; "
                f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
            )
            crowd(url, args.viewers, args.procs, args.bookings, args.speed, args.limit)
        with open(errors) as f:
            text = f.read()
    print(
        f"server stderr: {text.count('Traceback')} tracebacks, "
        f"{text.count('is not connected')} 'not connected' errors"
    )


if __name__ == "__main__":
    main()

"""`python -m bench.fanout`: live delivery to many viewers, measured with socket.io-client JS.

Starts the server (`--server`: `python -m app`, or gunicorn gthread / gevent as README says)
on a free loopback port with its own SQLite file; `--processes 2` starts two sharing the
file and a redis-server started here, and spreads the viewers over them; `--proxy` starts
two on a PostgreSQL started here (own instance folders, no shared file) behind nginx with
docs/deploy.md's config, and every viewer connects to nginx (which spreads them). Then:
1. one client starts an instant 10,000-booking run: events per second delivered to it;
2. 100 and 300 viewers watch one run at speed 50: share of events delivered to every viewer
   (no gap, no repeat), the delay from the server's emit (`sent_at`) to receipt
   (p50/p95/max) and the server processes' CPU per 1,000 batches delivered;
3. while an instant 100,000-booking run works, a probe measures /healthz and a Socket.IO
   round trip (p50/p95/max), against the same probe on the idle server.
Viewers are socket.io-client JS clients in one Node process (bench/viewers.mjs).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import requests

from bench.live import BENCH_LIMITS, arguments, client, responsiveness, run_body, throughput
from bench.node_viewers import watch
from harness.processes import SERVERS, app_process, cpu_seconds, redis_server, two_machines


def fan_out(
    urls: list[str],
    viewers: int,
    bookings: int,
    speed: float,
    pids: list[int],
    profile: str | None = None,
    proxy_pid: int | None = None,
) -> None:
    """Viewers (Node, bench/viewers.mjs) join a paused run, it resumes at `speed`: every
    viewer's deliveries, the emit-to-receipt delay, the server processes' CPU meanwhile.
    With `profile`, py-spy samples the first server process into that file meanwhile."""
    c = client(urls[0])
    ack = c.call("start_run", run_body(bookings, speed, paused=True), timeout=30)
    assert ack["ok"], ack
    cpu = [0.0]

    def go() -> None:
        cpu[0] = sum(cpu_seconds(pid) for pid in pids)
        cpu.append(cpu_seconds(proxy_pid) if proxy_pid else 0.0)
        c.call(
            "control_run",
            {"run_id": ack["id"], "token": ack["control_token"], "action": "resume"},
            timeout=30,
        )

    limit = bookings * 3.0 / speed + 60  # the run's length at this speed, plus a minute
    with sampling(pids[0], profile, viewers):
        seen = watch(urls, ack["id"], viewers, go, limit)
    used = sum(cpu_seconds(pid) for pid in pids) - cpu[0]
    proxy_used = cpu_seconds(proxy_pid) - cpu[1] if proxy_pid else 0.0
    c.disconnect()
    total = requests.get(f"{urls[0]}/api/runs/{ack['id']}", timeout=30).json()["event_count"]
    complete = sum(1 for n in seen.counts if n == total)
    deliveries = sum(n for _d, n in seen.delays)
    batches = len(seen.delays)
    where = f"{len(pids)} processes behind nginx" if proxy_pid else f"{len(urls)} process(es)"
    nginx = f"; nginx CPU {proxy_used:.1f} s" if proxy_pid else ""
    print(
        f"  {viewers:5} viewers on {where}: {total:,} events each, "
        f"{sum(seen.counts) / (total * viewers):.2%} delivered ({complete}/{viewers} got all, "
        f"{seen.gaps} missing, {seen.repeats} repeated, {seen.dropped} dropped as laggards); "
        f"delay p50 {seen.delay(0.5) * 1000:.0f} ms, p95 {seen.delay(0.95) * 1000:.0f} ms, "
        f"max {seen.delay(1.0) * 1000:.0f} ms; "
        f"server CPU {used:.1f} s: {used / batches * 1e6:.0f} ms per 1,000 batches delivered "
        f"({used / deliveries * 1e6:.1f} ms per 1,000 events){nginx}; viewers' CPU {seen.cpu:.1f} s"
    )


def settle(pids: list[int], idle: float = 0.05, limit: float = 300.0) -> float:
    """Wait until the servers are idle (a new instance folder's assets are compressed at
    start-up, minutes of CPU that are no part of serving); returns the seconds waited."""
    start = time.monotonic()
    before = sum(cpu_seconds(pid) for pid in pids)
    while time.monotonic() - start < limit:
        time.sleep(1.0)
        now = sum(cpu_seconds(pid) for pid in pids)
        if now - before < idle:
            break
        before = now
    return time.monotonic() - start


@contextmanager
def sampling(pid: int, profile: str | None, viewers: int) -> Iterator[None]:
    """py-spy record of pid and its children while the block runs (a flame graph for .svg,
    collapsed stacks for .txt)."""
    if not profile:
        yield
        return
    stem, ext = os.path.splitext(profile)
    out = f"{stem}-{viewers}{ext}"
    spy = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "py-spy"), "record", "--pid", str(pid),
         "--subprocesses", "--rate", "100", "--output", out,
         "--format", "raw" if ext == ".txt" else "flamegraph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its output when interrupted
        spy.wait(timeout=60)
        print(f"  py-spy profile of the server: {out}")


def main(argv: list[str] | None = None) -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    parser = arguments("python -m bench.fanout", __doc__)
    parser.add_argument("--server", choices=sorted(SERVERS), default="werkzeug")
    parser.add_argument(
        "--profile", help="py-spy record of the server per fan-out: FILE.svg or FILE.txt"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes; more than one share a redis-server (started here) and the db",
    )
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="two processes on PostgreSQL behind nginx (docs/deploy.md), as two machines",
    )
    args = parser.parse_args(argv)
    env = {**BENCH_LIMITS, "SAGALAB_TICK_SECONDS": str(args.tick)}
    with ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory())
        proxy_pid = None
        if args.proxy:
            proxy, servers, proxy_pid = stack.enter_context(
                two_machines(workdir, server=args.server, **env)
            )
            urls, queue = [proxy], ", on PostgreSQL and Redis, behind nginx"
        else:
            if args.processes > 1:
                env["SAGALAB_MESSAGE_QUEUE"] = stack.enter_context(redis_server())
            db = os.path.join(workdir, "b.sqlite3")
            servers = [
                stack.enter_context(app_process(db, server=args.server, **env))
                for _ in range(args.processes)
            ]
            urls = [u for u, _p in servers]
            queue = f", sharing {env['SAGALAB_MESSAGE_QUEUE']}" if args.processes > 1 else ""
        pids = [p for _u, p in servers]
        url = urls[0]
        waited = settle(pids)
        print(
            f"{len(pids)} server process(es) ({' '.join(SERVERS[args.server][1:3])}, "
            f"{args.server}{queue}); {os.cpu_count()} CPUs; emit tick {args.tick:g} s; "
            f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
            f"{waited:.0f} s for start-up work (assets' compression in a new instance folder)"
        )
        if args.instant_bookings:
            throughput(url, args.instant_bookings)
        if args.viewers:
            print(f"one live run at speed {args.speed:g}, {args.live_bookings} bookings:")
        for n in args.viewers:
            fan_out(urls, n, args.live_bookings, args.speed, pids, args.profile, proxy_pid)
        if args.big_bookings:
            responsiveness(url, args.big_bookings, args.big_cap)


if __name__ == "__main__":
    main()

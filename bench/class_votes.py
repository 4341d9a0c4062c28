"""`python -m bench.class_votes`: a class of N students votes; how fast, and who sees what when?

Starts the server (`--server`: `python -m app`, or gunicorn gthread / gevent as README says)
on SQLite, or on PostgreSQL (`--postgres`), or with `--proxy` two processes on one
PostgreSQL and one Redis behind nginx (harness/processes.py, docs/deploy.md's config), and
waits until start-up work (compressing the assets) is done. A presenter creates a class,
starts a paused run for it and asks a question. N students (python-socketio clients, threads
in worker processes, through the proxy when there is one) join the class, then each casts
`--votes` votes over HTTP (changing its mind), from `--threads` threads per worker at once.
Prints: the joins' ack p50/p95; votes per second (all votes / the time from the first vote
sent to the last answered) and the votes' p50/p95/max; how long after the last vote the
presenter's class_state shows every student's last vote; how long after the reveal every
student has the revealed tally (p50/p95/max); and the server's CPU seconds over the whole
class."""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import requests
import socketio

from bench.fanout import BENCH_LIMITS, settle
from bench.live import client, gather, pct, start_workers
from harness.processes import (
    SERVERS,
    app_process,
    cpu_seconds,
    new_database,
    postgres_server,
    two_machines,
)

CHOICES = ["a", "b", "c"]


class Student:
    """One device in the class: its voter id, and when the revealed tally reached it."""

    def __init__(self, url: str, code: str) -> None:
        self.client = socketio.Client(
            reconnection=False, websocket_extra_options={"skip_utf8_validation": True}
        )
        self.revealed: float | None = None
        self.last: dict[str, Any] | None = None
        self.client.on("class_state", self._state)
        self.client.connect(url, transports=["websocket"], wait_timeout=60)
        began = time.perf_counter()
        ack = self.client.call("join_class", {"code": code}, timeout=60)
        self.join_seconds = time.perf_counter() - began
        if not ack.get("ok") or not ack["class"].get("voter"):
            raise RuntimeError(f"join failed: {ack}")
        self.voter: str = ack["class"]["voter"]

    def _state(self, state: dict[str, Any]) -> None:
        self.last = state
        poll = state.get("poll")
        if self.revealed is None and poll and not poll["open"] and poll["counts"]:
            self.revealed = time.time()


def students(
    url: str, code: str, n: int, votes: int, threads: int, ready: Any, go: Any, out: Any
) -> None:
    """Join n students, say ready; on `go` cast their votes; report; wait for the reveal."""
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)  # noisy on disconnect
    with ThreadPoolExecutor(max_workers=min(n, 32)) as pool:
        devices = list(pool.map(lambda _: Student(url, code), range(n)))
    ready.wait(timeout=300)
    go.wait(timeout=300)
    local = threading.local()

    def cast(job: tuple[Student, int]) -> tuple[float, float, int]:
        device, k = job
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        began = time.time()
        response = session.post(
            f"{url}/api/classes/{code}/vote",
            json={"voter": device.voter, "choice": CHOICES[(hash(device.voter) + k) % 3]},
            timeout=60,
        )
        return began, time.time(), response.status_code

    jobs = [(device, k) for k in range(votes) for device in devices]  # round after round
    with ThreadPoolExecutor(max_workers=threads) as pool:
        answers = list(pool.map(cast, jobs))
    finals = {d.voter: CHOICES[(hash(d.voter) + votes - 1) % 3] for d in devices}
    out.put({"answers": answers, "joins": [d.join_seconds for d in devices], "finals": finals})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and any(d.revealed is None for d in devices):
        time.sleep(0.05)
    out.put({"revealed": [d.revealed for d in devices]})
    closers = [threading.Thread(target=d.client.disconnect) for d in devices]
    for t in closers:  # in parallel: python-socketio's client may wait 3 s for a close frame
        t.start()
    for t in closers:
        t.join()


class Presenter:
    """The presenter's socket: every class_state, with the time it came."""

    def __init__(self, url: str, code: str, token: str) -> None:
        self.states: list[tuple[float, dict[str, Any]]] = []
        self.client = client(url)
        self.client.on("class_state", lambda s: self.states.append((time.time(), s)))
        ack = self.client.call("join_class", {"code": code, "presenter_token": token}, timeout=60)
        assert ack["ok"], ack

    def first_with(self, counts: dict[str, int], since: float, limit: float = 60) -> float:
        """When a class_state after `since` first showed exactly `counts` (NaN: never)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            for at, state in list(self.states):
                poll = state.get("poll") or {}
                if at >= since and poll.get("counts") == counts:
                    return at
            time.sleep(0.02)
        return float("nan")


def a_class(url: str, n: int, votes: int, procs: int, threads: int, pids: list[int]) -> None:
    made = requests.post(f"{url}/api/classes", json={}, timeout=30).json()
    code, token = made["code"], made["presenter_token"]
    auth = {"code": code, "presenter_token": token}
    run = requests.post(
        f"{url}/api/runs",
        json={"preset": "tutorial", "class": auth, "start_paused": True},
        timeout=30,
    )
    assert run.status_code == 201, run.text
    presenter = Presenter(url, code, token)
    cpu = sum(cpu_seconds(pid) for pid in pids)
    workers = start_workers(
        n, procs, students, lambda k, *sync: (url, code, k, votes, threads, *sync)
    )
    joined = workers.ready_after
    asked = requests.post(
        f"{url}/api/classes/{code}/poll",
        json={**auth, "question": "Which?", "choices": CHOICES},
        timeout=30,
    )
    assert asked.status_code == 201, asked.text
    workers.go.set()
    reports = [workers.results.get(timeout=600) for _ in workers.processes]
    answers = [a for r in reports for a in r["answers"]]
    joins = [j for r in reports for j in r["joins"]]
    finals = {v: c for r in reports for v, c in r["finals"].items()}
    first, last = min(a[0] for a in answers), max(a[1] for a in answers)
    latencies = [a[1] - a[0] for a in answers]
    statuses: dict[int, int] = {}
    for _b, _e, status in answers:
        statuses[status] = statuses.get(status, 0) + 1
    wanted = {c: sum(1 for f in finals.values() if f == c) for c in CHOICES}
    tallied = presenter.first_with(wanted, last)
    revealing = time.time()
    shown = requests.post(f"{url}/api/classes/{code}/reveal", json={**auth}, timeout=30)
    assert shown.status_code == 200 and shown.json()["counts"] == wanted, shown.text
    revealed = [
        r for rep in gather(workers.processes, workers.results, 300) for r in rep["revealed"]
    ]
    cpu = sum(cpu_seconds(pid) for pid in pids) - cpu
    presenter.client.disconnect()
    print(
        f"{n} students joined in {joined:.1f} s: join ack p50 {pct(joins, 50) * 1000:.0f} ms,"
        f" p95 {pct(joins, 95) * 1000:.0f} ms"
    )
    print(
        f"{len(answers)} votes ({votes} per student, {procs}x{threads} threads): "
        f"{len(answers) / (last - first):,.0f} votes/s; answers {statuses}; "
        f"p50 {pct(latencies, 50) * 1000:.1f} ms, p95 {pct(latencies, 95) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    print(
        f"the presenter's tally showed every last vote {(tallied - last) * 1000:.0f} ms after "
        f"the last vote's answer (tally {wanted})"
    )
    got = [r - revealing for r in revealed if r is not None]
    print(
        f"the reveal reached {len(got)}/{n} students: p50 {pct(got, 50) * 1000:.0f} ms, "
        f"p95 {pct(got, 95) * 1000:.0f} ms, max {max(got, default=float('nan')) * 1000:.0f} ms"
    )
    print(f"server CPU over the class: {cpu:.2f} s")


@contextmanager
def servers(args: argparse.Namespace, workdir: str) -> Iterator[tuple[str, list[int]]]:
    """The URL the class uses and the app processes' pids."""
    env = {**BENCH_LIMITS, "SAGALAB_TICK_SECONDS": "0.1"}
    if args.proxy:
        with two_machines(workdir, server=args.server, **env) as (proxy, machines, _nginx):
            yield proxy, [pid for _url, pid in machines]
    elif args.postgres:
        with postgres_server() as server:
            database = new_database(server, "sagalab")
            with app_process(database, server=args.server, **env) as (url, pid):
                yield url, [pid]
    else:
        with app_process(workdir, server=args.server, **env) as (url, pid):
            yield url, [pid]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.class_votes", description=__doc__)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--votes", type=int, default=3, help="votes per student (<= 20)")
    parser.add_argument("--procs", type=int, default=4, help="student worker processes")
    parser.add_argument("--threads", type=int, default=8, help="voting threads per worker")
    parser.add_argument("--server", choices=sorted(SERVERS), default="werkzeug")
    parser.add_argument("--proxy", action="store_true", help="two processes behind nginx")
    parser.add_argument("--postgres", action="store_true", help="one process on PostgreSQL")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir, servers(args, workdir) as (url, pids):
        where = "two processes behind nginx" if args.proxy else "one process"
        where += ", PostgreSQL" if args.proxy or args.postgres else ", SQLite"
        waited = settle(pids)
        print(
            f"server: {url} ({args.server}, {where}); {os.cpu_count()} CPUs; "
            f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
            f"{waited:.0f} s for start-up work (assets' compression in a new instance folder)"
        )
        a_class(url, args.students, args.votes, args.procs, args.threads, pids)
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

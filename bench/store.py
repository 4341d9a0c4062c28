"""`python -m bench.store`: the store on SQLite and on PostgreSQL (started here), side by side.

What a live run costs the database: appending its events in batches (one transaction per
batch, as a live run writes them each tick), reading them back in chunks (a replay or a
late viewer's catch-up), a page of the history, and deleting the run. Both databases on
this machine; PostgreSQL over loopback TCP with fsync off as the tests run it, so its
figures are a lower bound for a server with durable commits and a network in between.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack

from app.store import Store
from harness.processes import new_database, postgres_server


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def measure(store: Store, batches: int, per_batch: int) -> dict[str, float]:
    line = '{"seq":%d,"t":1.5,"kind":"step.done","saga":"BOOK001","actor":"flight","step":"flight"}'
    store.create_run("bench", "tutorial", {"mode": "orchestration"}, 1.0, "running")
    for n in range(20):
        store.create_run(f"other{n}", "tutorial", {"mode": "orchestration"}, 1.0, "finished")

    def append() -> None:
        for b in range(batches):
            first = b * per_batch
            lines = [(seq, line % seq) for seq in range(first, first + per_batch)]
            store.append_events("bench", lines, float(b), first + per_batch)

    events = batches * per_batch
    out = {"append": timed(append) / batches * 1000}
    out["read"] = timed(lambda: sum(len(c) for c in store.event_lines("bench"))) / events * 1e6
    out["page"] = timed(lambda: [store.list_runs(25, 0, "tutorial", "orchestration")
                                 for _ in range(100)]) * 10  # fmt: skip
    out["size"] = store.size_mb()
    out["delete"] = timed(lambda: store.delete_run("bench"))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__)
    parser.add_argument("--batches", type=int, default=500)
    parser.add_argument("--per-batch", type=int, default=100)
    args = parser.parse_args(argv)
    print(
        f"{args.batches} batches of {args.per_batch} events; {os.cpu_count()} CPUs; "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(f"{'database':<12} {'append ms/batch':>16} {'read us/event':>14} "
          f"{'history page ms':>16} {'MB':>6} {'delete s':>9}")  # fmt: skip
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        server = stack.enter_context(postgres_server())
        for name, target in (
            ("SQLite", os.path.join(folder, "bench.sqlite3")),
            ("PostgreSQL", new_database(server, "bench")),
        ):
            store = Store(target)
            got = measure(store, args.batches, args.per_batch)
            store.close()
            print(f"{name:<12} {got['append']:>16.2f} {got['read']:>14.2f} "
                  f"{got['page']:>16.2f} {got['size']:>6.1f} {got['delete']:>9.2f}")  # fmt: skip


if __name__ == "__main__":
    main()

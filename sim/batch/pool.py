"""Run an experiment plan on a process pool: incremental points, progress and cancellation."""

from __future__ import annotations

import importlib
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from sim.batch.plan import ExperimentPlan
from sim.batch.points import PointTally

DEFAULT_RUN_FN = "sim.runner:run_summary"


@dataclass
class Progress:
    """How far an experiment got; `to_dict` is what the page shows."""

    runs_total: int
    points_total: int
    runs_done: int = 0
    points_done: int = 0
    started: float = field(default_factory=time.monotonic)

    def to_dict(self) -> dict[str, Any]:
        elapsed = time.monotonic() - self.started
        rate = self.runs_done / elapsed if elapsed > 0 and self.runs_done else 0.0
        left = (self.runs_total - self.runs_done) / rate if rate else None
        return {
            "runs_done": self.runs_done,
            "runs_total": self.runs_total,
            "points_done": self.points_done,
            "points_total": self.points_total,
            "elapsed": round(elapsed, 3),
            "runs_per_second": round(rate, 2),
            "eta_seconds": round(left, 1) if left is not None else None,
        }


@dataclass
class Outcome:
    status: str  # finished | cancelled
    points: list[dict[str, Any]]
    progress: dict[str, Any]


def load_run_fn(path: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def run_chunk(run_fn: str, params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Worker side: run each parameter set and return the summaries in order."""
    fn = load_run_fn(run_fn)
    return [fn(p) for p in params]


def watch_parent(server_pid: int, every: float = 0.5) -> None:
    """Worker initializer: exit as soon as the process that started the pool is gone.

    Workers are children of multiprocessing's fork server, which ends with that process;
    a worker then has a new parent. Without this, a killed server leaves its workers
    computing as orphans.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent or not _alive(server_pid):
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _chunks(plan: ExperimentPlan, size: int):
    for point in plan.points:
        for first in range(0, plan.replications, size):
            reps = range(first, min(first + size, plan.replications))
            yield point.index, [plan.run_params(point, r) for r in reps]


def run_experiment(
    plan: ExperimentPlan,
    *,
    workers: int | None = None,
    run_fn: str = DEFAULT_RUN_FN,
    on_point: Callable[[dict[str, Any]], None] | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    cancel: threading.Event | None = None,
    chunk_size: int | None = None,
) -> Outcome:
    """Run every (point, replication); workers=0 runs in this process (tests, debugging).

    Points run in order, so whole points finish early and reach `on_point` as they do.
    Seeds come from the plan, so results do not depend on workers or chunking.
    """
    workers = (os.cpu_count() or 1) if workers is None else workers
    cancel = cancel or threading.Event()
    size = chunk_size or max(1, min(20, math.ceil(plan.replications / (2 * max(1, workers)))))
    tallies = {
        p.index: PointTally(p.index, p.value, p.level, p.params["bookings"]) for p in plan.points
    }
    progress = Progress(plan.total_runs, len(plan.points))
    done: list[dict[str, Any]] = []

    def absorb(index: int, summaries: list[dict[str, Any]]) -> None:
        tally = tallies[index]
        for summary in summaries:
            tally.add(summary)
        progress.runs_done += len(summaries)
        if tally.runs == plan.replications:
            progress.points_done += 1
            done.append(tally.result())
            if on_point:
                on_point(done[-1])
        if on_progress:
            on_progress(progress.to_dict())

    chunks = _chunks(plan, size)
    if workers == 0:
        for index, params in chunks:
            if cancel.is_set():
                break
            absorb(index, run_chunk(run_fn, params))
    else:
        _run_pool(chunks, workers, run_fn, absorb, cancel)
    status = "cancelled" if cancel.is_set() and progress.runs_done < plan.total_runs else "finished"
    partial = [t.result() for t in tallies.values() if 0 < t.runs < plan.replications]
    return Outcome(status, sorted(done + partial, key=lambda p: p["index"]), progress.to_dict())


def _run_pool(chunks, workers: int, run_fn: str, absorb, cancel: threading.Event) -> None:
    """Keep 2 chunks per worker in flight; on cancel submit no more and drop the queued."""
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=watch_parent,
        initargs=(os.getpid(),),
    ) as pool:
        pending: dict[Future, int] = {}
        exhausted = False
        while True:
            while not exhausted and not cancel.is_set() and len(pending) < 2 * workers:
                item = next(chunks, None)
                if item is None:
                    exhausted = True
                    break
                pending[pool.submit(run_chunk, run_fn, item[1])] = item[0]
            if not pending:
                return
            finished, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in finished:
                absorb(pending.pop(future), future.result())
            if cancel.is_set():
                for future in pending:
                    future.cancel()
                pending = {f: i for f, i in pending.items() if not f.cancelled()}

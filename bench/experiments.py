"""Benchmark the batch runner: runs per second with 1 worker and with every core.

python -m bench.experiments                   # 20 points x 100 replications x 100 bookings
python -m bench.experiments --points 4 --replications 20    # a quick look
"""

from __future__ import annotations

import argparse
import os
import time

from sim.batch.plan import plan_experiment
from sim.batch.pool import DEFAULT_RUN_FN, run_experiment


def bench_plan(points: int, replications: int, bookings: int):
    """Car failure rate from 0 in `points` steps of 0.03 on the tutorial's defaults."""
    return plan_experiment({
        "base": {"preset": None, "params": {"bookings": bookings}},
        "sweep": {"param": "services.car.failure_rate", "from": 0,
                  "to": round(0.03 * (points - 1), 10), "step": 0.03},
        "replications": replications,
        "seed": 1,
    }, {"max_runs": 10**7, "max_sagas": 10**10})  # fmt: skip


def measure(plan, workers: int, run_fn: str) -> tuple[float, float]:
    """(wall seconds, runs per second) for the whole plan on `workers` processes."""
    started = time.perf_counter()
    outcome = run_experiment(plan, workers=workers, run_fn=run_fn)
    seconds = time.perf_counter() - started
    assert outcome.status == "finished"
    return seconds, plan.total_runs / seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--bookings", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="the 'all' case")
    parser.add_argument("--run-fn", default=DEFAULT_RUN_FN, help="module:function to run")
    parser.add_argument("--repeat", type=int, default=1, help="best of N (a shared machine)")
    args = parser.parse_args(argv)
    plan = bench_plan(args.points, args.replications, args.bookings)
    print(
        f"{len(plan.points)} points x {plan.replications} replications x {args.bookings} "
        f"bookings = {plan.total_runs} runs; os.cpu_count() = {os.cpu_count()}; "
        f"load average {os.getloadavg()[0]:.2f}; best of {args.repeat}"
    )
    results = {}
    for workers in dict.fromkeys((1, args.workers)):
        seconds, rate = min(measure(plan, workers, args.run_fn) for _ in range(args.repeat))
        results[workers] = rate
        print(f"{workers} worker(s): {seconds:8.2f} s  {rate:9.1f} runs/s  (pool start included)")
    if len(results) == 2:
        ratio = results[args.workers] / results[1]
        print(f"speed-up {ratio:.2f}x on {args.workers} workers (ideal {args.workers}x)")


if __name__ == "__main__":
    main()
